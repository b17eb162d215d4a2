"""The database file: a file written by an earlier version is brought up to date on opening."""
from analytics import db
from analytics.filters import Filters
from analytics.ingest.integrity import check_integrity
from analytics.metrics import summary
from analytics.rebounds import rebounds
from analytics_data import AS_OF, build_campaign


def test_a_file_from_before_the_derived_tables_gets_them_from_its_history(tmp_path):
    path = build_campaign(tmp_path)
    with db.connect(path) as con:
        problems_before = con.execute("SELECT * FROM problems ORDER BY problem_key").fetchall()
        links_before = con.execute("SELECT * FROM rebound_links ORDER BY later_key").fetchall()
        figures_before = summary(con, Filters(as_of=AS_OF)), rebounds(con, Filters(as_of=AS_OF))
        # what an earlier version wrote: no life days in problems, no rebound_links
        con.execute(f"CREATE TABLE old_problems AS SELECT * EXCLUDE ({', '.join(db.LIFE_DAY_COLUMNS)}) "
                    "FROM problems")
        con.execute("DROP TABLE problems")
        con.execute("DROP TABLE rebound_links")
        con.execute("ALTER TABLE old_problems RENAME TO problems")
    db.init_db(path)
    with db.connect(path, read_only=True) as con:
        assert con.execute("SELECT * FROM problems ORDER BY problem_key").fetchall() == problems_before
        assert con.execute("SELECT * FROM rebound_links ORDER BY later_key").fetchall() == links_before
        figures_after = summary(con, Filters(as_of=AS_OF)), rebounds(con, Filters(as_of=AS_OF))
    assert links_before and figures_after[0] == figures_before[0]
    assert figures_after[1].equals(figures_before[1])
    assert check_integrity(path).ok

"""The 联点领导督导单 on the county sample: one page, the leader's points and figures as the model has them,
in the official fonts."""
import io

import docx

from analytics.exports.leader_sheet import leader_sheet_docx
from analytics.registry.model import points_of
from analytics.shared import db
from analytics.shared.filters import Filters
from tests.registry.test_model import AS_OF, county  # noqa: F401 (the imported county, a fixture)


def test_the_sheet_lists_the_leaders_points_with_their_figures(county):
    with db.connect(county, read_only=True) as con:
        content = leader_sheet_docx(con, Filters(as_of=AS_OF), "王建国", "县委书记")
        points = points_of(con, Filters(as_of=AS_OF), leader="王建国")
    document = docx.Document(io.BytesIO(content))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert texts[0] == "联点领导督导单" and texts[1].startswith("王建国（县委书记）")
    assert f"未整改问题{points['open'].sum()}条，其中逾期{points['overdue'].sum()}条" in texts[2]
    table, = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0][:3] == ["点位", "未整改", "逾期"]
    assert [row[0] for row in rows[1:]] == list(points["point"])
    assert [int(row[1]) for row in rows[1:]] == list(points["open"])
    assert round(document.sections[0].top_margin.mm) == 37

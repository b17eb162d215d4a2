"""The current state an import derives from the stored state and its own versions is the one the whole
history derives, whatever order the ledgers come in, on whatever days, batched or not, undone or not."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.ledger.derive import current_state_sql, refresh_current, stored_links_sql
from analytics.intake.integrity import differences
from analytics_data import insert_rows, problem_states, state_rows

# A few days only, so that ledgers often share an effective date (a reopening on the stored state's day).
few_days = st.integers(0, 3)
imports_in_batches = st.lists(st.tuples(few_days, st.booleans(), st.booleans()), min_size=6, max_size=6)
problems_seen = st.lists(problem_states | st.fixed_dictionaries({
    "unit": st.just("甲"), "point_type": st.just("居民小区"), "category": st.just("环境卫生"),
    "found": st.none(), "deadline": st.none(), "rectified": st.none(), "closed": st.none(),
    # back and forth between done and open: reopenings
    "versions": st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["已整改", "待整改", "已销号", "整改中"])),
                         min_size=2, max_size=6)}), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(problems=problems_seen, imports=imports_in_batches)
def test_importing_ledger_by_ledger_derives_what_the_whole_history_derives(scratch, problems, imports):
    for table in ("imports", "problem_versions", "problems", "rebound_links"):
        scratch.execute(f"DELETE FROM {table}")
    import_rows, versions = state_rows(problems, [(day, False) for day, _, _ in imports])
    batch: list[int] = []

    def write(batch: list[int]) -> None:
        insert_rows(scratch, "imports", [import_rows[i] for i in batch])
        insert_rows(scratch, "problem_versions", [v for v in versions if v["import_id"] in batch])
        refresh_current(scratch, batch)

    for import_id, (_, _, with_the_one_before) in enumerate(imports):
        if batch and not with_the_one_before:
            write(batch)
            batch = []
        batch.append(import_id)
    write(batch)
    for import_id, (_, undone, _) in enumerate(imports):
        if undone:
            scratch.execute("UPDATE imports SET undone_at = now() WHERE import_id = ?", [import_id])
            refresh_current(scratch, [import_id])
    assert differences(scratch, "problems", current_state_sql()) == (0, 0)
    assert differences(scratch, "rebound_links", stored_links_sql()) == (0, 0)

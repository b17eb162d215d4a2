"""Where the ledger is in a grid: column names as a spreadsheet shows them."""
import pytest
from openpyxl.utils import get_column_letter

from analytics.ingest.layout import column_letter


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (7, "H"), (25, "Z"), (26, "AA"), (51, "AZ"),
                                                (52, "BA"), (701, "ZZ"), (702, "AAA"), (16383, "XFD")])
def test_a_column_is_named_as_the_spreadsheet_shows_it(index, letters):
    assert column_letter(index) == letters


def test_every_column_of_a_sheet_is_named_as_openpyxl_names_it():
    assert [column_letter(index) for index in range(16384)] == [get_column_letter(n) for n in range(1, 16385)]

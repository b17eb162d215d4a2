"""Spreadsheets to grids and the grid's layout, and the dates units write: what every reader (ledgers,
score sheets, readiness sheets) shares."""

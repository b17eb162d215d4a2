"""What staff carry out of the dashboard, none of it importing streamlit; the pages hand the bytes
to download buttons and `python -m analytics export` writes them to files.

- files.export_bytes(con, kind, filters) / files.export_file_name(kind, filters), kind pptx|xlsx|png:
  the three briefing exports, as the command line and the pages' buttons make them
- deck.build_deck(con, filters) -> .pptx bytes: the briefing deck, native charts
- bulletin.build_bulletin(con, filters) -> .xlsx bytes: the 督查 bulletin workbook
- images.charts_zip(images.briefing_figures(content)) -> .zip bytes of
  slide-sized PNG files rendered with kaleido and Chromium (images.unavailable_reason() says, in
  Chinese, what to install when that cannot work here)
- tables.table_xlsx(frame, name) / tables.table_csv(frame) -> any table as .xlsx or UTF-8-BOM CSV
- tables.neutralise(value): the formula-injection guard every text cell goes through

The submodules are imported one by one (the pages' table buttons need only tables.py).
"""

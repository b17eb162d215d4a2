"""What the dashboard's pages share, one module per job: the page registry (navigation), reads and
writes (data), who may write (access), the first start and the empty state (first_start), the
sidebar's countdown and filters (sidebar), messages kept across a rerun and the one way a control
writes (flash), how charts, tables and downloads are shown (show), a page's first line (page), and
the run around every page: navigation, sign-in, sidebar, then the page (shell).

Only Streamlit code lives here; the figures come from `analytics`, which never imports Streamlit."""

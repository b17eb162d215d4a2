"""What every capability shares: the database and its schema, settings, filters, sign-in, the unit list,
the office's vocabulary (statuses, 点位类型, categories, sources, labels, numerals), the look of charts and
documents, and reading spreadsheets into grids (reading/)."""

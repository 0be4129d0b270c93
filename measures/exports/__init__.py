"""Every download of the register (workbooks, CSV, open data): one formula guard
(``cells``), one set of styles, one layout per file."""

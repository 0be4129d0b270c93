"""Every upload into the register: one set of hostile-file checks (``files``), then a reader
and an apply step per kind of workbook."""

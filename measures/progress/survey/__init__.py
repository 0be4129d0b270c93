"""調査票: the progress survey as an Excel workbook, for divisions that answer offline.

``writer`` makes one division's workbook (or a zip of all), ``reader`` checks returned
workbooks and plans what they would store, ``services`` stores a plan as submitted reports,
``selectors`` reads what the pages and commands show, ``views`` are the round dashboard's
download, upload, preview and confirm steps.
"""

"""Excel and CSV files of the register: shared styles and cell safety live here."""

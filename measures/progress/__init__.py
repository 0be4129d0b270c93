"""進捗調査: the plan's yearly progress cycle (rounds of reports from each division)."""

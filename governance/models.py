"""Models of the promotion structure (推進体制); filled in by the governance issue."""

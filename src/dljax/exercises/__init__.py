"""Exercise checkers of the lessons, one module per chapter (tested with right and wrong
answers in tests/lessons)."""

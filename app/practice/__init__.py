"""Practice (百日练兵): drills, the daily set, the wrong-question book, progress and the weekly report."""

"""Contests and rounds in the database: loading contest YAML, scores in, standings out, `flask contest`/`standings`."""

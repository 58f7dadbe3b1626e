"""The rules of the domain, in plain Python: no Flask, no database. Views and commands call these."""

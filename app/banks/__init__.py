"""Question banks in the database: import from YAML, export back, and the `flask bank` commands."""

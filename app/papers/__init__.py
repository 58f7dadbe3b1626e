"""Paper blueprints in the database, drawing papers from the live pool, and `flask paper`."""

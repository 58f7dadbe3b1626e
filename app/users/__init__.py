"""Accounts: creating, importing and updating users (service and CLI)."""

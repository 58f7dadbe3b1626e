"""Fixture plugins shared by the test layers, registered in tests/conftest.py; tests import their helpers from here."""

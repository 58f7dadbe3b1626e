"""Sitting an exam: attempts, their responses, the server-held clock and marking."""

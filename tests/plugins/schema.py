"""Rows written straight into a migrated schema, for the tests of a migration that lets a question type in: one bank,
one question, and revisions of any type string (the CHECK constraint decides)."""
from sqlalchemy import text

from app.extensions import db

INSERT_REVISION = ("INSERT INTO question_revisions (question_id, number, type, stem, options, answer, blank_order,"
                   " reference_answer, rubric, explanation, source, difficulty, tags, content_hash, created_at)"
                   " VALUES (1, :number, :type, 's', '{}', '[]', 'fixed', '', '[]', '', '', 3, '[]', 'h',"
                   " '2026-01-01 00:00:00')")


def seed_question() -> None:
    """Bank 1 and its question 1, for revisions to belong to."""
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO banks (id, slug, title, category, description, source_file,"
                                " practice, created_at, updated_at) VALUES (1, 'b', 'B', 'theory', '', '',"
                                " false, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
        connection.execute(text("INSERT INTO questions (id, bank_id, code, position, latest_number)"
                                " VALUES (1, 1, 'Q', 0, 1)"))


def insert_revision(number: int, type_: str) -> None:
    """A revision of question 1, in its own transaction (so a refused one leaves the others)."""
    with db.engine.begin() as connection:
        connection.execute(text(INSERT_REVISION), {"number": number, "type": type_})

"""Organiser pages (组织者后台): banks, questions, exam sessions, contests, practice reports, accounts and logins."""
from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")

from app.admin import (  # noqa: E402,F401
    accounts,
    banks,
    contest_upload,
    contests,
    paper,
    papers,
    reports,
    routes,
    sessions,
)

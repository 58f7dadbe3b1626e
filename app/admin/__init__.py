"""Organiser pages (组织者后台): banks, questions, exam sessions, contests, practice reports, accounts and logins."""
from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")

from app.admin import accounts, banks, contest_upload, contests, paper, reports, routes, sessions  # noqa: E402,F401

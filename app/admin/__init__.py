"""Organiser pages (组织者后台): banks, questions, exam sessions, contests, practice reports."""
from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")

from app.admin import contests, reports, routes, sessions  # noqa: E402,F401

"""Organiser pages (组织者后台): banks, questions, exam sessions, contests."""
from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")

from app.admin import contests, routes, sessions  # noqa: E402,F401

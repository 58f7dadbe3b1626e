"""The candidate's side of exams (考试): their sessions, sitting a paper, their results."""
from flask import Blueprint

bp = Blueprint("exam", __name__, template_folder="templates")

from app.exam import routes  # noqa: E402,F401

"""Practice (百日练兵): drills, the daily set, the wrong-question book, progress and the weekly report."""
from flask import Blueprint

bp = Blueprint("practice", __name__, template_folder="templates")

from app.practice import routes  # noqa: E402,F401

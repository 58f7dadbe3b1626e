"""Judges' pages (阅卷): short answers to score, shown without the candidate's name."""
from flask import Blueprint

bp = Blueprint("marking", __name__, template_folder="templates")

from app.marking import routes  # noqa: E402,F401

"""Judges' Party-lecture scores (党课评分): the rounds a judge scores and one score per candidate."""
from flask import Blueprint

bp = Blueprint("scoring", __name__, template_folder="templates")

from app.scoring import routes  # noqa: E402,F401

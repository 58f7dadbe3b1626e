"""The JSON API under /api/v1/ (DESIGN §3.4): session cookie plus X-CSRFToken, JSON errors only."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import practice, routes  # noqa: E402,F401  (their routes register on bp, so they come after it)

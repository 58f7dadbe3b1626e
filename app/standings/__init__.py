"""Round standings (排名): the tables per group, their CSV and XLSX downloads, and the projector view."""
from flask import Blueprint

bp = Blueprint("standings", __name__, template_folder="templates")

from app.standings import routes  # noqa: E402,F401

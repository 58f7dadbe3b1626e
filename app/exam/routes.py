"""The candidate's and judge's home: what is scheduled for them."""
from flask import render_template

from app.exam import bp
from app.models import Role
from app.web import role_required


@bp.get("/")
@role_required(Role.CANDIDATE, Role.JUDGE)
def home():
    return render_template("exam/home.html")

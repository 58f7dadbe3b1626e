"""The application factory: configuration, extensions, blueprints and commands are wired here."""
import os
from pathlib import Path

from flask import Flask, redirect, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, secret_key


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    from app.api.replies import IsoJSONProvider
    app.json = IsoJSONProvider(app)
    config_name = config_name or os.environ.get("FLASK_CONFIG") or ("development" if app.debug else "production")
    app.config.from_object(CONFIGS[config_name])
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(Path(app.instance_path))
    if proxies := app.config["PROXY_COUNT"]:
        # Each proxy appends the address it was reached from (what came before the outermost one is the client's to
        # forge); the scheme is the one the TLS-ending proxy set and the others pass on.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=1)
    from app.attempts import arrival
    arrival.init_app(app)   # outermost: a request's arrival is stamped before anything else

    _init_extensions(app)
    _register_blueprints(app)
    _register_commands(app)

    from app import security, web
    from app.attempts.sweeper import run_in_background
    web.init_app(app)
    security.init_app(app)
    run_in_background(app)

    @app.get("/")
    def index():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        if current_user.role == "organiser":
            return redirect(url_for("admin.index"))
        return redirect(url_for("exam.home"))

    @app.get("/favicon.ico")
    def favicon():
        """Browsers ask here whatever a page links; the icon is the one the pages link."""
        return app.send_static_file("favicon.svg")

    return app


def _init_extensions(app: Flask) -> None:
    from app import database
    from app.extensions import csrf, db, login_manager

    database.configure_pool(app)
    db.init_app(app)
    database.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from app.web import IdConverter
    app.url_map.converters["int"] = IdConverter   # before any route names it: path ids past 32 bits are 404

    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.exam import bp as exam_bp
    from app.marking import bp as marking_bp
    from app.practice import bp as practice_bp
    from app.scoring import bp as scoring_bp
    from app.standings import bp as standings_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(exam_bp, url_prefix="/exam")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(marking_bp, url_prefix="/marking")
    app.register_blueprint(practice_bp, url_prefix="/practice")
    app.register_blueprint(scoring_bp, url_prefix="/scoring")
    app.register_blueprint(standings_bp, url_prefix="/standings")


def _register_commands(app: Flask) -> None:
    from app.banks.cli import bank_cli
    from app.contests.cli import contest_cli, standings_cli
    from app.demo import demo_cli
    from app.papers.cli import paper_cli
    from app.scheduling.cli import exam_cli
    from app.schema import MigrationCommands
    from app.users.cli import users_cli

    app.cli.add_command(bank_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(paper_cli)
    app.cli.add_command(exam_cli)
    app.cli.add_command(contest_cli)
    app.cli.add_command(standings_cli)
    app.cli.add_command(MigrationCommands())

"""The domain stays pure: app/domain imports neither Flask nor the database."""
import ast
from pathlib import Path


def test_domain_modules_do_not_import_flask_or_the_database():
    domain = Path(__file__).resolve().parents[2] / "app" / "domain"
    for path in domain.rglob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module}
        assert not imported & {"flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug"}, path.name

"""One error root (issue 10): every error a user can cause is an AppError with an HTTP status and a stable code, and
a code means one thing wherever it is raised — the codes docs/api.md promises included."""
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import app
from app.errors import AppError
from app.web import ERROR_CODES

ROOT = Path(app.__file__).resolve().parents[1]
CODE = re.compile(r"[a-z]+(_[a-z]+)*")
DOCUMENTED = re.compile(r"^\| (\d{3}) \| `([a-z_]+)` \|", re.MULTILINE)


def app_modules() -> list:
    return [importlib.import_module(info.name) for info in pkgutil.walk_packages(app.__path__, "app.")]


def exception_classes() -> list[type[BaseException]]:
    """Every exception class the app defines, each once, with the module that defines it."""
    return [cls for module in app_modules() for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, BaseException) and cls.__module__ == module.__name__]


def app_errors() -> list[type[AppError]]:
    return [cls for cls in exception_classes() if issubclass(cls, AppError)]


def declared_codes() -> dict[str, list[type[AppError]]]:
    """code → the classes that declare it themselves (a subclass that only inherits a code means the same)."""
    codes: dict[str, list[type[AppError]]] = {}
    for cls in app_errors():
        if "code" in vars(cls):
            codes.setdefault(cls.code, []).append(cls)
    return codes


def test_every_exception_outside_the_domain_derives_from_app_error():
    # The domain's parse errors (inputs.JsonRefused, yamlmarks.YamlSyntaxError) know no HTTP: the app converts them.
    strays = [f"{cls.__module__}.{cls.__name__}" for cls in exception_classes()
              if not issubclass(cls, AppError) and not cls.__module__.startswith("app.domain.")]
    assert strays == []
    assert not [cls for cls in exception_classes() if cls.__module__.startswith("app.domain.") and
                issubclass(cls, AppError)], "the domain imports nothing of the app, its errors root included"


def test_the_errors_users_can_cause_are_all_there():
    names = {cls.__name__ for cls in app_errors()}
    assert names >= {"NotFound", "InvalidResponse", "SessionNotOpen", "DeadlinePassed", "AttemptClosed",
                     "ScheduleError", "MarkingError", "AccountError", "PracticeError", "AlreadyAnswered",
                     "NotAvailable", "DatabaseBusy", "Unfillable", "SourcesRejected", "PageRefused", "RoundRefused",
                     "ScoreRefused", "ContestRejected", "InvalidText", "InvalidJson", "TooLarge"}


@pytest.mark.parametrize("cls", app_errors(), ids=lambda cls: cls.__name__)
def test_each_has_a_status_and_a_stable_code(cls):
    assert isinstance(cls.status, int) and 400 <= cls.status <= 599
    assert CODE.fullmatch(cls.code), cls.code


def test_a_code_is_declared_once_and_has_one_status():
    for code, classes in declared_codes().items():
        assert len(classes) == 1, f"{code} is declared by {[cls.__name__ for cls in classes]}"
    statuses: dict[str, set[int]] = {}
    for cls in app_errors():
        statuses.setdefault(cls.code, set()).add(cls.status)
    assert {code: found for code, found in statuses.items() if len(found) > 1} == {}


def test_the_http_errors_of_pages_agree_with_the_classes():
    declared = declared_codes()
    for status, code in ERROR_CODES.items():
        assert code not in declared or declared[code][0].status == status, code


def test_every_documented_api_error_is_raised_by_one_class_with_its_status():
    documented = DOCUMENTED.findall((ROOT / "docs" / "api.md").read_text(encoding="utf-8"))
    assert len(documented) >= 10
    declared = declared_codes()
    for status, code in documented:
        assert code in declared, code
        assert declared[code][0].status == int(status), code


def test_an_error_carries_its_message_and_may_name_its_own_status_and_code():
    refused = AppError("请求有误。")
    assert (refused.message, refused.status, refused.code) == ("请求有误。", 400, "bad_request")
    assert str(refused) == "请求有误。"
    teapot = AppError("我是茶壶。", 418, "teapot")
    assert (teapot.status, teapot.code) == (418, "teapot")
    assert not teapot.keeps_changes and not teapot.retry_after

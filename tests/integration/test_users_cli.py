"""`flask users add`, `import` and `unlock`, run as an organiser runs them."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.exports import to_xlsx
from app.extensions import db
from app.models import AccountThrottle, AuditEvent, LoginFailure, User, utcnow
from app.users.service import check_password
from plugins.accounts import fail_logins

HEADER = "username,name,role,org\n"


@pytest.fixture
def orgs(make_org):
    make_org("g1", "第一联系片组", kind="liaison_group")
    make_org("c01", "市教育体育局机关党委", parent="g1")
    make_org("c02", "市档案馆党委", parent="g1")


def user(app, username: str) -> User | None:
    with app.app_context():
        found = db.session.scalar(select(User).filter_by(username=username))
        if found is not None:
            found.org_code = found.organisation and found.organisation.code
        return found


def count(app, model=User) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).filter_by(action=action)))


def write_csv(tmp_path, text: str, encoding: str = "utf-8", name: str = "accounts.csv"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding, newline="")
    return path


def password_table(output: str) -> dict[str, str]:
    lines = output.splitlines()
    start = lines.index("username,password") + 1
    return dict(line.split(",") for line in lines[start:] if not line.startswith("created "))


# ---- users add -----------------------------------------------------------------------------------

def test_add_creates_an_account_with_the_chosen_password(app, runner, orgs):
    result = runner.invoke(args=["users", "add", "zhang", "--name", "张三", "--role", "candidate",
                                 "--password", "chosen-pass-1", "--org", "c01"])
    assert result.exit_code == 0, result.output
    account = user(app, "zhang")
    assert (account.name, account.role, account.org_code) == ("张三", "candidate", "c01")
    assert check_password(account, "chosen-pass-1") and "chosen-pass-1" not in account.password_hash
    assert not account.must_change_password
    assert "chosen-pass-1" not in result.output
    [event] = events(app, "user.created")
    assert (event.subject, event.channel, event.details["org"]) == ("zhang", "cli", "c01")


def test_add_without_a_password_prints_a_generated_one_to_change_at_first_login(app, runner):
    result = runner.invoke(args=["users", "add", "li", "--name", "李四", "--role", "judge"])
    assert result.exit_code == 0, result.output
    password = result.output.split("initial password (shown only this once): ")[1].strip()
    account = user(app, "li")
    assert check_password(account, password) and account.must_change_password


def test_add_updates_an_existing_account_and_keeps_what_was_not_given(app, runner, orgs, make_user):
    make_user("zhang", name="张三", org="c01", must_change_password=True)
    result = runner.invoke(args=["users", "add", "zhang", "--name", "张三丰", "--role", "judge"])
    assert result.exit_code == 0 and "updated zhang" in result.output
    account = user(app, "zhang")
    assert (account.name, account.role, account.org_code) == ("张三丰", "judge", "c01")
    assert check_password(account, "secret-pass-1") and account.must_change_password
    [event] = events(app, "user.updated")
    assert event.details == {"name": ["张三", "张三丰"], "role": ["candidate", "judge"]}


def test_add_with_a_password_resets_it_and_clears_the_change_demand(app, runner, orgs, make_user):
    make_user("zhang", name="张三", org="c01", must_change_password=True)
    result = runner.invoke(args=["users", "add", "zhang", "--name", "张三", "--role", "candidate",
                                 "--password", "reset-pass-9", "--org", "c02"])
    assert result.exit_code == 0
    account = user(app, "zhang")
    assert check_password(account, "reset-pass-9") and not account.must_change_password
    assert account.org_code == "c02"


def test_add_with_a_password_signs_out_the_accounts_sessions(app, runner, make_user):
    before = make_user("zhang", name="张三").session_version
    assert runner.invoke(args=["users", "add", "zhang", "--name", "张三", "--role", "candidate",
                               "--password", "reset-pass-9"]).exit_code == 0
    assert user(app, "zhang").session_version == before + 1


def test_add_with_an_empty_org_removes_the_organisation(app, runner, orgs, make_user):
    make_user("zhang", org="c01")
    assert runner.invoke(args=["users", "add", "zhang", "--name", "zhang", "--role", "candidate",
                               "--org", ""]).exit_code == 0
    assert user(app, "zhang").org_code is None


def test_add_changing_nothing_says_so_and_audits_nothing(app, runner, make_user):
    make_user("zhang", name="张三")
    result = runner.invoke(args=["users", "add", "zhang", "--name", "张三", "--role", "candidate"])
    assert result.exit_code == 0 and "unchanged zhang" in result.output
    assert events(app, "user.updated") == []


@pytest.mark.parametrize("args, message", [
    (["--role", "candidate", "--org", "c99"], "没有组织编码 c99"),
    (["--role", "boss"], "角色 boss 不认识"),
    (["--role", "candidate", "--password", "short-pass1"], "密码至少 12 个字符"),
    (["--role", "candidate", "--password", "password1234"], "这是常见密码"),
    (["--role", "candidate", "--password", "zhang-is-here-1"], "密码不能包含用户名或姓名"),
    (["--role", "candidate", "--password", "张三的密码很长很长很长很长"], "密码不能包含用户名或姓名"),
])
def test_add_refuses_bad_input_and_writes_nothing(app, runner, orgs, args, message):
    result = runner.invoke(args=["users", "add", "zhang", "--name", "张三", *args])
    assert result.exit_code == 1 and message in result.output
    assert count(app) == 0 and count(app, AuditEvent) == 0


def test_add_refuses_a_bad_username(app, runner):
    result = runner.invoke(args=["users", "add", "zhang san", "--name", "张三", "--role", "candidate"])
    assert result.exit_code == 1 and "只能用 1–64 个字母" in result.output
    assert count(app) == 0


# ---- users import: good files --------------------------------------------------------------------

GOOD = HEADER + "zhang,张三,candidate,c01\nli,李四,candidate,c02\nwang,王五,judge,\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_import_creates_accounts_with_initial_passwords_printed_once(app, runner, orgs, tmp_path, encoding):
    result = runner.invoke(args=["users", "import", str(write_csv(tmp_path, GOOD, encoding))])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "created 3, updated 0, unchanged 0"
    passwords = password_table(result.output)
    assert sorted(passwords) == ["li", "wang", "zhang"]
    for username, password in passwords.items():
        account = user(app, username)
        assert check_password(account, password) and account.must_change_password
        assert password not in account.password_hash
    assert (user(app, "zhang").name, user(app, "zhang").org_code) == ("张三", "c01")
    assert user(app, "wang").org_code is None and user(app, "wang").role == "judge"


def test_import_updates_existing_accounts_and_leaves_their_passwords(app, runner, orgs, make_user, tmp_path):
    make_user("zhang", name="张三", org="c01")
    make_user("li", name="李四四", org="c01")
    result = runner.invoke(args=["users", "import", str(write_csv(tmp_path, GOOD))])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "created 1, updated 1, unchanged 1"
    assert list(password_table(result.output)) == ["wang"]
    li = user(app, "li")
    assert (li.name, li.org_code) == ("李四", "c02")
    assert check_password(li, "secret-pass-1") and not li.must_change_password
    [event] = events(app, "users.imported")
    assert event.channel == "cli" and event.subject == "accounts.csv"
    assert event.details == {"created": ["wang"], "updated": ["li"], "unchanged": 1}


def test_import_of_only_known_accounts_prints_no_password_table(runner, orgs, make_user, tmp_path):
    make_user("zhang", name="张三", org="c01")
    result = runner.invoke(args=["users", "import", str(write_csv(tmp_path, HEADER + "zhang,张三,candidate,c01\n"))])
    assert result.exit_code == 0
    assert result.output.strip() == "created 0, updated 0, unchanged 1"


def test_import_accepts_excel_habits(app, runner, orgs, tmp_path):
    text = "username, name ,role,org\r\n zhang ,张三,candidate,c01,,\r\n,,,\r\n\r\nli,\"李四\",candidate,c02\r\n"
    result = runner.invoke(args=["users", "import", str(write_csv(tmp_path, text, "utf-8-sig"))])
    assert result.exit_code == 0, result.output
    assert user(app, "zhang").name == "张三" and user(app, "li").name == "李四"


# ---- users import: bad files ---------------------------------------------------------------------

@pytest.mark.parametrize("text, line, message", [
    ("username,name,role\nzhang,张三,candidate\n", 1, "缺少“组织”列"),
    ("username,name,role,org,email\nzhang,张三,candidate,c01,z@x.cn\n", 1, "不认识的列“email”"),
    ("user,name,role,org\nzhang,张三,candidate,c01\n", 1, "不认识的列“user”"),
    ("username,name,role,org,组织\nzhang,张三,candidate,c01,c01\n", 1, "“组织”列出现了不止一次"),
    ("", 1, "文件是空的"),
    (HEADER + "zhang,张三,candidate,c01\nli,李四,candidate,c01\nzhang,张三三,candidate,c02\n", 4,
     "账号 zhang 重复（第一次出现在第 2 行）"),
    (HEADER + "zhang,张三,candidate,c01\nli,李四,candidate,c99\n", 3, "没有组织“c99”"),
    (HEADER + "zhang,张三,candidate,c01\nli,李四,secretary,c01\n", 3, "角色 secretary 不认识"),
    (HEADER + "zhang,张三,candidate,c01\n,李四,candidate,c01\n", 3, "账号为空"),
    (HEADER + "zhang,,candidate,c01\n", 2, "姓名为空"),
    (HEADER + "zhang,张三,candidate,c01\n\n张四,张四,candidate,c01\n", 4, "只能用 1–64 个字母"),
    (HEADER + "zhang san,张三,candidate,c01\n", 2, "只能用 1–64 个字母"),
    (HEADER + "z" * 65 + ",张三,candidate,c01\n", 2, "只能用 1–64 个字母"),
    (HEADER + "zhang,张三,candidate\n", 2, "应有 4 列，实有 3 列"),
    (HEADER + "zhang,张三,candidate,c01,extra\n", 2, "应有 4 列，实有 5 列"),
])
def test_import_refuses_a_bad_file_naming_the_line_and_writes_nothing(app, runner, orgs, make_user, tmp_path,
                                                                      text, line, message):
    make_user("li", name="李四", org="c02")
    path = write_csv(tmp_path, text)
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1
    assert any(problem.startswith(f"{path}:{line}: ") and message in problem
               for problem in result.stderr.splitlines()), result.stderr
    assert count(app) == 1 and user(app, "li").org_code == "c02"
    assert count(app, AuditEvent) == 0


def test_import_lists_every_problem_in_line_order(runner, orgs, tmp_path):
    path = write_csv(tmp_path, HEADER + "zhang,张三,boss,c99\nli,李四,candidate,c99\n,,candidate,\n")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1
    assert [line.split(": ")[0] for line in result.stderr.splitlines()] == [
        f"{path}:2", f"{path}:2", f"{path}:3", f"{path}:4", f"{path}:4"]


def test_import_reads_gbk_as_excel_saves_a_plain_csv_on_chinese_windows(app, runner, orgs, tmp_path):
    path = write_csv(tmp_path, "账号,姓名,角色,组织\nzhang,张三,考生,市教育体育局机关党委\n", encoding="gbk")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert (user(app, "zhang").name, user(app, "zhang").org_code) == ("张三", "c01")


def test_import_reads_an_excel_workbook(app, runner, orgs, tmp_path):
    path = tmp_path / "accounts.xlsx"
    rows = [["zhang", "张三", "评委", "c02"], [None, None, None, None], ["li", "李四", "考生", ""]]
    path.write_bytes(to_xlsx(["账号", "姓名", "角色", "组织"], rows))
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert (user(app, "zhang").role, user(app, "zhang").org_code, user(app, "li").role) == ("judge", "c02", "candidate")
    broken = runner.invoke(args=["users", "import", str(write_csv(tmp_path, "not a workbook", name="bad.xlsx"))])
    assert broken.exit_code == 1 and "bad.xlsx:1: 不是可读取的 Excel 工作簿" in broken.stderr


def test_import_of_a_missing_file_fails_cleanly(app, runner, tmp_path):
    result = runner.invoke(args=["users", "import", str(tmp_path / "nowhere.csv")])
    assert result.exit_code == 1 and "cannot read" in result.output


# ---- users unlock --------------------------------------------------------------------------------

def test_unlock_lifts_a_hold_and_forgets_every_addresses_failures_recorded(app, runner, make_user):
    make_user("zhang", name="张三")
    later = fail_logins(app, "zhang", 60, "10.0.0.1", utcnow() - timedelta(minutes=65))
    fail_logins(app, "zhang", 40, "10.0.0.2", later)
    with app.app_context():
        assert db.session.scalar(select(AccountThrottle.held_since)) is not None
    result = runner.invoke(args=["users", "unlock", "zhang"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("unlocked zhang: 100 failed login(s) in a row, from 2 address(es), forgotten; "
                                    "the hold since ")
    assert count(app, AccountThrottle) == count(app, LoginFailure) == 0
    [event] = events(app, "user.unlocked")
    assert (event.subject, event.channel, event.details["failures"]) == ("zhang", "cli", 100)
    assert sorted(event.details["addresses"]) == ["10.0.0.1", "10.0.0.2"] and event.details["held_since"]


def test_unlock_of_an_account_without_failures_changes_nothing(app, runner, make_user):
    make_user("zhang")
    result = runner.invoke(args=["users", "unlock", "zhang"])
    assert result.exit_code == 0 and result.output.strip() == "zhang: no failed logins to forget"
    assert events(app, "user.unlocked") == []


def test_unlock_of_an_unknown_account_fails(app, runner):
    fail_logins(app, "ghost", 5, "10.0.0.1", utcnow())
    result = runner.invoke(args=["users", "unlock", "ghost"])
    assert result.exit_code == 1 and "no account 'ghost'" in result.output
    assert count(app, LoginFailure) == 1 and count(app, AuditEvent) == 0

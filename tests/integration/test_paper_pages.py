"""Paper blueprints on the organisers' pages (issue 12 §1): each with its sections and total, whether today's banks
fill it, and a preview draw with its keys that is never stored."""
from sqlalchemy import func, select

from app.banks.service import check_sources, import_sources
from app.extensions import db
from app.models import Paper, Question, utcnow
from plugins.accounts import login
from plugins.banks import BANKS
from plugins.contests import text_of


def test_blueprints_say_what_they_hold_and_whether_the_banks_fill_them(app, organiser_client):
    with app.app_context():
        import_sources(check_sources([BANKS]))
        db.session.commit()
    page = text_of(organiser_client.get("/admin/papers").get_data(as_text=True))
    assert "复赛笔试（示例） semifinal-sample" in page and "60 分钟 · 满分 100 分 · 同场同题" in page
    assert "百日练兵模拟卷（示例）" in page and page.count("可以抽满") == 4

    preview = organiser_client.get("/admin/papers/semifinal-sample/preview?seed=7")
    html = text_of(preview.get_data(as_text=True))
    assert preview.status_code == 200 and "抽题号 7" in html and "答案：" in html
    assert html == text_of(organiser_client.get("/admin/papers/semifinal-sample/preview?seed=7").get_data(
        as_text=True)), "the same seed draws the same paper"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Paper)) == 0, "a preview is never stored"
    assert organiser_client.get("/admin/papers/nowhere/preview").status_code == 404


def test_a_blueprint_the_banks_cannot_fill_says_why(app, organiser_client):
    with app.app_context():
        import_sources(check_sources([BANKS]))
        for question in db.session.scalars(select(Question)):
            question.retired_at = utcnow()      # every question retired: nothing left to draw
        db.session.commit()
    page = text_of(organiser_client.get("/admin/papers").get_data(as_text=True))
    assert "现在的题库抽不满" in page and "可以抽满" not in page


def test_only_organisers_see_blueprints(app, client, make_user):
    make_user("cand1")
    login(client, "cand1")
    assert client.get("/admin/papers").status_code == 403

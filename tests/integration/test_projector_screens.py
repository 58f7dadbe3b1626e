"""The projector's screens as the server computes them, walked the way a browser without script walks them: each
screen's <noscript> refresh names the next. A 复赛 of 82 in five liaison groups and a 决赛 of 10 with awards."""
import html as entities
import re

from app.standings.board import LINES
from plugins.contests import cells, client_for, round_id

NEXT = re.compile(r'<noscript><meta http-equiv="refresh" content="\d+; url=([^"]+)"></noscript>')


def walk(client, url: str) -> list[str]:
    """Every screen's page, from the one `url` opens, following each page's refresh until it comes round again."""
    pages = []
    while True:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
        url = entities.unescape(NEXT.search(pages[-1]).group(1))
        if url.endswith("screen=1"):
            return pages


def usernames(page: str) -> list[str]:
    return re.findall(r'<tr[^>]*data-username="([^"]+)"', page)


def headings(page: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", page)


def lines(page: str) -> int:
    """What the screen's body holds, in lines: headings, tables' header rows, candidates' rows, who moved."""
    return len(headings(page)) + page.count("<thead>") + len(usernames(page)) + page.count('class="board-changes"')


def test_the_semifinal_of_82_pages_group_by_group_each_screen_within_its_lines(app, big_rounds, organiser_client):
    pages = walk(organiser_client, f"/standings/rounds/{round_id(app, 'semifinal')}/screen")
    assert [re.search(r"第 (\d+)/(\d+) 屏", page).groups() for page in pages] == [(str(n), "10") for n in range(1, 11)]
    shown = [username for page in pages for username in usernames(page)]
    assert sorted(shown) == sorted(u for u, _, _ in big_rounds.semifinalists), "each of the 82 exactly once"
    groups = [f"第{n}联系片组" for n in "一二三四五"]
    assert [headings(page) for page in pages] == [[name + more] for name in groups for more in ("", "（续）")]
    assert [len(usernames(page)) for page in pages] == [9, 9, 9, 8, 8, 8, 8, 8, 8, 7]
    assert all(lines(page) <= LINES for page in pages)
    ranks = [cells(page, u)[0][0] for page in pages[:2] for u in usernames(page)]
    assert ranks == [str(n) for n in range(1, 19)], "the continuation goes on with the group's ranks"


def test_the_final_has_its_table_then_the_awards_then_the_ten_best_lectures(app, big_rounds, organiser_client):
    table, awards, lectures = walk(organiser_client, f"/standings/rounds/{round_id(app, 'final')}/screen")
    finalists = sorted(u for u, _, _ in big_rounds.finalists)
    assert sorted(usernames(table)) == finalists and headings(table) == []
    assert headings(awards) == ["获奖名单"] and sorted(usernames(awards)) == finalists
    assert [cells(awards, u)[0][0] for u in usernames(awards)] == ["一等奖"] + ["二等奖"] * 3 + ["三等奖"] * 6
    assert usernames(awards) == usernames(table), "the awards follow the ranks"
    assert headings(lectures) == ["十佳党课"] and sorted(usernames(lectures)) == finalists
    scores = [float(cells(lectures, u)[-1][-1]) for u in usernames(lectures)]
    assert scores == sorted(scores, reverse=True)
    assert [cells(lectures, u)[-1][0] for u in usernames(lectures)] == [str(n) for n in range(1, 11)]


def test_who_moved_takes_a_line_of_every_screen(app, big_rounds, organiser_client, runner, tmp_path):
    sheet = tmp_path / "late.csv"
    sheet.write_text("username,score\np001,99\np002,99\n", encoding="utf-8")
    for args in (["contest", "scores", big_rounds.semifinal, "written", str(sheet)],
                 ["contest", "publish", big_rounds.semifinal]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    pages = walk(organiser_client, f"/standings/rounds/{round_id(app, 'semifinal')}/screen")
    assert all("本版名次变动：" in page for page in pages) and all(lines(page) <= LINES for page in pages)
    assert sorted(u for page in pages for u in usernames(page)) == sorted(u for u, _, _ in big_rounds.semifinalists)


def test_a_candidate_sees_the_published_screens_and_no_draft(app, big_rounds, runner, tmp_path, make_user):
    make_user("reader", role="candidate")
    sheet = tmp_path / "late.csv"
    sheet.write_text("username,score\np001,99\n", encoding="utf-8")
    assert runner.invoke(args=["contest", "scores", big_rounds.semifinal, "written", str(sheet)]).exit_code == 0
    reader = client_for(app, "reader")
    url = f"/standings/rounds/{round_id(app, 'semifinal')}/screen"
    for page in walk(reader, url) + walk(reader, url + "?draft=1"):
        assert "第 1 版 · 更新于" in page and "草稿" not in page

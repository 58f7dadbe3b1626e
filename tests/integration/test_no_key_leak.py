"""Issue 3 §4: nothing a candidate's browser can fetch during a running attempt carries a key or a hint of one."""
import json
import re

import pytest
import yaml

from plugins.accounts import csrf_from, login
from plugins.banks import VALID

# Words that would name a key, an explanation or a mark, as a JSON/JS object key or an HTML data attribute.
TELLING = r"answer\w*|correct\w*|explanation\w*|source\w*|reference\w*|rubric\w*|score\w*|solution\w*"
TELLING_KEY = re.compile(rf"""["']?\b({TELLING})["']?\s*:""", re.IGNORECASE)
TELLING_ATTRIBUTE = re.compile(rf"data-({TELLING}|key\w*)\b|dataset\.({TELLING})", re.IGNORECASE)


def secrets() -> list[str]:
    """Every text of the bank a candidate must not see before review: explanations, sources, keys, rubrics."""
    found = []
    for question in yaml.safe_load(VALID)["questions"]:
        found += [question["explanation"], question["source"]]
        if question["type"] == "blank":
            found += [variant for blank in question["answer"]
                      for variant in ([blank] if isinstance(blank, str) else blank)]
        if question["type"] == "short":
            found += [question["reference_answer"].rstrip("…")] + [point["point"] for point in question["rubric"]]
    return [text.rstrip("。") for text in found]


def test_the_secrets_list_is_not_empty():
    assert {"支部工作条例第五条", "党员义务", "纪律", "组织党员学习",
            "《中国共产党章程》第一章第七条"} <= set(secrets())


class Walk:
    """A candidate's browser during the exam, keeping every body it receives."""

    def __init__(self, client):
        self.client = client
        self.bodies: dict[str, str] = {}
        self.token = ""

    def get(self, path: str) -> str:
        response = self.client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        return self.keep(f"GET {path}", response)

    def call(self, method: str, path: str, body=None, status: int = 200) -> dict:
        response = self.client.open(path, method=method, data=None if body is None else json.dumps(body),
                                    headers={"X-CSRFToken": self.token, "Content-Type": "application/json"})
        assert response.status_code == status, (path, response.get_json())
        self.keep(f"{method} {path}", response)
        return response.get_json()

    def keep(self, label: str, response) -> str:
        text = response.get_data(as_text=True)
        while label in self.bodies:
            label += " again"
        self.bodies[label] = text
        return text

    def assets(self, html: str) -> None:
        for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
            self.get(path)


@pytest.fixture
def walked(client, exam) -> Walk:
    walk = Walk(client)
    login(client, "cand1")
    home = walk.get("/exam/")
    walk.token = csrf_from(home)
    asked = client.post(f"/exam/sessions/{exam}/start", data={"csrf_token": walk.token})
    walk.keep("POST start (the confirmation)", asked)
    walk.assets(asked.get_data(as_text=True))
    started = client.post(f"/exam/sessions/{exam}/start", data={"csrf_token": walk.token, "confirmed": "1"})
    exam_page = walk.get(started.headers["Location"])
    walk.assets(home)
    walk.assets(exam_page)
    attempt_id = int(re.search(r'data-attempt="(\d+)"', exam_page).group(1))
    attempt = walk.call("GET", f"/api/v1/attempts/{attempt_id}")
    walk.call("GET", "/api/v1/sessions")
    keys = {item["type"]: item["key"] for section in attempt["sections"] for item in section["items"]}
    walk.call("PUT", f"/api/v1/attempts/{attempt_id}/responses",
              {"responses": {keys["single"]: "A", keys["multiple"]: ["A", "B"], keys["judge"]: False,
                             keys["blank"]: ["责任", "规矩"], keys["short"]: "作答"}, "seq": 1})
    walk.call("PUT", f"/api/v1/attempts/{attempt_id}/responses", {"responses": {keys["judge"]: "对"}}, status=422)
    walk.call("POST", f"/api/v1/sessions/{exam}/attempts")
    walk.get("/exam/")
    walk.get(f"/exam/attempts/{attempt_id}/result")
    again = client.post(f"/exam/sessions/{exam}/start", data={"csrf_token": walk.token}, follow_redirects=True)
    walk.keep("POST start again", again)
    return walk


def test_walk_reaches_every_page_asset_and_api_response(walked):
    labels = set(walked.bodies)
    assert {"GET /exam/", "GET /api/v1/sessions", "POST start again"} <= labels
    assert any(label.startswith("POST /api/v1/sessions/") for label in labels)
    assert any(label.endswith(".js") for label in labels) and any(label.endswith(".css") for label in labels)
    assert len([label for label in labels if label.startswith("PUT ")]) == 2, "a save and a refused save"


def test_no_key_text_reaches_the_candidate(walked):
    for label, body in walked.bodies.items():
        for secret in secrets():
            assert secret not in body, f"{secret!r} in {label}"


def test_no_key_names_or_data_attributes_reach_the_candidate(walked):
    for label, body in walked.bodies.items():
        assert not TELLING_KEY.search(body), f"{TELLING_KEY.search(body).group(0)!r} in {label}"
        assert not TELLING_ATTRIBUTE.search(body), f"{TELLING_ATTRIBUTE.search(body).group(0)!r} in {label}"
        assert "<!--" not in body, f"an HTML comment in {label}"


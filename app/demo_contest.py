"""A demo contest shaped like the real one, so a first look shows full standings (issue 4 §4).

About 500 candidates in 初赛 across 70 committees in five liaison groups plus twelve directly-affiliated
branches, 82 in 复赛, 10 in 决赛. Everything is generated from a fixed seed and marked as demo: the contest's
demo flag, organisation codes and usernames starting with `demo-`, names ending in （演示）. Generated
candidates cannot log in (no password); the three demo candidate accounts take part and can.
"""
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.contests.loading import load_contest
from app.contests.rounds import close, close_plan, publish, publish_plan
from app.contests.scores import enter_score
from app.contests.speaking import drawn_order, set_order
from app.contests.standings import round_standings
from app.domain.contests import (
    CandidateSpec,
    ContestSpec,
    JudgeSpec,
    OrganisationSpec,
    RoundSpec,
)
from app.domain.standings import Award, Component, RoundRules, Special
from app.extensions import db
from app.models import Role, Round, User, utcnow

SLUG = "demo-dabiwu"
UNITS = [
    "教育体育局", "卫生健康委", "财政局", "人力资源社会保障局", "自然资源规划局", "住房城乡建设局", "交通运输局",
    "水利局", "农业农村局", "商务局", "文化旅游局", "退役军人事务局", "应急管理局", "审计局", "市场监管局", "统计局",
    "医保局", "城管执法局", "数据资源局", "生态环境局", "司法局", "民政局", "发展改革委", "经济和信息化局", "科技局",
    "公安局", "国资委", "信访局", "林业局", "粮食和物资储备局", "机关事务管理局", "供销社", "总工会", "团市委",
    "妇联", "科协", "文联", "残联", "工商联", "红十字会", "税务局", "气象局", "烟草专卖局", "邮政管理局", "电力公司",
    "人民银行", "金融监管分局", "海关", "消防救援支队", "公积金中心", "广播电视台", "日报社", "党校", "职业技术学院",
    "第一中学", "人民医院", "中医院", "疾控中心", "妇幼保健院", "图书馆", "博物馆", "档案馆", "地方志办", "投资集团",
    "城建集团", "交通投资集团", "水务集团", "文旅集团", "农业发展集团", "公共资源交易中心", "政务服务中心",
    "融媒体中心", "文化馆", "科技馆", "美术馆", "大剧院", "体育中心", "青少年宫", "社会福利院", "救助管理站", "植物园",
    "实验小学",
]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
            "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍"
         "红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁亮晨辰阳佳欣怡雪琳晶婷倩颖慧")
GROUPS, COMMITTEES_PER_GROUP, DIRECT_BRANCHES = 5, 14, 12
JUDGES = [f"demo-judge{n}" for n in range(1, 6)]
# The demo judge who can log in judges the final too and has not scored it yet: something to do on first login.
SCORING_JUDGE = "demo-judge"


def build_demo_contest(rng: random.Random, existing_candidates: dict[str, str], year: int) -> ContestSpec:
    """The contest of a year as a spec; `existing_candidates` (demo accounts that can log in, username → name) join
    the first committee under their own names, and no generated candidate shares a name with them or each other."""
    organisations = [
        OrganisationSpec(f"demo-g{g}", f"第{'一二三四五'[g - 1]}联系片组（演示）", "liaison_group", None, 0)
        for g in range(1, GROUPS + 1)]
    units = iter(UNITS)
    committees = []
    for g in range(1, GROUPS + 1):
        for c in range(1, COMMITTEES_PER_GROUP + 1):
            code = f"demo-c{g}{c:02d}"
            committees.append(code)
            name = f"市{next(units)}机关党委（演示）"
            organisations.append(OrganisationSpec(code, name, "committee", f"demo-g{g}", 0))
    directs = [f"demo-d{n:02d}" for n in range(1, DIRECT_BRANCHES + 1)]
    organisations += [OrganisationSpec(code, f"市{next(units)}党支部（演示）", "direct_branch",
                                       f"demo-g{n % GROUPS + 1}", 0) for n, code in enumerate(directs)]
    names = _names(rng, taken={name.removesuffix("（演示）") for name in existing_candidates.values()})
    candidates = [CandidateSpec(username, name, committees[0], 0) for username, name in existing_candidates.items()]
    for committee in committees:
        for _ in range(rng.randint(6, 8)):
            candidates.append(CandidateSpec(f"demo-{len(candidates) + 1:04d}", next(names), committee, 0))
    candidates += [CandidateSpec(f"demo-{len(candidates) + n + 1:04d}", next(names), code, 0)
                   for n, code in enumerate(directs)]
    title = f"{year}年度市直机关党支部书记党建业务能力大比武（演示）"
    return ContestSpec(SLUG, title, True, organisations, candidates, _rounds())


def _names(rng: random.Random, taken: set[str]):
    seen = set(taken)
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name not in seen:
            seen.add(name)
            yield name + "（演示）"


def _rounds() -> list[RoundSpec]:
    judges = tuple(JudgeSpec(username, (), 0) for username in JUDGES)
    half = (Component("written", Decimal("0.5")), Component("lecture", Decimal("0.5"), trim=1))
    return [
        RoundSpec("preliminary", "初赛", "committee",
                  RoundRules(half, ("written", "lecture"), advance_top=1, skip=("direct_branch",)), 0, judges),
        RoundSpec("semifinal", "复赛", "liaison_group", RoundRules(half, ("written", "lecture"), advance_top=2),
                  0, judges),
        RoundSpec("final", "决赛", "all", RoundRules(
            (Component("written", Decimal("0.4")), Component("lecture", Decimal("0.6"), trim=1)),
            ("lecture", "written"),
            awards=(Award("一等奖", 2), Award("二等奖", 3), Award("三等奖", 5)),
            specials=(Special("十佳党课", "lecture", 10),)), 0, (*judges, JudgeSpec(SCORING_JUDGE, (), 0))),
    ]


def create_demo_contest(seed: int = 2022) -> None:
    """Load the demo contest and play it: 初赛 and 复赛 scored, published and closed; 决赛's speaking order drawn, then
    scored and published, then a score corrected and published again, so it has a version 2 with what moved."""
    rng = random.Random(seed)
    _create_judges()
    existing = {u.username: u.name for u in db.session.scalars(
        select(User).where(User.role == Role.CANDIDATE, User.username.like("demo-candidate%"))
        .order_by(User.username))}
    year = utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).year
    spec = build_demo_contest(rng, existing, year)
    _create_candidates(spec, set(existing))
    load_contest(spec, "（演示数据）")
    db.session.flush()
    rounds = {r.slug: r for r in db.session.scalars(
        select(Round).join(Round.contest).where(Round.contest.has(slug=SLUG)))}
    judges = list(db.session.scalars(select(User).where(User.username.in_(JUDGES)).order_by(User.username)))
    for slug in ("preliminary", "semifinal", "final"):
        if slug == "final":
            set_order(rounds[slug], drawn_order(rounds[slug], rng), None, channel="cli", drawn=True)
        _score(rounds[slug], judges, rng)
        _publish(rounds[slug])
        if slug != "final":
            _close(rounds[slug])
    _late_correction(rounds["final"])
    _publish(rounds["final"])


def _create_judges() -> None:
    for username in JUDGES:
        if db.session.scalar(select(User).where(User.username == username)) is None:
            db.session.add(User(username=username, name=f"评委{username[-1]}（演示）", role=Role.JUDGE,
                                password_hash="!"))


def _create_candidates(spec: ContestSpec, existing: set[str]) -> None:
    """Generated candidates get no usable password: they exist to fill the standings."""
    for candidate in spec.candidates:
        if candidate.username not in existing:
            db.session.add(User(username=candidate.username, name=candidate.name, role=Role.CANDIDATE,
                                password_hash="!"))
    db.session.flush()


def _score(round_: Round, judges: list[User], rng: random.Random) -> None:
    """A written score and five judges' lecture scores for everyone ranked in the round."""
    standings = round_standings(round_).standings
    sitters = [row.entrant.user_id for group in standings.groups for row in group.ranked + group.incomplete]
    for user in db.session.scalars(select(User).where(User.id.in_(sitters)).order_by(User.username)):
        ability = rng.gauss(78, 7)
        enter_score(round_, user, "written", _clamp(ability + rng.gauss(0, 6)), judge=None, actor=None, channel="csv")
        for judge in judges:
            enter_score(round_, user, "lecture", _clamp(ability + rng.gauss(2, 4)), judge=judge, actor=None,
                        channel="web")


def _clamp(value: float) -> int:
    """A score in hundredths, kept inside 0–100."""
    return int(round(min(100.0, max(0.0, value)) * 100))


def _publish(round_: Round) -> None:
    publish(round_, publish_plan(round_), None, channel="cli")
    db.session.flush()


def _late_correction(round_: Round) -> None:
    """After the final's first version, the third-placed candidate's written paper is re-marked to full marks: the
    kind of late score that moves places, for the draft and the next version to show."""
    third = round_standings(round_).standings.groups[0].ranked[2]
    enter_score(round_, db.session.get(User, third.entrant.user_id), "written", 10000, judge=None, actor=None,
                channel="csv")


def _close(round_: Round) -> None:
    """Close a round; a tie across the line (rare with these scores) goes on together, as a play-off might decide."""
    standings = round_standings(round_).standings
    tied = {row.entrant.username for group in standings.groups for row in group.ranked if row.tied_at_cut}
    close(round_, close_plan(round_, tied), None, channel="cli")

"""The shipped sample banks: valid, clean, large enough, every type, each saying it is a sample."""
from collections import Counter

from app.domain.banks import NAMES_A_LETTER, TYPES, validate_documents
from app.domain.papers import Pool, draw, pool_from_banks, undrawable, validate_blueprint_texts
from app.domain.sources import read_sources
from plugins.banks import BANKS, sample_banks


def test_sample_banks_validate_without_errors_or_warnings():
    sources = read_sources([BANKS])
    banks, problems = validate_documents(sources.banks)
    assert sources.problems == [] and [str(p) for p in problems] == []
    assert {bank.category for bank in banks} == {"theory", "policy", "party_affairs"}
    for bank in banks:
        assert len(bank.questions) >= 30, bank.slug
        # Every bank asks the five classic types; calculations (党费, 党龄), orderings (发展党员的程序), matchings
        # (任期, 会议频次) and materials (发展党员, 支部工作) are the party-affairs bank's.
        assert set(Counter(q.type for q in bank.questions)) >= set(TYPES) - {
            "calculation", "ordering", "matching", "material"}, bank.slug
        assert all(q.source and q.explanation for q in bank.questions), bank.slug
        assert "示例" in bank.description or "示例" in bank.title, bank.slug
    assert {q.type for q in next(b for b in banks if b.category == "party_affairs").questions} == set(TYPES)


def test_sample_papers_total_a_hundred_and_fill_from_the_sample_banks():
    sources = read_sources([BANKS])
    banks, _ = validate_documents(sources.banks)
    blueprints, problems = validate_blueprint_texts(sources.papers, pool_from_banks(banks))
    assert problems == [] and len(blueprints) == len(sources.papers) == 4
    assert {blueprint.slug: blueprint.total_points for blueprint in blueprints} == {
        "preliminary-sample": 100, "semifinal-sample": 100, "final-sample": 100, "mock-objective": 100}
    # Every category of every bank is drawn by some paper: none of a bank's questions is left out by accident.
    assert undrawable(blueprints, pool_from_banks(banks)) == {}


def test_sample_banks_discriminate_and_quote_options_rather_than_letters():
    for bank in sample_banks():
        levels = Counter(q.difficulty for q in bank.questions)
        easy, hard = levels[1] + levels[2], levels[4] + levels[5]
        assert easy <= 0.35 * len(bank.questions) and hard >= 0.15 * len(bank.questions), (bank.slug, levels)
        named = [q.id for q in bank.questions if NAMES_A_LETTER.search(q.explanation or "")]
        assert named == [], bank.slug


def test_a_thousand_draws_of_each_sample_paper_fill_every_section_to_a_hundred():
    sources = read_sources([BANKS])
    banks, _ = validate_documents(sources.banks)
    pool = Pool(pool_from_banks(banks))
    blueprints, problems = validate_blueprint_texts(sources.papers, pool_from_banks(banks))
    assert problems == []
    for blueprint in blueprints:
        sizes = [sum(pick.count + len(pick.ids) for pick in section.picks) for section in blueprint.sections]
        for seed in range(1000):
            paper = draw(blueprint, pool, seed)
            assert paper.ok, (blueprint.slug, seed, [str(s) for s in paper.shortfalls])
            assert [len(section.questions) for section in paper.sections] == sizes, (blueprint.slug, seed)
            total = sum(section.points * len(section.questions) for section in paper.sections)
            assert total == 100, (blueprint.slug, seed)
            refs = [q.ref for section in paper.sections for q in section.questions]
            assert len(refs) == len(set(refs)), (blueprint.slug, seed)
            families = [q.family_key for section in paper.sections for q in section.questions if q.family_key]
            assert len(families) == len(set(families)), (blueprint.slug, seed)


def test_sample_banks_hold_a_hundred_and_fifty_items_each_and_forty_cases_or_calculations_together():
    # A secretary trains on applying the rules (vote counts, 党龄 dates, the 党费 base and rate, the period a sanction
    # bars promotion), not only on reciting them: a case is tagged 案例, a worked figure 计算 or typed calculation.
    banks = sample_banks()
    sizes = {bank.slug: len(bank.questions) for bank in banks}
    cases = {bank.slug: sum(q.type == "calculation" or bool({"案例", "计算"} & set(q.tags)) for q in bank.questions)
             for bank in banks}
    assert all(size >= 150 for size in sizes.values()), sizes
    assert sum(cases.values()) >= 40, cases

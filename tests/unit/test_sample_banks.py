"""The shipped sample banks: valid, clean, large enough, every type, each saying it is a sample."""
from collections import Counter

from app.domain.banks import TYPES, validate_documents
from app.domain.sources import read_sources
from plugins.banks import BANKS


def test_sample_banks_validate_without_errors_or_warnings():
    sources = read_sources([BANKS])
    banks, problems = validate_documents(sources.banks)
    assert sources.problems == [] and [str(p) for p in problems] == []
    assert {bank.category for bank in banks} == {"theory", "policy", "party_affairs"}
    for bank in banks:
        assert len(bank.questions) >= 30, bank.slug
        # Every bank asks the five classic types; calculations (党费, 党龄) and materials (发展党员, 支部工作) are the
        # party-affairs bank's.
        assert set(Counter(q.type for q in bank.questions)) >= set(TYPES) - {"calculation", "material"}, bank.slug
        assert all(q.source and q.explanation for q in bank.questions), bank.slug
        assert "示例" in bank.description or "示例" in bank.title, bank.slug
    assert {q.type for q in next(b for b in banks if b.category == "party_affairs").questions} == set(TYPES)

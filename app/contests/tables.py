"""Standings as flat rows, the one shape behind `standings show --csv`, the CSV and XLSX downloads."""
from app.contests.standings import RoundStandings
from app.domain.standings import Row



def outcome(row: Row, advancing: bool = True) -> str:
    """yes / no / tie (across the line, to settle) / incomplete, or empty in a round nobody advances from
    (the final); direct entries are labelled by the caller."""
    if not row.complete:
        return "incomplete"
    if not advancing:
        return ""
    if row.tied_at_cut:
        return "tie"
    return "yes" if row.advanced else "no"


def standings_rows(result: RoundStandings) -> tuple[list[str], list[list[str]]]:
    components = result.components
    header = ["group", "rank", "username", "name", *components, "total", "advanced"]
    rows = []
    advancing = result.round.rules.get("advance_top") is not None
    for group in result.standings.groups:
        for row in group.ranked + group.incomplete:
            rows.append(_cells(group.name, row, components, outcome(row, advancing)))
    for row in result.standings.direct:
        rows.append(_cells(row.entrant.group, row, components, "direct"))
    return header, rows


def _cells(group: str, row: Row, components: list[str], advanced: str) -> list[str]:
    values = [str(row.components[c].value) if row.components.get(c) else "" for c in components]
    return [group, str(row.rank or ""), row.entrant.username, row.entrant.name, *values,
            str(row.total) if row.total is not None else "", advanced]

"""Standings as flat rows, the one shape behind `standings show --csv`, the CSV and XLSX downloads."""
from app.contests.standings import RoundStandings
from app.domain.standings import Row, outcome


def standings_rows(result: RoundStandings) -> tuple[list[str], list[list[str]]]:
    components = result.components
    header = ["group", "rank", "username", "name", *components, "total", "advanced"]
    rows = [_cells(group.name, row, components, outcome(row, result.advancing))
            for group in result.standings.groups for row in group.ranked + group.incomplete]
    rows += [_cells(row.entrant.group, row, components, outcome(row)) for row in result.standings.direct]
    return header, rows


def _cells(group: str, row: Row, components: list[str], advanced: str) -> list[str]:
    values = [str(row.components[c].value) if row.components.get(c) else "" for c in components]
    return [group, str(row.rank or ""), row.entrant.username, row.entrant.name, *values,
            str(row.total) if row.total is not None else "", advanced]

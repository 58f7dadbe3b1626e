"""A contest file (YAML) and its candidates list (CSV) uploaded on the organisers' pages: read and loaded as
`flask contest load` does, shown as a dry run of what would change, and loaded only when the organiser confirms the
very preview they saw (the files come back with the preview's fingerprint; see app/admin/uploads.py)."""
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import PurePath

from app.contests.loading import ContestRejected, LoadSummary, load_contest
from app.database import begin_write, end_unit
from app.domain.contests import ContestSpec, parse_contest
from app.models import User


@dataclass
class ContestPreview:
    """What loading the files would do, or why they cannot be loaded."""

    files: list[tuple[str, bytes]]
    problems: list[str] = field(default_factory=list)
    spec: ContestSpec | None = None
    summary: LoadSummary | None = None

    @property
    def loadable(self) -> bool:
        return self.summary is not None

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for name, data in self.files:
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        if self.summary is not None:
            digest.update(json.dumps([self.summary.contest_created, self.summary.changes,
                                      [username for username, _ in self.summary.new_accounts]]).encode())
        return digest.hexdigest()


def preview_contest(files: list[tuple[str, bytes]], actor: User) -> ContestPreview:
    """A dry run: everything is read, checked and loaded, then rolled back."""
    result = _load(files, actor)
    end_unit(keep=False)
    return result


def confirm_contest(files: list[tuple[str, bytes]], actor: User, fingerprint: str) -> tuple[ContestPreview, bool]:
    """Load the files if that is still what the preview with this fingerprint showed; else roll back (False)."""
    result = _load(files, actor)
    if result.loadable and result.fingerprint() == fingerprint:
        return result, True
    end_unit(keep=False)
    return result, False


def _load(files: list[tuple[str, bytes]], actor: User) -> ContestPreview:
    result = ContestPreview(files)
    contests = [(name, data) for name, data in files if PurePath(name).suffix.lower() in (".yaml", ".yml")]
    if len(contests) != 1:
        result.problems.append("请上传一个比赛文件（.yaml），以及它的考生名单（.csv）。")
        return result
    name, data = contests[0]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.problems.append(f"{name} 不是 UTF-8 编码")
        return result
    spec, problems = parse_contest(text, name, _lists([f for f in files if f[0] != name]))
    result.problems += [str(problem) for problem in problems]
    if spec is None:
        return result
    begin_write()
    try:
        result.spec, result.summary = spec, load_contest(spec, name, actor=actor, channel="web")
    except ContestRejected as rejected:
        result.problems += rejected.problems
    return result


def _lists(files: list[tuple[str, bytes]]):
    """The contest file's `read_file`: the uploaded list it names, or the only one uploaded whatever its name."""
    by_name = {PurePath(name).name: data for name, data in files}

    def read_file(name: str) -> str:
        data = by_name.get(PurePath(name).name)
        if data is None and len(by_name) == 1:
            data = next(iter(by_name.values()))
        if data is None:
            raise FileNotFoundError(name)
        return data.decode("utf-8-sig")
    return read_file

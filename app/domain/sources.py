"""Finding bank and paper files: anything under a `papers/` folder is a paper blueprint (YAML), the rest are banks,
read by the reader for their suffix (YAML unless the caller brings readers for other formats)."""
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.banks import BankDocument, yaml_document
from app.domain.problems import Problem

Reader = Callable[[Path, str], BankDocument]     # (the file, the name its problems show) → the bank document


@dataclass
class SourceFiles:
    banks: list[BankDocument] = field(default_factory=list)
    papers: list[tuple[str, str]] = field(default_factory=list)    # (name, text)
    problems: list[Problem] = field(default_factory=list)


def read_yaml(file: Path, name: str) -> BankDocument:
    text, problem = read_text(file, name)
    return BankDocument(name, None, [problem]) if problem else yaml_document(text, name)


def read_text(file: Path, name: str) -> tuple[str, Problem | None]:
    try:
        return file.read_text(encoding="utf-8-sig"), None
    except UnicodeDecodeError:
        return "", Problem(name, 1, "文件不是 UTF-8 编码")


YAML_READERS: dict[str, Reader] = {".yaml": read_yaml, ".yml": read_yaml}


def read_sources(paths: list[Path], display=str, readers: Mapping[str, Reader] = YAML_READERS) -> SourceFiles:
    """Read every bank and paper file named or found under `paths`; `display` turns a path into the name shown."""
    sources = SourceFiles()
    for path in paths:
        found = _files(path, readers) if path.is_dir() else [path]
        if path.is_dir() and not found:
            kinds = "、".join(f"*{suffix}" for suffix in readers)
            sources.problems.append(Problem(display(path), 1, f"目录中没有题库或试卷文件（{kinds}）"))
        for file in found:
            _read(file, path, display, sources, readers)
    return sources


def _files(directory: Path, readers: Mapping[str, Reader]) -> list[Path]:
    def wanted(path: Path) -> bool:
        kinds = YAML_READERS if "papers" in path.relative_to(directory).parts[:-1] else readers
        return path.suffix.lower() in kinds and path.is_file() and not path.name.startswith("~$")  # Excel's lock
    return sorted(filter(wanted, directory.rglob("*")))


def _read(file: Path, root: Path, display, sources: SourceFiles, readers: Mapping[str, Reader]) -> None:
    name = display(file)
    if not file.is_file():
        sources.problems.append(Problem(name, 1, "文件不存在"))
        return
    parts = file.relative_to(root).parts if root.is_dir() else file.parts
    if "papers" in parts[:-1]:
        _read_paper(file, name, sources)
        return
    reader = readers.get(file.suffix.lower())
    if reader is None:
        known = "、".join(readers)
        sources.problems.append(Problem(name, 1, f"不认识的文件类型 {file.suffix or '（无后缀）'}，可导入：{known}"))
        return
    sources.banks.append(reader(file, name))


def _read_paper(file: Path, name: str, sources: SourceFiles) -> None:
    text, problem = read_text(file, name) if file.suffix.lower() in YAML_READERS else ("", Problem(
        name, 1, "试卷蓝图应是 YAML 文件（*.yaml）"))
    if problem:
        sources.problems.append(problem)
    else:
        sources.papers.append((name, text))

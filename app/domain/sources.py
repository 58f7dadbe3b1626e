"""Finding bank and paper files: anything under a `papers/` folder is a paper blueprint, the rest are banks."""
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.problems import Problem


@dataclass
class SourceFiles:
    banks: list[tuple[str, str]] = field(default_factory=list)    # (name, text)
    papers: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_sources(paths: list[Path], display=str) -> SourceFiles:
    """Read every YAML file named or found under `paths`; `display` turns a path into the name shown."""
    sources = SourceFiles()
    for path in paths:
        found = _yaml_files(path) if path.is_dir() else [path]
        if path.is_dir() and not found:
            sources.problems.append(Problem(display(path), 1, "目录中没有题库或试卷文件（*.yaml）"))
        for file in found:
            _read(file, path, display, sources)
    return sources


def _yaml_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _read(file: Path, root: Path, display, sources: SourceFiles) -> None:
    name = display(file)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        sources.problems.append(Problem(name, 1, "文件不存在"))
        return
    except UnicodeDecodeError:
        sources.problems.append(Problem(name, 1, "文件不是 UTF-8 编码"))
        return
    parts = file.relative_to(root).parts if root.is_dir() else file.parts
    (sources.papers if "papers" in parts[:-1] else sources.banks).append((name, text))

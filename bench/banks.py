"""Banks at the size of real ones (issue 13, targets 6 and 7): import, re-import, memory, pool load and drawing.

The samples under question_banks/ are copied with new ids (and a numbered stem, so no two stems repeat) into
BANK_FILES bank files of 10,000 and then 50,000 questions in all, with a 100-item blueprint drawing from every
file. Per size, on a fresh migrated database, each command in a process of its own (its peak RSS is its own):
`flask bank import` of the new files, the same import again with nothing changed, each beside `flask bank validate`
of the same files (what the parsed banks take) and `flask bank --help` (the start-up every command pays), then the
pool load and the draw of the 100-item paper (medians). Every figure with a target is printed with OK or MISS.

    python bench/banks.py --databases sqlite,postgresql --sizes 10000,50000    # alone
    python bench/banks.py draw BLUEPRINT_SLUG                                   # (internal) one DATABASE_URL
"""
import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BANK_FILES = 10
DRAWS = 9
PEAK_POLL_SECONDS = 0.01
BLUEPRINT = "bench-100"
CATEGORIES = ("theory", "policy", "party_affairs")
# Targets of issue 13, in seconds.
TARGETS = {"import": {10_000: 10.0}, "reimport": {10_000: 2.0}, "draw": {10_000: 0.020, 50_000: 0.100}}
# Memory that "does not grow beyond the parsed data": an import holds at most half as much again as the parsed banks
# (validate's peak RSS over the start-up's), not an ORM object per question.
MEMORY_BEYOND_PARSED = 0.5


def generate(directory: Path, total: int) -> None:
    """BANK_FILES bank files holding `total` copies of the sample questions, and papers/bench-100.yaml."""
    sys.path.insert(0, str(ROOT))
    from app.domain.banks import dump_bank, parse_bank

    samples = [parse_bank(path.read_text(encoding="utf-8"), path.name)[0]
               for path in sorted((ROOT / "question_banks").glob("*.yaml"))]
    questions = [question for bank in samples for question in bank.questions]
    per_file = -(-total // BANK_FILES)
    (directory / "papers").mkdir(parents=True, exist_ok=True)
    for number in range(BANK_FILES):
        first = number * per_file
        # Deep copies: a bank file written from shared objects would carry YAML anchors, which real files do not.
        copies = [replace(copy.deepcopy(questions[index % len(questions)]),
                          id=f"{questions[index % len(questions)].id}-{index // len(questions):04d}",
                          stem=f"{questions[index % len(questions)].stem}（第 {index // len(questions) + 1} 组）")
                  for index in range(first, min(first + per_file, total))]
        bank = replace(samples[0], slug=_slug(number), title=f"基准题库 {number + 1}", description="",
                       category=CATEGORIES[number % len(CATEGORIES)], practice=True, file=f"{_slug(number)}.yaml",
                       questions=copies)
        (directory / bank.file).write_text(dump_bank(bank), encoding="utf-8")
    (directory / "papers" / f"{BLUEPRINT}.yaml").write_text(_blueprint(), encoding="utf-8")


def _slug(number: int) -> str:
    return f"bench-{number + 1:02d}"


def _blueprint() -> str:
    """100 items from every file: by type, some by tag or difficulty, so the draw meets each filter."""
    rows = [("single", 4, ""), ("multiple", 2, ", tags: [党章, 二十大报告]"), ("judge", 2, ", difficulty: [1, 3]"),
            ("blank", 1, ""), ("short", 1, "")]
    lines = [f"paper: {BLUEPRINT}", "title: 基准试卷（100 题）", "duration: 90", "draw: per_attempt", "sections:"]
    for qtype, count, narrower in rows:
        lines += [f"  - title: {qtype}", f"    type: {qtype}", "    points: 1", "    pick:"]
        lines += [f"      - {{bank: {_slug(n)}, count: {count}{narrower}}}" for n in range(BANK_FILES)]
    return "\n".join(lines) + "\n"


def flask(args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MiB, stdout) of one `flask` command in its own process; exits if it
    fails (but for validate, which exits 1 on problems).

    The peak is the child's VmHWM, read every few milliseconds until it exits, not wait4's ru_maxrss: Linux starts a
    forked child's high-water mark at its parent's, so after the scaling phase had grown this process, every command
    under its size read as the same peak."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        began = time.monotonic()
        process = subprocess.Popen([str(BIN / "flask"), *args], cwd=ROOT, env=_cached(env), stdout=out, stderr=err)
        peak_kib, (status, usage) = 0, (None, None)
        while status is None:
            peak_kib = max(peak_kib, _high_water_kib(process.pid))
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)   # this child's own rusage
            if pid == 0:
                status = None
                time.sleep(PEAK_POLL_SECONDS)
        seconds = time.monotonic() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0 and args[:2] != ["bank", "validate"]:
            raise SystemExit(f"flask {' '.join(args)} failed:\n{err.read()[-2000:]}")
        return seconds, usage.ru_utime + usage.ru_stime, peak_kib / 1024, out.read()


def _high_water_kib(pid: int) -> int:
    """A live process's peak resident memory so far (VmHWM in /proc); 0 once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)


def _cached(env: dict[str, str]) -> dict[str, str]:
    """The environment with Python's bytecode cache allowed: an organiser's `flask` reuses its compiled modules (about
    a CPU second of start-up), a shell that forbids writing them would charge every command for compiling the app."""
    return {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}


def measure_draw() -> dict:
    """(In a process of its own, DATABASE_URL set) the pool load and the draw of the bench blueprint, medians."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from app import create_app
    from app.domain.papers import blueprint_from_spec, draw
    from app.extensions import db
    from app.models import PaperBlueprint
    from app.papers.service import load_pool

    with create_app("production").app_context():
        spec = blueprint_from_spec(db.session.scalar(select(PaperBlueprint.spec)
                                                     .where(PaperBlueprint.slug == BLUEPRINT)))
        loads = [_timed(load_pool) for _ in range(3)]
        pool = load_pool()
        draws = [_timed(lambda seed=seed: draw(spec, pool, seed)) for seed in range(DRAWS)]
        result = draw(spec, pool, 0)
        return {"pool": _median(loads, 0), "pool_cpu": _median(loads, 1),
                "draw": _median(draws, 0), "draw_cpu": _median(draws, 1),
                "items": sum(len(section.questions) for section in result.sections), "questions": len(pool),
                "ok": result.ok}


def _median(times: list[tuple[float, float]], which: int) -> float:
    return statistics.median(pair[which] for pair in times)


def _timed(call: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds of one call: on a busy machine the CPU time is what the call itself cost."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_size(directory: Path, total: int, env: dict[str, str]) -> list[tuple[str, float, float | None, str]]:
    """(figure, value, target or None, unit) for one size on one fresh database."""
    flask(["db", "upgrade"], env)
    startup, startup_cpu, baseline, _ = flask(["bank", "--help"], env)
    _, _, parsed_peak, _ = flask(["bank", "validate", str(directory)], env)
    imported, imported_cpu, import_peak, out = flask(["bank", "import", str(directory)], env)
    if f"added {total}," not in out:
        raise SystemExit(f"the import of {total} did not add them all: {out[-500:]}")
    again, again_cpu, again_peak, out = flask(["bank", "import", str(directory)], env)
    if f"unchanged {total}" not in out:
        raise SystemExit(f"the re-import of {total} changed something: {out[-500:]}")
    drawn = json.loads(subprocess.run([sys.executable, __file__, "draw"], cwd=ROOT, env=env, check=True,
                                      capture_output=True, text=True).stdout)
    if not drawn["ok"] or drawn["items"] != 100 or drawn["questions"] != total:
        raise SystemExit(f"the draw did not fill the 100-item paper: {drawn}")
    parsed = parsed_peak - baseline
    return [
        ("flask start-up (bank --help)", (startup, startup_cpu), None, "s"),
        ("import new", (imported, imported_cpu), TARGETS["import"].get(total), "s"),
        ("re-import unchanged", (again, again_cpu), TARGETS["reimport"].get(total), "s"),
        ("memory: the parsed banks (validate over start-up)", parsed, None, "MiB"),
        ("memory: import new, beyond validate", import_peak - parsed_peak, parsed * MEMORY_BEYOND_PARSED, "MiB"),
        ("memory: re-import unchanged, over start-up", again_peak - baseline, parsed * MEMORY_BEYOND_PARSED,
         "MiB"),
        ("pool load (median of 3)", (drawn["pool"], drawn["pool_cpu"]), None, "s"),
        (f"draw a 100-item paper (median of {DRAWS})", (drawn["draw"], drawn["draw_cpu"]),
         TARGETS["draw"].get(total), "s"),
    ]


def run(databases: list[str], contexts: dict, app_env: Callable[[str], dict[str, str]],
        sizes: tuple[int, ...] = (10_000, 50_000)) -> bool:
    """Print every figure per database and size; True when each one with a target meets it."""
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-banks-") as scratch:
        directories = {}
        for total in sizes:
            directories[total] = Path(scratch) / str(total)
            generate(directories[total], total)
        for key in databases:
            label, database = contexts[key.strip()]
            print(f"\n== banks at scale: {label} ==")
            for total in sizes:
                with database() as url:
                    for figure, value, target, unit in bench_size(directories[total], total, app_env(url)):
                        ok = _print(f"{total:,} questions: {figure}", value, target, unit) and ok
            sys.stdout.flush()
    return ok


def _print(figure: str, value: float | tuple[float, float], target: float | None, unit: str) -> bool:
    """One figure; a time as wall (CPU) seconds, judged on the wall time: on a machine that other work keeps busy the
    CPU time says what the command itself cost."""
    if unit == "MiB":
        shown, limit, held = f"{value:.1f} MiB", f"{target or 0:.0f} MiB", target is None or value <= target
    else:
        wall, cpu = value
        shown, limit, held = f"{_seconds(wall)} ({_seconds(cpu)} cpu)", _seconds(target or 0), \
            target is None or wall <= target
    verdict = "" if target is None else f"   target ≤ {limit:<8} {'OK' if held else 'MISS'}"
    print(f"  {figure:<66} {shown:>24}{verdict}")
    return held


def _seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", choices=["draw"], help=argparse.SUPPRESS)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="10000,50000")
    options = parser.parse_args()
    if options.what == "draw":
        print(json.dumps(measure_draw()))
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import DATABASES, app_env
    sizes = tuple(int(size) for size in options.sizes.split(","))
    sys.exit(0 if run(options.databases.split(","), DATABASES, app_env, sizes) else 1)


if __name__ == "__main__":
    main()

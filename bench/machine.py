"""Who used the machine's cores during each phase, from /proc (Linux): the load generator, gunicorn, the
database server's backends for the bench database, and everything else on the machine.

The load generator shares the cores with the server, and other work on the machine competes with both; the
figures say how much of each phase's latency is the app's and how much is a busy machine.
"""
import asyncio
import os
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
GROUPS = ("generator", "gunicorn", "database", "other", "steal")


def machine_cpu() -> tuple[float, float]:
    """CPU seconds since boot of all cores: (busy, steal included; steal, the time the hypervisor gave these cores to
    other machines: on a shared host, time the bench wanted and could not have)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait, steal = fields[3], fields[4], fields[7]
    return (sum(fields[:8]) - idle - iowait) / TICK, steal / TICK


def busy_now(seconds: float = 2.0) -> float:
    """How busy the machine is before the bench starts: % of one core over `seconds`."""
    before, _ = machine_cpu()
    time.sleep(seconds)
    return 100 * (machine_cpu()[0] - before) / seconds


def process_cpu(pid: int) -> float:
    """CPU seconds a live process has used (all its threads); 0 once it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def backends(database: str) -> list[int]:
    """PostgreSQL backend processes serving `database` (their title names it)."""
    if not database:
        return []
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if title.startswith(b"postgres:") and f" {database} ".encode() in title:
            found.append(int(entry.name))
    return found


class CpuMeter:
    """Samples CPU use every `interval` seconds and books it to the phase current at the time; "gunicorn" is every
    gunicorn master given and its workers."""

    def __init__(self, gunicorn_pids: list[int], database: str, phase: Callable[[], str], interval: float = 0.25):
        self.gunicorn_pids, self.database, self.phase, self.interval = gunicorn_pids, database, phase, interval
        self.used: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(GROUPS, 0.0))
        self.wall: dict[str, float] = defaultdict(float)
        self._seen: dict[int, float] = {}

    def _delta(self, pids: list[int]) -> float:
        total = 0.0
        for pid in pids:
            now = process_cpu(pid)
            total += max(0.0, now - self._seen.get(pid, 0.0))
            self._seen[pid] = now
        return total

    def _sample(self) -> dict[str, float]:
        busy, steal = machine_cpu()
        return {"machine": busy, "steal": steal, "generator": self._delta([os.getpid()]),
                "gunicorn": self._delta([p for pid in self.gunicorn_pids for p in (pid, *children(pid))]),
                "database": self._delta(backends(self.database))}

    async def run(self) -> None:
        """Until cancelled."""
        last, last_time = self._sample(), time.monotonic()
        while True:
            await asyncio.sleep(self.interval)
            sample, now = self._sample(), time.monotonic()
            phase = self.phase()
            used = self.used[phase]
            for group in ("generator", "gunicorn", "database"):
                used[group] += sample[group]
            steal = sample["steal"] - last["steal"]
            used["steal"] += steal
            used["other"] += max(0.0, sample["machine"] - last["machine"] - steal
                                 - sum(sample[g] for g in ("generator", "gunicorn", "database")))
            self.wall[phase] += now - last_time
            last, last_time = sample, now

    def percent(self, phase: str) -> str:
        """'generator/gunicorn/database/other/steal' as % of one core, over the phase's wall time."""
        wall = self.wall.get(phase)
        if not wall:
            return "-"
        return "/".join(f"{100 * self.used[phase][group] / wall:.0f}" for group in GROUPS)

"""What one database's run found, the checks it must pass, and the tables `make bench` prints."""
import math
import os
from collections import Counter
from dataclasses import dataclass, field

import scenarios
from load import Stats, percentile
from machine import CpuMeter
from scenarios import Phase, RampStep


@dataclass
class Report:
    database: str
    settings: str                                   # how gunicorn ran
    grace: float                                    # EXAM_SAVE_GRACE_SECONDS
    session: int = 0
    items: int = 0
    busy_before: float = 0.0                        # % of one core the machine used just before the run
    login_seconds: float = 0.0
    login: Stats | None = None
    login_spike: Stats | None = None
    burst_done: float = 0.0                         # monotonic time of the burst's end
    marked_within: float = math.nan                 # seconds after it until every paper was marked
    phases: list[Phase] = field(default_factory=list)
    late_starts: int = 0
    fill: Stats | None = None
    ramp: list[RampStep] = field(default_factory=list)
    saves_kept: int = 0
    checks: list[tuple[str, bool]] = field(default_factory=list)
    server_times: dict[str, list[float]] = field(default_factory=dict)
    server_log: Counter = field(default_factory=Counter)
    raised: list[str] = field(default_factory=list)
    cpu: CpuMeter | None = None

    def phase(self, key: str) -> Phase | None:
        return next((phase for phase in self.phases if phase.key == key), None)

    @property
    def ok(self) -> bool:
        burst = self.phase("burst")
        checked = bool(self.checks) and all(ok for _, ok in self.checks)
        return checked and burst is not None and burst.app.error_count == 0

    def check(self, outcome: dict, candidates: int) -> None:
        """Judge bench/data.py's counts: every attempt submitted exactly once, every acknowledged save kept."""
        events, (low, high) = outcome["events"], outcome["responses_per_attempt"]
        self.checks = [
            (f"attempts by status: {outcome['attempts']}", outcome["attempts"] == {"submitted": candidates}),
            (f"attempts by number of submit events: {outcome['submit_events_per_attempt']}",
             outcome["submit_events_per_attempt"] == {"1": candidates}),
            ((f"events: start {events.get('start', 0)}, submit {events.get('submit', 0)}, "
              f"close {events.get('close', 0)}"),
             events.get("start") == events.get("submit") == candidates and "close" not in events),
            (f"attempts finished but not marked: {outcome['unmarked']}", outcome["unmarked"] == 0),
            (f"save events {events.get('save', 0)} = saves the server acknowledged {self.saves_kept}",
             events.get("save", 0) == self.saves_kept),
            ((f"responses per attempt {low}..{high} (paper: {self.items}), fewest answered "
              f"{outcome['fewest_answered']}"), low == high == self.items == outcome["fewest_answered"]),
        ]

    def server(self, tag: str, share: float) -> float:
        times = self.server_times.get(tag)
        return percentile(times, share) if times else math.nan


def ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def ratio(a: float, b: float) -> str:
    return "-" if not b or math.isnan(a) or math.isnan(b) else f"{a / b:.2f}x"


CPU = "CPU % gen/app/db/other/steal"
HEADER = (f"{'phase':<15} {'load':<20} {'endpoint':<36} {'sent':>5} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8} {'ok/s':>6} {'late ms':>7} {'srv p50':>7} {'srv p99':>7}  {CPU}")


def _row(report: Report, name: str, shape: str, endpoint: str, stats: Stats, tag: str) -> str:
    return (f"{name:<15} {shape:<20} {endpoint:<36} {stats.requests:>5} {stats.error_count:>6} {ms(stats.p50):>8} "
            f"{ms(stats.p99):>8} {ms(stats.max):>8} {stats.throughput:>6.1f} {ms(stats.late):>7} "
            f"{ms(report.server(tag, 0.5)):>7} {ms(report.server(tag, 0.99)):>7}  {report.cpu.percent(tag)}")


def _ratios(phase: Phase) -> str:
    app, bare = phase.app, phase.bare
    return (f"{'':<15} {'':<20} {'ratio app / bare':<36} {'':>5} {'':>6} {ratio(app.p50, bare.p50):>8} "
            f"{ratio(app.p99, bare.p99):>8} {'':>8} {ratio(app.throughput, bare.throughput):>6}")


def print_report(report: Report, candidates: int) -> None:
    print(f"\n=== {report.database}: {report.settings}; {candidates} candidates; paper semifinal-sample "
          f"({report.items} items); bare endpoint GET {scenarios.BARE} ===")
    print(f"machine: {os.cpu_count()} cores shared by the load generator, gunicorn, the database and whatever else "
          f"runs; other work used {report.busy_before:.0f}% of one core just before this database began")
    print(f"login (not measured): {candidates} candidates, 16 at a time, in {report.login_seconds:.1f} s; "
          f"{report.login.requests} requests, errors: {report.login.errors_text()}"
          f"{' (each login retried)' if report.login.error_count else ''}")
    spike = report.login_spike
    print(f"login spike: {spike.requests} logins (GET + POST /login, argon2id) spread over "
          f"{scenarios.LOGIN_SPIKE_SPREAD:g} s: {spike.ok} ok, errors: {spike.errors_text()}, "
          f"POST p50 {ms(spike.p50)} ms, p95 {ms(spike.p95)} ms, {spike.throughput:.1f} logins/s (as offered); "
          f"closed loop of 16 (the login above, upgrading each hash): {candidates / report.login_seconds:.1f} logins/s")
    print(HEADER)
    for phase in report.phases:
        print(_row(report, phase.name, phase.shape, phase.endpoint, phase.app, f"{phase.key}/app"))
        print(_row(report, "", "", f"{phase.bare_endpoint} (bare)", phase.bare, f"{phase.key}/bare"))
        print(_ratios(phase))
        if phase.app.error_count:
            print(f"{'':<15} errors: {phase.app.errors_text()}")
    burst = report.phase("burst")
    print(burst_verdict(burst))
    for line in other_verdicts(report):
        print(line)
    print(f"deadline burst: every paper marked (checked in the database) within {report.marked_within:.1f} s of the "
          f"burst's last answer, the drill phase running meanwhile" if not math.isnan(report.marked_within) else
          "deadline burst: papers still unmarked a minute after the burst")
    print(f"deadline burst: {burst.app.slower_than(report.grace)} of {burst.app.requests} submits were answered more "
          f"than EXAM_SAVE_GRACE_SECONDS ({report.grace:g} s) after they were sent")
    if report.late_starts:
        print(f"{report.late_starts} candidates whose start failed in the spike were started afterwards, one by one")
    print(f"before the ramp every candidate saved all {report.items} answers in one PUT (8 at a time, not measured): "
          f"{report.fill.ok}/{report.fill.requests} ok, p50 {ms(report.fill.p50)} ms, errors: "
          f"{report.fill.errors_text()}")
    _print_ramp(report)
    print("database checks after all phases:")
    for text, ok in report.checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")
    print("gunicorn's error log: " + (", ".join(f"{what} ×{count}" for what, count in report.server_log.items())
                                      or "no request raised"))
    for line in report.raised:
        print(f"  {line}")


BURST_RATIO_TARGET = 1.0      # the burst's wall time against the same burst of GET /login (DESIGN §5)
BURST_P99_TARGET = 2000.0     # milliseconds


def burst_verdict(burst: Phase) -> str:
    """The figure that matters most, with its verdict at a glance."""
    wall = burst.app.wall / burst.bare.wall if burst.bare.wall else math.nan
    good = (burst.app.error_count == 0 and wall <= BURST_RATIO_TARGET and burst.app.p99 <= BURST_P99_TARGET)
    return (f"{'OK        ' if good else 'REGRESSION'} deadline burst: wall {burst.app.wall:.2f} s against "
            f"{burst.bare.wall:.2f} s for the same burst of {burst.bare_endpoint} = {wall:.2f}x (target <= "
            f"{BURST_RATIO_TARGET:.2f}x); submit p50 {burst.app.p50 / 1000:.2f} s, p99 {burst.app.p99 / 1000:.2f} s "
            f"(target <= {BURST_P99_TARGET / 1000:g} s); {burst.app.error_count} errors")


START_P95_TARGET = 1000.0     # milliseconds, the start spike (issue 13)
AUTOSAVE_RATIO_TARGET = 0.25  # saves/s over the static file's requests/s, closed loop


def other_verdicts(report: Report) -> list[str]:
    """The start spike's p95 and the autosave's ratio against their targets, one line each."""
    lines = []
    if (spike := report.phase("spike")) is not None:
        good = spike.app.error_count == 0 and spike.app.p95 <= START_P95_TARGET
        lines.append(f"{'OK  ' if good else 'MISS'} start spike: p95 {spike.app.p95 / 1000:.2f} s (target <= "
                     f"{START_P95_TARGET / 1000:g} s); {spike.app.error_count} errors")
    if (closed := report.phase("closed")) is not None:
        share = closed.app.throughput / closed.bare.throughput if closed.bare.throughput else math.nan
        lines.append(f"{'OK  ' if share >= AUTOSAVE_RATIO_TARGET else 'MISS'} autosave: {share:.2f}x the static "
                     f"file's requests/s (target >= {AUTOSAVE_RATIO_TARGET:.2f}x)")
    return lines


def _print_ramp(report: Report) -> None:
    print(f"autosave ramp: PUT /api/v1/attempts/<id>/responses, one answer a save, open loop, "
          f"{scenarios.RAMP_STEP_SECONDS:g} s a step, the candidates in turn")
    print(f"  {'offered/s':>9} {'sent':>5} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'ok/s':>6} "
          f"{'late ms':>7} {'srv p95':>7}  {CPU:<28}  p95 < {scenarios.AUTOSAVE_TARGET_MS:g} ms")
    for step in sorted(report.ramp, key=lambda s: s.rate):
        s, tag = step.stats, f"{step.key}/app"
        print(f"  {step.rate:>9} {s.requests:>5} {s.error_count:>6} {ms(s.p50):>8} {ms(s.p95):>8} {ms(s.p99):>8} "
              f"{s.throughput:>6.1f} {ms(s.late):>7} {ms(report.server(tag, 0.95)):>7}  "
              f"{report.cpu.percent(tag):<28}  {'held' if step.held else 'not held'}"
              f"{'  ' + s.errors_text() if s.error_count else ''}")
    held = [step.rate for step in report.ramp if step.held]
    closed = report.phase("closed")
    print(f"  highest offered rate held at p95 < {scenarios.AUTOSAVE_TARGET_MS:g} ms: {max(held, default=0)} saves/s; "
          f"closed loop ({closed.shape.split(': ')[1]}, {scenarios.CLOSED_LOOP_SECONDS:g} s): "
          f"{closed.app.throughput:.1f} saves/s against the bare endpoint's "
          f"{closed.bare.throughput:.1f} req/s = {ratio(closed.app.throughput, closed.bare.throughput)}")


LEGEND = """\
columns: sent = requests sent; errors = no answer, or HTTP >= 400; p50/p99/max = latency seen by the client, from
writing the request to the end of the answer; ok/s = successful answers per second, first send to last answer;
late = how far the load generator fell behind its own send schedule (0 in closed loops); srv p50/p99 = time
gunicorn's access log gives (request parsed to response written; excludes waiting for a free thread);
CPU % = % of one core over the run (200 = both cores): gen = this load generator, app = gunicorn and its workers,
db = the bench database's PostgreSQL backends, other = everything else on the machine, steal = time the hypervisor
gave these cores to other machines (a shared host's; the run should then be repeated)."""

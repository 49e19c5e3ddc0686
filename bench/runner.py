"""Timing and memory of a case beside its floor, the printed table, results.json and RESULTS.md.

Each case runs a warm-up pair (not counted) and then ``runs`` pairs of (ours, floor), back to back
and alternating which goes first, so that a burst of noise on this shared machine hits both sides
alike. Times are the median with the min–max; the ratio is the median of the pairs' ratios. Peak memory of an in-process side is the rise of the process's peak resident set
size (``VmHWM``, reset through ``/proc/self/clear_refs`` before each run) over its resident size
just before the run; a side run in a fresh subprocess reports that process's own peak RSS.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent


@dataclass
class Sample:
    """What a run measured itself (in a subprocess), instead of the runner's stopwatch.

    A run may hold several measurements (each keystroke of a word typed into a search box), and
    the floor's beside them when the subprocess measured both.
    """

    seconds: list[float]
    peak_mb: float | None = None
    floor_seconds: list[float] = field(default_factory=list)
    floor_peak_mb: float | None = None
    output: str = ""  # what the run printed, for the case's check (a whole command's output)


@dataclass
class Case:
    name: str
    ours: Callable[[], Any]
    floor: Callable[[], Any] | None
    target_ratio: float | None = None  # ours / floor
    target_seconds: float | None = None  # absolute limit on ours
    target_mb: float | None = None  # absolute limit on ours' peak memory
    runs: int = 5
    warmup: bool = True
    # Raises AssertionError when ours and the floor did not produce the same figures.
    check: Callable[[Any, Any], None] | None = None
    note: str = ""
    memory_only: bool = False  # the case is about memory: its seconds are left out
    judge_slowest: bool = False  # an absolute time limit applies to every measurement, not the median
    after: Callable[[], None] | None = None  # clean-up after the last run
    before: Callable[[str], None] | None = None  # untimed set-up before each run of "ours" or "floor"


@dataclass
class Unavailable:
    name: str
    reason: str
    target: str


@dataclass
class Result:
    case: str
    seconds: float | None
    floor_seconds: float | None
    ratio: float | None
    target_ratio: float | None
    peak_mb: float | None
    floor_peak_mb: float | None = None
    seconds_min: float | None = None
    seconds_max: float | None = None
    floor_seconds_min: float | None = None
    floor_seconds_max: float | None = None
    target_seconds: float | None = None
    target_mb: float | None = None
    target: str = ""
    runs: int = 0
    status: str = "ok"  # ok | not available | error
    passed: bool | None = None
    note: str = ""


# ---- memory ---------------------------------------------------------------------------------

def _status_mb(key: str) -> float | None:
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    m = re.search(rf"^{key}:\s+(\d+) kB", text, re.M)
    return int(m.group(1)) / 1024 if m else None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


PEAK_RESETTABLE = _reset_peak()
MEMORY_METHOD = ("peak RSS (VmHWM) rise over the RSS just before the run (after gc and malloc_trim), "
                 "the peak reset through /proc/self/clear_refs"
                 if PEAK_RESETTABLE else "not measured in-process (no /proc/self/clear_refs)")


def _trim() -> None:
    """Hand memory freed by earlier runs back to the system, so that the next run's peak is its own."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the figure may then include memory freed earlier
        pass


def _measure(fn: Callable[[], Any]) -> tuple[list[float], float | None, Any, list[float], float | None]:
    """Run ``fn`` once: its times, its peak memory, its value, and the floor's times and memory if it gave them."""
    gc.collect()
    _trim()
    reset = _reset_peak()
    before = _status_mb("VmRSS")
    start = time.perf_counter()
    value = fn()
    seconds = (time.perf_counter() - start) / getattr(fn, "calls", 1)
    peak = _status_mb("VmHWM") if reset else None
    if isinstance(value, Sample):
        return value.seconds, value.peak_mb, value, value.floor_seconds, value.floor_peak_mb
    rise = max(0.0, peak - before) if peak is not None and before is not None else None
    return [seconds], rise, value, [], None


# ---- running --------------------------------------------------------------------------------

def run_case(case: Case, *, runs: int | None = None, log: Callable[[str], None] = print) -> Result:
    n = max(1, runs if runs is not None else case.runs)
    ours_s: list[float] = []
    floor_s: list[float] = []
    ours_mb: list[float] = []
    floor_mb: list[float] = []
    try:
        def prepare(fn: Callable[[], Any]) -> None:
            if case.before is not None:
                case.before("ours" if fn is case.ours else "floor")

        if case.warmup:
            prepare(case.ours)
            mine = _measure(case.ours)[2]
            if case.floor is not None:
                prepare(case.floor)
                raw = _measure(case.floor)[2]
                if case.check is not None:
                    case.check(mine, raw)
        for i in range(n):
            sides: list[tuple[Callable[[], Any], list[float], list[float]]] = [(case.ours, ours_s, ours_mb)]
            if case.floor is not None:
                sides.append((case.floor, floor_s, floor_mb))
            if i % 2:
                sides.reverse()  # alternate which side goes first
            values = {}
            for fn, secs, mbs in sides:
                prepare(fn)
                seconds, mb, value, their_floor_s, their_floor_mb = _measure(fn)
                values[fn] = value
                secs.extend(seconds)
                if mb is not None:
                    mbs.append(mb)
                # A subprocess that measured the floor beside its own work reports both.
                floor_s.extend(their_floor_s)
                if their_floor_mb is not None:
                    floor_mb.append(their_floor_mb)
            if not case.warmup and i == 0 and case.check is not None and case.floor is not None:
                case.check(values[case.ours], values[case.floor])
    except Exception as exc:  # noqa: BLE001 - a broken case is reported, and the others still run
        import traceback

        log(traceback.format_exc())
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return Result(case.name, None, None, None, case.target_ratio, None, status="error",
                      target=target_text(case.target_ratio, case.target_seconds, case.target_mb),
                      note=f"{type(exc).__name__}: {first_line}")
    finally:
        if case.after is not None:
            case.after()
    res = Result(
        case=case.name,
        seconds=None if case.memory_only else _median(ours_s),
        floor_seconds=None if case.memory_only else _median(floor_s),
        ratio=None, target_ratio=case.target_ratio,
        peak_mb=_round(max(ours_mb)) if ours_mb else None,
        floor_peak_mb=_round(max(floor_mb)) if floor_mb else None,
        seconds_min=None if case.memory_only else _round(min(ours_s, default=None)),
        seconds_max=None if case.memory_only else _round(max(ours_s, default=None)),
        floor_seconds_min=None if case.memory_only else _round(min(floor_s, default=None)),
        floor_seconds_max=None if case.memory_only else _round(max(floor_s, default=None)),
        target_seconds=case.target_seconds, target_mb=case.target_mb,
        target=target_text(case.target_ratio, case.target_seconds, case.target_mb), runs=n, note=case.note,
    )
    if res.seconds is not None and res.floor_seconds and len(ours_s) == len(floor_s):
        # The median of the ratios of runs made back to back: a burst of load on this shared machine
        # slows both sides of a pair, so it moves a pair's ratio less than either median.
        pairs = [a / b for a, b in zip(ours_s, floor_s, strict=True) if b > 0]
        res.ratio = round(statistics.median(pairs), 2) if pairs else None
    if case.memory_only and res.peak_mb is not None and res.floor_peak_mb:
        res.ratio = round(res.peak_mb / res.floor_peak_mb, 2)
    verdicts = []
    if case.target_ratio is not None and res.ratio is not None:
        verdicts.append(res.ratio <= case.target_ratio)
    if case.target_seconds is not None and res.seconds is not None:
        judged = res.seconds_max if case.judge_slowest and res.seconds_max is not None else res.seconds
        verdicts.append(judged <= case.target_seconds)
    if case.target_mb is not None and res.peak_mb is not None:
        verdicts.append(res.peak_mb <= case.target_mb)
    res.passed = all(verdicts) if verdicts else None
    return res


def unavailable(item: Unavailable) -> Result:
    return Result(item.name, None, None, None, None, None, status="not available", target=item.target,
                  note=item.reason)


def _median(values: list[float]) -> float | None:
    return _round(statistics.median(values)) if values else None


def _round(value: float | None) -> float | None:
    if value is None:
        return None
    return float(f"{value:.4g}")


def target_text(ratio: float | None, seconds: float | None, mb: float | None) -> str:
    parts = []
    if ratio is not None:
        parts.append(f"≤ {ratio:g}×")
    if seconds is not None:
        parts.append(f"≤ {seconds * 1000:g} ms" if seconds < 1 else f"≤ {seconds:g} s")
    if mb is not None:
        parts.append(f"≤ {mb:g} MB")
    return ", ".join(parts)


# ---- output ---------------------------------------------------------------------------------

def _fmt_seconds(value: float | None, low: float | None = None, high: float | None = None) -> str:
    if value is None:
        return "–"

    def one(v: float) -> str:
        return f"{v * 1000:.1f} ms" if v < 1 else f"{v:.2f} s"

    text = one(value)
    if low is not None and high is not None and (low, high) != (value, value):
        text += f" ({one(low)}–{one(high)})"
    return text


def _verdict(res: Result) -> str:
    if res.status != "ok":
        return res.status
    return {True: "met", False: "MISSED", None: "–"}[res.passed]


def table_rows(results: list[Result]) -> list[list[str]]:
    rows = [["case", "ours", "floor", "ratio", "target", "peak MB (floor)", "result"]]
    for r in results:
        peak = "–" if r.peak_mb is None else f"{r.peak_mb:.1f}"
        if r.floor_peak_mb is not None:
            peak += f" ({r.floor_peak_mb:.1f})"
        rows.append([
            r.case, _fmt_seconds(r.seconds, r.seconds_min, r.seconds_max),
            _fmt_seconds(r.floor_seconds, r.floor_seconds_min, r.floor_seconds_max),
            "–" if r.ratio is None else f"{r.ratio:.2f}×", r.target or "–", peak, _verdict(r),
        ])
    return rows


def format_table(results: list[Result]) -> str:
    rows = table_rows(results)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in results:
        if r.status != "ok" and r.note:
            lines.append(f"{r.case}: {r.status}: {r.note}")
    return "\n".join(lines)


def markdown_table(results: list[Result]) -> str:
    rows = table_rows(results)
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows[1:]]
    return "\n".join(out)


def write_json(results: list[Result], path: Path) -> None:
    path.write_text(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@dataclass
class RunInfo:
    scale: str
    seed: int
    started: str
    seconds: float = 0.0
    databases: dict[str, dict[str, Any]] = field(default_factory=dict)


def machine() -> dict[str, str]:
    import sqlite3

    info = {"nproc": str(os.cpu_count())}
    try:
        meminfo = Path("/proc/meminfo").read_text()
        total = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))  # type: ignore[union-attr]
        info["memory"] = f"{total / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        info["memory"] = "unknown"
    try:
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        info["cpu"] = cpu.group(1).strip() if cpu else platform.processor() or "unknown"
    except OSError:
        info["cpu"] = platform.processor() or "unknown"
    info["os"] = platform.platform()
    info["python"] = platform.python_version()
    info["sqlite"] = sqlite3.sqlite_version
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("SQLAlchemy", "PySide6", "openpyxl", "reportlab", "alembic"):
        try:
            info[dist] = version(dist)
        except PackageNotFoundError:
            info[dist] = "not installed"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BENCH_DIR, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        info["commit"] = commit or "unknown"
    except (OSError, subprocess.SubprocessError):
        info["commit"] = "unknown"
    return info


HEADER = """# Benchmark results

Made by `python -m bench` (`make bench` = `--scale full`, `make bench-quick` = `--scale school`); each
run rewrites its own section below and keeps the rest. Every figure is a ratio to the raw library doing
the same work in the same run, because this machine is shared and noisy: read the ratio column, not
the seconds. Times are the median of the runs with the min–max in brackets.
"""


def write_markdown(results: list[Result], info: RunInfo, path: Path, notes: list[str]) -> None:
    mach = machine()
    block = [
        f"<!-- bench:{info.scale} -->",
        f"## `--scale {info.scale}` run of {info.started}",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in mach.items() if k in ("nproc", "memory", "cpu"))
        + f"; {mach['os']}.",
        "Software: " + ", ".join(f"{k} {v}" for k, v in mach.items()
                                 if k in ("python", "sqlite", "SQLAlchemy", "PySide6", "openpyxl", "reportlab",
                                          "alembic")).replace("python", "Python", 1).replace("sqlite", "SQLite", 1)
        + f"; commit {mach['commit']}.",
        f"Seed {info.seed}; the whole run took {info.seconds:.0f} s.",
        "",
    ]
    if info.databases:
        block.append("Databases:")
        for name, meta in info.databases.items():
            block.append(f"- {name}: {meta}")
        block.append("")
    block += [markdown_table(results), ""]
    block.append(f"Peak MB: in-process cases, the {MEMORY_METHOD}; start-up and table cases, the peak RSS "
                 "of the fresh subprocess (VmHWM). The floor's figure is in brackets.")
    block.append("")
    for r in results:
        if r.note:
            block.append(f"- **{r.case}** ({_verdict(r)}): {r.note}")
    for note in notes:
        block.append(f"- {note}")
    block.append(f"<!-- /bench:{info.scale} -->")
    text = "\n".join(block)
    old = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(rf"<!-- bench:{re.escape(info.scale)} -->.*?<!-- /bench:{re.escape(info.scale)} -->", re.S)
    if pattern.search(old):
        new = pattern.sub(lambda _m: text, old)
    else:
        marker = "\n## Findings"
        if marker in old:
            head, tail = old.split(marker, 1)
            new = head.rstrip() + "\n\n" + text + "\n" + marker + tail
        else:
            new = old.rstrip() + "\n\n" + text + "\n"
    path.write_text(new, encoding="utf-8")


def python_for_subprocess() -> str:
    return sys.executable

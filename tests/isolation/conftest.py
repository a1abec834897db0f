"""The isolation matrix's own report: per item and per wall, the cells checked and how many a second.

A serial run prints it in the terminal summary. Under xdist the controller does not load this conftest (it
collects nothing), so each worker prints the items it ran to stderr, which xdist passes through, when it finishes.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import Any

RUNS: list[tuple[str, str, int, float]] = []  # (wall, group, cells, seconds) of the items this process ran


def pytest_runtest_logreport(report: Any) -> None:
    for key, value in getattr(report, "user_properties", []):
        if key == "isolation_matrix" and report.when == "call":
            wall, group, cells, seconds = str(value).split("|")
            RUNS.append((wall, group, int(cells), float(seconds)))


def report_lines(runs: list[tuple[str, str, int, float]], title: str) -> list[str]:
    lines = [f"{title}: per item, cells checked and cells a second"]
    walls: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for wall, group, cells, seconds in sorted(runs):
        walls[wall].append((cells, seconds))
        lines.append(f"  {wall:<26} {group:<38} {cells:>5} cells {seconds:6.1f} s {cells / seconds:5.0f} cells/s")
    for wall, done in walls.items():
        cells, seconds = sum(c for c, _ in done), sum(s for _, s in done)
        lines.append(f"  {wall}: {cells} cells in {len(done)} items, {seconds:.1f} s, {cells / seconds:.0f} cells/s")
    return lines


def pytest_terminal_summary(terminalreporter: Any, config: Any) -> None:
    distributed = hasattr(config, "workerinput") or config.pluginmanager.has_plugin("dsession")
    if RUNS and not distributed:
        terminalreporter.write_sep("-", "isolation matrix")
        for line in report_lines(RUNS, "isolation matrix"):
            terminalreporter.write_line(line)


def pytest_sessionfinish(session: Any) -> None:
    config = session.config
    if RUNS and hasattr(config, "workerinput"):
        capture = config.pluginmanager.getplugin("capturemanager")
        title = f"isolation matrix on {config.workerinput['workerid']}"
        with capture.global_and_fixture_disabled():
            sys.stderr.write("\n" + "\n".join(report_lines(RUNS, title)) + "\n")
            sys.stderr.flush()

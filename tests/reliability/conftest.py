"""The figures of `make reliability`, printed as one table at the end of the run."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    name: str
    goal: str
    value: str
    ok: bool


FIGURES: list[Figure] = []


def figure(name: str, goal: str, value: str, ok: bool) -> None:
    FIGURES.append(Figure(name, goal, value, bool(ok)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FIGURES:
        return
    width = max(len(f.name) for f in FIGURES)
    goal_width = max(len(f.goal) for f in FIGURES)
    terminalreporter.section("reliability: figure vs goal")
    terminalreporter.write_line(f"{'figure':<{width}}  {'goal':<{goal_width}}  latest")
    for f in FIGURES:
        mark = "ok" if f.ok else "MISSED"
        terminalreporter.write_line(
            f"{f.name:<{width}}  {f.goal:<{goal_width}}  {f.value}  [{mark}]"
        )

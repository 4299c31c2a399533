"""Recording change events in tests: what subscribers would have heard, per commit."""

from collections.abc import Iterator
from contextlib import contextmanager

from crm import events
from crm.events import ChangeEvent


class Recorder:
    def __init__(self) -> None:
        self.events: list[ChangeEvent] = []

    def __call__(self, event: ChangeEvent) -> None:
        self.events.append(event)

    def of(self, model: str) -> list[ChangeEvent]:
        return [e for e in self.events if e.model == model]

    def ids(self, model: str) -> set[int]:
        return {pk for e in self.of(model) for pk in e.ids}

    def clear(self) -> None:
        self.events.clear()


@contextmanager
def recording() -> Iterator[Recorder]:
    recorder = Recorder()
    events.subscribe(events.ANY_MODEL, recorder)
    try:
        yield recorder
    finally:
        events.unsubscribe(events.ANY_MODEL, recorder)

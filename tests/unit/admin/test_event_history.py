"""The event hub's history: the last N events kept side by side (types, namespaces, payloads),
numbered without a gap; a resume with ``since`` replays exactly the kept events after it, in
order with their own type, namespace and payload, and says what was lost before the oldest."""

from __future__ import annotations

from mockbdd.admin.events import SERVE, EventFilter, EventHub
from mockbdd.domain.engine import Engine
from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.requests import Body, RecordedRequest


def _hub_with_twelve_events() -> tuple[EventHub, dict[int, tuple[str, str, object]]]:
    hub = EventHub(history=5)
    engine = Engine()
    ns = engine.default
    published: dict[int, tuple[str, str, object]] = {}
    for round_ in range(4):
        hub.publish("namespace.created", f"ns{round_}", None)
        published[hub.seq] = ("namespace.created", f"ns{round_}", None)
        events = [
            ServeEvent(RecordedRequest("GET", f"/{round_}/{i}", "/", {}, {}, Body(b"")), 0.0)
            for i in range(2)
        ]
        hub.serve_many([(ns, e) for e in events])
        for offset, event in enumerate(events):
            published[hub.seq - 1 + offset] = (SERVE, "default", event)
    return hub, published


def test_a_resume_replays_the_kept_events_after_since() -> None:
    hub, published = _hub_with_twelve_events()
    assert hub.seq == 12
    for since in range(0, 15):
        listener = hub.listen(None, EventFilter(since=since), lambda: None)
        replayed = [(e.seq, e.type, e.namespace, e.payload) for e in listener.pending]
        wanted = [(seq, *published[seq]) for seq in range(max(8, since + 1), 13)]
        assert replayed == wanted, since
        hub.unlisten(listener)


def test_the_gap_names_what_was_lost_before_the_oldest_kept() -> None:
    hub, _ = _hub_with_twelve_events()
    assert hub.gap(0) == {"type": "gap", "after": 0, "resumedAt": 8, "lost": 7}
    assert hub.gap(6) == {"type": "gap", "after": 6, "resumedAt": 8, "lost": 1}
    assert hub.gap(7) is None  # the next one is the oldest kept
    assert hub.gap(12) is None
    assert EventHub(history=5).gap(0) is None  # nothing published: nothing lost

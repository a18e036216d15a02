"""Data-plane stages: where limits, validation, chaos, templates, metrics and event streams plug
into the serving of a request, registered under :data:`STAGES` (in registration order).

A request goes through three steps, and a stage takes part in any of them:

- ``admit`` (before matching): may answer instead of the stubs (a 429 from a limit, a 400 from
  validation) by returning a response; None lets the request on. It decides at once when it
  can (a plain function returning the answer or None: no coroutine is made, nothing is
  awaited) and returns an awaitable when it must wait (a queue); an ``async def`` works too.
  The first stage that answers wins; the request is journaled with that answer, unmatched,
  and the time spent awaiting is its ``queuedTime``. An :class:`Admission` says more: headers
  for this request's answer, the match the hook made (so the serve does not match again),
  and what to call when the exchange is over (a limit's slot given back).
- ``shape`` (after matching): gets the :class:`ServePlan` and returns it, or a changed one
  (``plan._replace(delay_ms=..., fault=..., response=...)``); each stage gets the previous
  stage's plan. An unmatched request's plan (``response`` None) comes through as well.
- ``observe`` (after completion): sees the completed event (its final answer and timings).
  Called on the loop soon after the answer has gone out: it never delays one. A stage may
  offer ``observe_many`` instead (or as well), which gets the events completed since the last
  loop turn in one call, in completion order (the server's own metrics and event streams: one
  call per loop turn under load, not one per request).

A stage may also say when it takes part: ``active(ns)`` is asked once per namespace revision
(``Namespace.revision`` moves on every change to its stubs or settings), so a built-in feature
that a namespace does not configure (no limits, no chaos) costs that namespace nothing. A stage
without ``active`` takes part everywhere.

With no stage taking part, the data plane takes its static fast path, untouched.
"""

from __future__ import annotations

import dataclasses
import logging
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import NamedTuple, Protocol

from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.plan import Selection, ServePlan
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.extensions import Kind
from mockbdd.records import record


class Admission(NamedTuple):  # a tuple: one per request at most, cheaper than a dataclass
    """An admit hook's decision with more to it than a response or None.

    - ``response``: the answer instead of the stubs' (None: the request goes on);
    - ``headers``: added to this request's answer, whoever gives it (a limit's ``RateLimit``);
    - ``selection``: the hook's dry run of the match (``Namespace.select``) made just now, which
      the serve commits instead of matching again (None: none made, or nothing matched). It
      is dropped if a later hook awaits: the state may move while it waits;
    - ``release``: called once when the exchange is over, however it ends (answered, failed,
      cancelled), e.g. to give back a concurrency slot; no observe callback is needed for it.
    """

    response: ResponseDefinition | None = None
    headers: tuple[tuple[str, str], ...] = ()
    selection: Selection | None = None
    release: Callable[[], None] | None = None


# an admit hook answers at once (a response or an Admission, or None to let the request on) or,
# when it must wait, with an awaitable of the same
AdmitDecision = ResponseDefinition | Admission | None
AdmitAnswer = AdmitDecision | Awaitable[AdmitDecision]
Admit = Callable[[Namespace, RecordedRequest], AdmitAnswer]
Shape = Callable[[Namespace, ServePlan], ServePlan]
Observe = Callable[[Namespace, ServeEvent], None]
Observed = tuple[Namespace, ServeEvent]
ObserveMany = Callable[[Sequence[Observed]], None]  # events in completion order
Active = Callable[[Namespace], bool]
log = logging.getLogger("mockbdd.server")


class Stage(Protocol):
    """A data-plane stage: each hook is optional (None: the stage skips that step). A stage may
    also have ``observe_many`` (:data:`ObserveMany`), used instead of ``observe``."""

    @property
    def admit(self) -> Admit | None: ...

    @property
    def shape(self) -> Shape | None: ...

    @property
    def observe(self) -> Observe | None: ...

    @property
    def active(self) -> Active | None:
        """Whether the stage takes part in serving ``ns`` (None: everywhere). Asked again only
        when ``ns.revision`` moves, so it may look at every stub; it must not depend on time."""
        ...


@record
class Hooks:
    """A stage made of plain functions: ``Hooks(admit=limit)``, ``Hooks(observe=count)``,
    ``Hooks(observe_many=count_all)``."""

    admit: Admit | None = None
    shape: Shape | None = None
    observe: Observe | None = None
    active: Active | None = None
    observe_many: ObserveMany | None = None


STAGES: Kind[Stage] = Kind("data-plane stage")
MAX_OBSERVE_TUPLES = 64


def observe_many(stage: Stage) -> ObserveMany | None:
    """The stage's observe hook for a batch of events: its own ``observe_many``, or its
    ``observe`` called per event (one that raises costs that event only, for that stage)."""
    many: ObserveMany | None = getattr(stage, "observe_many", None)
    if many is not None:
        return many
    observe = stage.observe
    if observe is None:
        return None

    def each(batch: Sequence[Observed]) -> None:
        for ns, event in batch:
            try:
                observe(ns, event)
            except Exception:  # a broken observer must not silence the others
                log.exception("mockbdd: data-plane stage %r failed observing an event", observe)

    return each


@record
class Pipeline:
    """The registered stages' hooks, step by step (only the hooks that exist)."""

    admit: tuple[tuple[str, Admit], ...] = ()  # with the stage's name, journaled as admittedBy
    shape: tuple[Shape, ...] = ()
    observe: tuple[ObserveMany, ...] = ()  # each gets the events of a loop turn at once

    @classmethod
    def of(
        cls,
        stages: tuple[tuple[str, Stage], ...],
        observers: dict[int, ObserveMany | None] | None = None,
    ) -> Pipeline:
        """``observers``: each stage's :func:`observe_many` by ``id(stage)``, made once."""
        if observers is None:
            observers = {id(s): observe_many(s) for _, s in stages}
        observe = (observers[id(s)] for _, s in stages)
        return cls(
            tuple((name, s.admit) for name, s in stages if s.admit is not None),
            tuple(s.shape for _, s in stages if s.shape is not None),
            tuple(o for o in observe if o is not None),
        )

    def __bool__(self) -> bool:
        return bool(self.admit or self.shape or self.observe)


class Stages:
    """The registered stages, and for each namespace the pipeline of those taking part in it.

    ``for_namespace`` is on the data plane's path: with no stage asking ``active`` it returns the
    one server-wide pipeline (or None) at once; otherwise a pipeline cached per namespace and
    revision, so the ``active`` checks run once per change, not once per request. Pipelines
    with the same observers share one ``observe`` tuple: the data plane hands a loop turn's
    events to them in one batch when consecutive events have the same tuple.
    """

    def __init__(self, stages: tuple[tuple[str, Stage], ...]) -> None:
        """``stages``: (name, stage) in order; the name is what an admit answer is journaled
        with (``admittedBy``): the registered name, or the server's own stage's."""
        self._always = tuple(p for p in stages if getattr(p[1], "active", None) is None)
        self._conditional = tuple(p for p in stages if getattr(p[1], "active", None) is not None)
        self._observers = {id(s): observe_many(s) for _, s in stages}
        self._observe_tuples: dict[tuple[ObserveMany, ...], tuple[ObserveMany, ...]] = {}
        self._fixed = self._pipeline(stages if not self._conditional else self._always)
        # id(ns) -> (a weak reference to ns, its revision, its pipeline): a dict lookup by int
        # and a dereference (a WeakKeyDictionary makes a new weak reference per lookup); the
        # entry goes when the namespace does, before its id can be reused
        self._cache: dict[int, tuple[weakref.ref[Namespace], int, Pipeline | None]] = {}

    @property
    def conditional(self) -> bool:
        return bool(self._conditional)

    def for_namespace(self, ns: Namespace) -> Pipeline | None:
        """The hooks that take part in serving ``ns`` now; None: the unstaged fast path."""
        if not self._conditional:
            return self._fixed
        key = id(ns)
        cached = self._cache.get(key)
        revision = ns.revision
        if cached is not None and cached[1] == revision and cached[0]() is ns:
            return cached[2]
        taking_part = self._always + tuple(
            (name, s) for name, s in self._conditional if s.active is not None and s.active(ns)
        )
        result = self._pipeline(taking_part)
        if cached is not None and cached[0]() is ns:
            ref = cached[0]
        else:
            cache = self._cache
            ref = weakref.ref(ns, lambda _, key=key: cache.pop(key, None))  # type: ignore[misc]
        self._cache[key] = (ref, revision, result)
        return result

    def _pipeline(self, stages: tuple[tuple[str, Stage], ...]) -> Pipeline | None:
        pipeline = Pipeline.of(stages, self._observers)
        if not pipeline:
            return None
        shared = self._observe_tuples.setdefault(pipeline.observe, pipeline.observe)
        if len(self._observe_tuples) > MAX_OBSERVE_TUPLES:  # bounded by the stages' subsets
            self._observe_tuples.clear()
        return dataclasses.replace(pipeline, observe=shared)

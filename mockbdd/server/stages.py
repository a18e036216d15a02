"""Data-plane stages: where limits, validation, chaos, templates, metrics and event streams plug
into the serving of a request, registered under :data:`STAGES` (in registration order).

A request goes through three steps, and a stage takes part in any of them:

- ``admit`` (before matching): may answer instead of the stubs (a 429 from a limit, a 400 from
  validation) by returning a response; None lets the request on. It may await (a queue). The
  first stage that answers wins; the request is journaled with that answer, unmatched.
- ``shape`` (after matching): gets the :class:`ServePlan` and returns it, or a changed one
  (``plan._replace(delay_ms=..., fault=..., response=...)``); each stage gets the previous
  stage's plan. An unmatched request's plan (``response`` None) comes through as well.
- ``observe`` (after completion): sees the completed event (its final answer and timings).
  Called on the loop soon after the answer has gone out: it never delays one.

With no stage registered, the data plane takes its static fast path, untouched.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.plan import ServePlan
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.extensions import Kind

Admit = Callable[[Namespace, RecordedRequest], Awaitable[ResponseDefinition | None]]
Shape = Callable[[Namespace, ServePlan], ServePlan]
Observe = Callable[[Namespace, ServeEvent], None]


class Stage(Protocol):
    """A data-plane stage: each hook is optional (None: the stage skips that step)."""

    @property
    def admit(self) -> Admit | None: ...

    @property
    def shape(self) -> Shape | None: ...

    @property
    def observe(self) -> Observe | None: ...


@dataclass(frozen=True, slots=True)
class Hooks:
    """A stage made of plain functions: ``Hooks(admit=limit)``, ``Hooks(observe=count)``."""

    admit: Admit | None = None
    shape: Shape | None = None
    observe: Observe | None = None


STAGES: Kind[Stage] = Kind("data-plane stage")


@dataclass(frozen=True, slots=True)
class Pipeline:
    """The registered stages' hooks, step by step (only the hooks that exist)."""

    admit: tuple[Admit, ...] = ()
    shape: tuple[Shape, ...] = ()
    observe: tuple[Observe, ...] = ()

    @classmethod
    def of(cls, stages: tuple[Stage, ...]) -> Pipeline:
        return cls(
            tuple(s.admit for s in stages if s.admit is not None),
            tuple(s.shape for s in stages if s.shape is not None),
            tuple(s.observe for s in stages if s.observe is not None),
        )

    def __bool__(self) -> bool:
        return bool(self.admit or self.shape or self.observe)

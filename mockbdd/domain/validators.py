"""Request validators a namespace holds (an imported OpenAPI document in validating mode): the
data plane's admit step asks each, and the first that objects answers instead of the stubs."""

from __future__ import annotations

from typing import Protocol

from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.domain.stubs import StubMapping


class RequestValidator(Protocol):
    @property
    def name(self) -> str:
        """What it checks against, for listings and errors (the document's title)."""
        ...

    def check(self, request: RecordedRequest) -> ResponseDefinition | None:
        """The answer for a request that breaks the contract (a 400 naming what), else None."""
        ...

    def refuse(self, stub: StubMapping) -> str | None:
        """Why ``stub``'s answers break the contract (a status or body the document does not
        allow for that operation), else None; a stub outside the contract is not its business."""
        ...

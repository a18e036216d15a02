"""The admit stage of request validation: a namespace with validators (an OpenAPI document
imported with ``"validate": true``) answers a request that breaks it with the validator's 400;
a namespace without any does not take part (the fast path is untouched)."""

from __future__ import annotations

from mockbdd.domain.namespace import Namespace
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.extensions import Extensions
from mockbdd.server.stages import STAGES, Hooks


async def _admit(ns: Namespace, request: RecordedRequest) -> ResponseDefinition | None:
    for validator in ns.validators:
        answer = validator.check(request)
        if answer is not None:
            return answer
    return None


def _active(ns: Namespace) -> bool:
    return bool(ns.validators)


def register(extensions: Extensions) -> None:
    extensions.add(STAGES, "validation", Hooks(admit=_admit, active=_active))

"""Client errors: admin API failures and verification failures with the near-miss diff."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from mockbdd.client.models import NearMiss


class AdminError(Exception):
    """The admin API refused a call: ``status``, ``title`` and the JSON ``pointer`` it names."""

    def __init__(self, status: int, title: str, pointer: str | None = None) -> None:
        self.status = status
        self.title = title
        self.pointer = pointer
        where = f" at {pointer}" if pointer else ""
        super().__init__(f"mockbdd admin API error {status}{where}: {title}")

    @classmethod
    def from_body(cls, status: int, body: Any) -> AdminError:
        """Build from a WireMock error body (``{"errors": [...]}``) or any other body."""
        if isinstance(body, Mapping):
            errors = body.get("errors")
            if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
                first = errors[0]
                source = first.get("source")
                pointer = source.get("pointer") if isinstance(source, Mapping) else None
                title = str(first.get("title") or first.get("detail") or "error")
                return cls(status, title, str(pointer) if pointer is not None else None)
            return cls(status, json.dumps(body))
        text = str(body).strip() if body is not None else ""
        return cls(status, text or "(empty response)")


class VerificationError(AssertionError):
    """Requests did not match the expectation; the message carries the near-miss diff."""

    def __init__(
        self,
        pattern: Mapping[str, Any],
        expected: int,
        actual: int,
        near_misses: Sequence[NearMiss],
        *,
        timeout: float | None = None,
    ) -> None:
        self.pattern = dict(pattern)
        self.expected = expected
        self.actual = actual
        self.near_misses = list(near_misses)
        self.timeout = timeout
        super().__init__(verification_message(pattern, expected, actual, near_misses, timeout))


def verification_message(
    pattern: Mapping[str, Any],
    expected: int,
    actual: int,
    near_misses: Sequence[NearMiss],
    timeout: float | None = None,
) -> str:
    """Expected vs actual count, then (when short) each near miss field by field (the server's
    ``diff``)."""
    noun = "request" if expected == 1 else "requests"
    waited = f" within {timeout:g} s" if timeout is not None else ""
    lines = [
        f"Expected {expected} {noun}{waited} matching {json.dumps(dict(pattern), sort_keys=True)}",
        f"but received {actual}.",
    ]
    if actual > expected:
        return "\n".join(lines)
    if not near_misses:  # "other": the ``actual`` ones matched, too few of them
        lines.append(f"No {'other ' if actual else ''}recorded request is close to this pattern.")
        return "\n".join(lines)
    lines.append("Closest requests, field by field:")
    for i, miss in enumerate(near_misses, 1):
        dist = f" (distance {miss.distance})" if miss.distance is not None else ""
        lines.append(f"#{i} {miss.request.method} {miss.request.url}{dist}")
        lines.extend(f"  {line}" for line in miss.diff.splitlines())
    return "\n".join(lines)

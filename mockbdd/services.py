"""Services are path prefixes inside a namespace: put mappings and paths under ``/<service>``.

:func:`prefix_mapping` is the one implementation of "a mapping under a service"; tag maps use
it too (``mockbdd.tagmaps.stubs.prefix_service`` adapts its errors to tag-map errors).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_SERVICE = re.compile(r"[A-Za-z0-9_.-]+")
_LITERAL_FIELDS = ("url", "urlPath", "urlPathTemplate")
_REGEX_FIELDS = ("urlPattern", "urlPathPattern")


class MappingUrlError(ValueError):
    """A mapping URL that cannot be put under a service: ``pointer`` names the field."""

    def __init__(self, pointer: str, reason: str) -> None:
        super().__init__(f"{pointer}: {reason}")
        self.pointer = pointer
        self.reason = reason


def check_service(service: str) -> str:
    """Return ``service`` if it is a valid name (``[A-Za-z0-9_.-]+``, not ``.``/``..``)."""
    if not _SERVICE.fullmatch(service) or service in (".", ".."):
        raise ValueError(f"service name {service!r} must match [A-Za-z0-9_.-]+")
    return service


def service_path(service: str | None, path: str) -> str:
    """``service_path("payments", "/v1/charges")`` → ``/payments/v1/charges``."""
    if path and not path.startswith("/"):
        path = "/" + path
    if not service:
        return path or "/"
    return f"/{check_service(service)}{path}"


def service_regex(service: str) -> str:
    """A ``urlPathPattern`` matching every path of the service (``/payments`` and below)."""
    return re.escape(f"/{check_service(service)}") + "(/.*)?"


def prefix_mapping(mapping: Mapping[str, Any], service: str) -> dict[str, Any]:
    """A copy of ``mapping`` whose request URL lives under ``/<service>``: literal URLs and
    templates get the prefix, regexes get the escaped prefix after an optional ``^``; no URL
    field means every path of the service. Raises :class:`MappingUrlError` for a URL that does
    not start with ``/`` (or ``^/``)."""
    check_service(service)
    request = dict(mapping.get("request") or {})
    present = [f for f in (*_LITERAL_FIELDS, *_REGEX_FIELDS) if f in request]
    if not present:
        request["urlPathPattern"] = service_regex(service)
    for field in present:
        value = request[field]
        pointer = f"/request/{field}"
        if not isinstance(value, str):
            raise MappingUrlError(pointer, f"must be a string, got {value!r}")
        if field in _REGEX_FIELDS:
            anchor = "^" if value.startswith("^") else ""
            rest = value[len(anchor) :]
            if not rest.startswith("/"):
                raise MappingUrlError(
                    pointer, f"a URL pattern must start with '/' or '^/', got {value!r}"
                )
            request[field] = anchor + re.escape(f"/{service}") + rest
        else:
            if not value.startswith("/"):
                raise MappingUrlError(pointer, f"a URL must start with '/', got {value!r}")
            request[field] = f"/{service}{value}"
    return {**mapping, "request": request}

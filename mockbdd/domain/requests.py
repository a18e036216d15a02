"""What the engine sees of a request: framework-free and immutable."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs

_UNPARSED: Any = object()
_FORM_TYPE = "application/x-www-form-urlencoded"
_NO_FORM: Mapping[str, list[str]] = MappingProxyType({})


class Body:
    """A request body with lazily decoded views, cached so that many patterns share one parse."""

    __slots__ = ("__dict__", "raw")

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    @cached_property
    def text(self) -> str:
        return self.raw.decode("utf-8", errors="replace")

    @cached_property
    def json(self) -> Any:
        """The parsed JSON document, or ``Body.NOT_JSON`` when the body is not JSON."""
        if not self.raw:
            return Body.NOT_JSON
        try:
            return json.loads(self.raw)
        except (ValueError, RecursionError):  # not JSON, or nested too deeply to be useful
            return Body.NOT_JSON

    @cached_property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.text, keep_blank_values=True)

    NOT_JSON: Any = _UNPARSED


@dataclass(slots=True)
class RecordedRequest:
    """One HTTP request as received, with the namespace prefix already stripped from ``url``/``path``.

    ``headers`` keys are lower-cased; ``header_names`` maps them back to the spelling received.
    The transport may pass lazy mappings for headers, query and cookies (decoded on first use).
    ``authority`` is the Host header (``host[:port]``); host and port derive from it.
    Treated as immutable; not ``frozen=True`` only because frozen init costs a setattr per field
    on the hot path.
    """

    method: str
    url: str  # namespace-relative path + "?" + raw query, as WireMock's ``url``
    path: str  # namespace-relative path, percent-decoded
    query: Mapping[str, list[str]]
    headers: Mapping[str, list[str]]  # lower-cased names
    body: Body
    cookies: Mapping[str, list[str]] = field(default_factory=dict)
    header_names: Mapping[str, str] = field(default_factory=dict)  # lower -> original
    authority: str = "127.0.0.1"
    scheme: str = "http"
    client_ip: str = "127.0.0.1"
    raw_path: str = ""  # the full path as sent, namespace prefix included, for absoluteUrl

    def header(self, name: str) -> list[str] | None:
        return self.headers.get(name.lower())

    @property
    def form(self) -> Mapping[str, list[str]]:
        """The form parameters: the body, parsed only when its Content-Type is a URL-encoded
        form (real WireMock 3.13.2 ignores ``k=1`` sent as text/plain or without a type)."""
        content_type = self.headers.get("content-type")
        if content_type and content_type[0].lstrip().lower().startswith(_FORM_TYPE):
            return self.body.form
        return _NO_FORM

    @property
    def host(self) -> str:
        """Lower-cased, as WireMock's Jetty hands it over (``Host: EXAMPLE.com`` is example.com)."""
        authority = self.authority
        if authority.startswith("["):  # [::1]:8080
            return authority[1 : authority.find("]")].lower()
        return (authority.rpartition(":")[0] if ":" in authority else authority).lower()

    @property
    def port(self) -> int:
        authority = self.authority
        tail = authority[authority.rfind("]") + 1 :] if authority.startswith("[") else authority
        _, sep, port = tail.rpartition(":")
        if sep and port.isdigit():
            return int(port)
        return 443 if self.scheme == "https" else 80

    @property
    def absolute_url(self) -> str:
        return f"{self.scheme}://{self.authority}{self.raw_path or self.url}"

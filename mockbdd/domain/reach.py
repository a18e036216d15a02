"""Which origins a server's proxies and callbacks may reach (DESIGN §3), and why not: one
wording for the server (``--proxy-allow``, a bind beyond loopback) and ``mockbdd lint``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit


def origin_of(url: str) -> str:
    """``scheme://host:port`` with the default port made explicit, lower-cased."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}"


def reach_refusal(url: str, allowed: frozenset[str], exposed_on: str | None = None) -> str | None:
    """Why ``url`` may not be reached; None: it may. ``allowed`` holds origins (``origin_of``);
    an empty one allows everything unless the server is ``exposed_on`` an address beyond
    loopback."""
    if not (allowed or exposed_on) or origin_of(url) in allowed:
        return None
    shown = ", ".join(sorted(allowed)) or "none"
    if exposed_on:
        return (
            f"{origin_of(url)} is not an allowed target: the server is bound to "
            f"{exposed_on}, beyond loopback, so it reaches only the --proxy-allow "
            f"origins and those its mapping files name (allowed: {shown}); add "
            f"--proxy-allow {origin_of(url)} to allow it"
        )
    return f"{origin_of(url)} is not allowed by --proxy-allow (allowed: {shown})"


WEBHOOK = "webhook"  # the built-in listener that calls out (mockbdd.webhooks)


def outbound_targets(mapping: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """What a stub (its WireMock JSON) will reach, checked before it is stored: (JSON pointer,
    URL, ``"proxy"`` or ``"webhook"``) for each response's ``proxyBaseUrl`` and each ``webhook``
    of ``serveEventListeners`` / ``postServeActions`` whose origin is written out. A webhook
    origin made by a template (``http://{{...}}/``) is checked when the call is made."""
    found: list[tuple[str, str, str]] = []
    answers: list[tuple[str, object]] = [("/response", mapping.get("response"))]
    responses = mapping.get("responses")
    if isinstance(responses, Sequence) and not isinstance(responses, str):
        answers += [(f"/responses/{i}", item) for i, item in enumerate(responses)]
    for at, answer in answers:
        if isinstance(answer, Mapping) and isinstance(answer.get("proxyBaseUrl"), str):
            found.append((f"{at}/proxyBaseUrl", answer["proxyBaseUrl"], "proxy"))
    for at, parameters in _webhooks(mapping):
        url = parameters.get("url")
        if isinstance(url, str) and _written_origin(url):
            found.append((f"{at}/url", url, WEBHOOK))
    return found


def _webhooks(mapping: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The parameters of each ``webhook`` listener, with their pointer (WireMock 3's list
    forms, and WireMock 2's ``postServeActions: {"webhook": {...}}``)."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    for key in ("serveEventListeners", "postServeActions"):
        entries = mapping.get(key)
        if isinstance(entries, Mapping):
            if isinstance(entries.get(WEBHOOK), Mapping):
                found.append((f"/{key}/{WEBHOOK}", entries[WEBHOOK]))
        elif isinstance(entries, Sequence) and not isinstance(entries, str):
            for i, entry in enumerate(entries):
                if not isinstance(entry, Mapping) or entry.get("name") != WEBHOOK:
                    continue
                parameters = entry.get("parameters")
                if isinstance(parameters, Mapping):
                    found.append((f"/{key}/{i}/parameters", parameters))
    return found


def _written_origin(url: str) -> bool:
    """Whether ``url``'s scheme, host and port are plain text (no template before the path)."""
    head, templated, _ = url.partition("{{")
    parts = urlsplit(head)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return False
    if not parts.hostname or parts.scheme not in ("http", "https"):
        return False
    return not templated or bool(parts.path or parts.query or parts.fragment)

"""Which origins a server's proxies and callbacks may reach (DESIGN §3), and why not: one
wording for the server (``--proxy-allow``, a bind beyond loopback) and ``mockbdd lint``."""

from __future__ import annotations

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

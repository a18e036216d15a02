"""The engine: the set of namespaces. ``default`` always exists and is served at the root."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterator

from mockbdd.domain.errors import InvalidInput, NotFound
from mockbdd.domain.journal import DEFAULT_JOURNAL_BODY_BYTES, DEFAULT_JOURNAL_MAX
from mockbdd.domain.namespace import Namespace

DEFAULT_NAMESPACE = "default"
NAMESPACE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


NamespaceListener = Callable[[str, Namespace], None]  # ("namespace.created" | "...deleted", ns)


class NamespaceExists(ValueError):
    """A namespace of that name already exists (HTTP 409)."""


def validate_namespace_name(name: str) -> str:
    if not NAMESPACE_NAME.fullmatch(name) or name in (".", ".."):
        raise InvalidInput(
            "/name",
            f"invalid namespace name {name!r}: use 1-64 characters from A-Z a-z 0-9 _ . - "
            "(not '.' or '..')",
        )
    return name


class Engine:
    def __init__(
        self,
        *,
        journal_max: int = DEFAULT_JOURNAL_MAX,
        journal_max_body_bytes: int = DEFAULT_JOURNAL_BODY_BYTES,
        seed: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.journal_max = journal_max
        self.journal_max_body_bytes = journal_max_body_bytes
        self.seed = seed
        self.clock = clock
        self._namespaces: dict[str, Namespace] = {}
        self._listeners: list[NamespaceListener] = []
        self.default = self._new(DEFAULT_NAMESPACE, None)
        self._namespaces[DEFAULT_NAMESPACE] = self.default

    def _new(self, name: str, ttl_seconds: float | None, seed: int | None = None) -> Namespace:
        return Namespace(
            name,
            journal_max=self.journal_max,
            journal_max_body_bytes=self.journal_max_body_bytes,
            seed=self.seed if seed is None else seed,
            ttl_seconds=ttl_seconds,
            clock=self.clock,
        )

    def subscribe(self, listener: NamespaceListener) -> Callable[[], None]:
        """Call ``listener("namespace.created", ns)`` / ``("namespace.deleted", ns)`` as
        namespaces come and go (created, deleted, expired); returns the unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _tell(self, kind: str, ns: Namespace) -> None:
        for listener in tuple(self._listeners):
            listener(kind, ns)

    def __iter__(self) -> Iterator[Namespace]:
        return iter(tuple(self._namespaces.values()))

    def __len__(self) -> int:
        return len(self._namespaces)

    def get(self, name: str) -> Namespace | None:
        return self._namespaces.get(name)

    def create(
        self, name: str | None = None, ttl_seconds: float | None = None, seed: int | None = None
    ) -> Namespace:
        """A new namespace; ``seed`` (else the engine's ``--seed``) seeds its random source."""
        if name is None:
            name = f"ns-{secrets.token_hex(6)}"
        validate_namespace_name(name)
        if ttl_seconds is not None and ttl_seconds <= 0:
            raise InvalidInput("/ttlSeconds", "must be a positive number of seconds")
        if name in self._namespaces:
            raise NamespaceExists(
                f"namespace {name!r} already exists; delete it first or choose another name"
            )
        ns = self._new(name, ttl_seconds, seed)
        self._namespaces[name] = ns
        self._tell("namespace.created", ns)
        return ns

    def delete(self, name: str) -> Namespace:
        if name == DEFAULT_NAMESPACE:
            raise InvalidInput("/name", "the 'default' namespace cannot be deleted")
        ns = self._namespaces.pop(name, None)
        if ns is None:
            raise NotFound(f"namespace {name!r} does not exist")
        self._tell("namespace.deleted", ns)
        return ns

    def expire(self) -> list[Namespace]:
        """Delete namespaces idle for longer than their TTL; returns them."""
        now = self.clock()
        gone = [
            ns
            for ns in self._namespaces.values()
            if ns.name != DEFAULT_NAMESPACE and (at := ns.expires_at()) is not None and at <= now
        ]
        for ns in gone:
            del self._namespaces[ns.name]
            self._tell("namespace.deleted", ns)
        return gone

"""The built-in extensions, registered through the same registry as plugins, and the
immutable :data:`BUILTIN` instance for callers that have no server (client-side tag-map
checks, ``mockbdd schema``). A server assembles its own with :func:`load_extensions`."""

from __future__ import annotations

from functools import cache, partial
from typing import Final

from mockbdd import crud, exchanges, llm, templating, webhooks
from mockbdd.domain import faults
from mockbdd.extensions import Extensions, Register, assemble
from mockbdd.wire import delays, operators


def register(extensions: Extensions, *, global_response_templating: bool = False) -> None:
    """Every built-in content operator, delay type, fault, response transformer and serve
    event listener (``global_response_templating``: ``response-template`` renders every stub)."""
    operators.register(extensions)
    delays.register(extensions)
    faults.register(extensions)
    llm.register(extensions)
    crud.register(extensions)
    exchanges.register(extensions)
    webhooks.register(
        extensions, lambda obj, at: delays.parse_delay(obj, at, extensions=extensions)
    )
    templating.register(extensions, global_response_templating=global_response_templating)


BUILTIN: Final[Extensions] = assemble([register], plugins=False)


def load_extensions(*more: Register, global_response_templating: bool = False) -> Extensions:
    """What a server uses: the built-ins, then ``more`` (its own layers' built-ins), then every
    ``mockbdd.plugins`` entry point; frozen. Raises ``ExtensionError`` naming a plugin that
    cannot load or clashes."""
    builtins = partial(register, global_response_templating=global_response_templating)
    return assemble([builtins, *more])


@cache
def installed_extensions() -> Extensions:
    """The built-ins and every installed plugin, loaded once per process: what client-side
    checks (the BDD session, ``mockbdd lint``) validate tag maps with, so a plugin's operator,
    delay type, matcher or transformer named in a tag map is accepted as the server accepts it.
    Raises ``ExtensionError`` naming a plugin that cannot load or clashes."""
    return load_extensions()

"""The built-in extensions, registered through the same registry as plugins, and the
immutable :data:`BUILTIN` instance for callers that have no server (client-side tag-map
checks, ``mockbdd schema``). A server assembles its own with :func:`load_extensions`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from mockbdd.domain.faults import FAULTS, Fault, FaultContext
from mockbdd.extensions import Extensions, Register, assemble
from mockbdd.wire import delays, operators


@dataclass(frozen=True, slots=True)
class _EnumFault:
    """Stands for a built-in fault until the data plane injects faults through FaultAction:
    today it still dispatches ``Fault`` members to its FaultInjector."""

    fault: Fault

    async def __call__(self, ctx: FaultContext) -> None:
        raise NotImplementedError(f"{self.fault.value} is injected by the server's FaultInjector")


def _faults(extensions: Extensions) -> None:
    for fault in Fault:
        extensions.add(FAULTS, fault.value, _EnumFault(fault))


def register(extensions: Extensions) -> None:
    """Every built-in content operator, delay type and fault."""
    operators.register(extensions)
    delays.register(extensions)
    _faults(extensions)


BUILTIN: Final[Extensions] = assemble([register], plugins=False)


def load_extensions(*more: Register) -> Extensions:
    """What a server uses: the built-ins, then ``more`` (its own layers' built-ins), then every
    ``mockbdd.plugins`` entry point; frozen. Raises ``ExtensionError`` naming a plugin that
    cannot load or clashes."""
    return assemble([register, *more])

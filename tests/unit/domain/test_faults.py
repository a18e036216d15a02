"""The built-in faults as actions on a FaultContext, registered as a plugin's would be."""

from __future__ import annotations

import pytest

from mockbdd.domain import faults
from mockbdd.domain.faults import FAULTS, GARBAGE, NO_RESPONSE_MAX_SECONDS, Fault
from mockbdd.extensions import ExtensionError, Extensions


class Recorder:
    """A FaultContext that writes down what the fault did to the connection."""

    def __init__(self, head: bytes = b"HEAD\r\n\r\n", body: bytes = b"") -> None:
        self.head = head
        self.body = body
        self.calls: list[tuple[str, object]] = []

    def write(self, data: bytes) -> None:
        self.calls.append(("write", data))

    def close(self) -> None:
        self.calls.append(("close", None))

    def reset(self) -> None:
        self.calls.append(("reset", None))

    async def hold(self, max_seconds: float) -> None:
        self.calls.append(("hold", max_seconds))


def registered() -> Extensions:
    extensions = Extensions()
    faults.register(extensions)
    return extensions


def test_every_built_in_fault_is_registered_under_its_name() -> None:
    assert registered().names(FAULTS) == tuple(f.value for f in Fault)


def test_a_plugin_cannot_take_a_built_in_name() -> None:
    extensions = registered()
    with pytest.raises(ExtensionError, match="fault 'EMPTY_RESPONSE' is registered twice"):
        extensions.add(FAULTS, "EMPTY_RESPONSE", faults.empty_response, origin="plugin 'x'")


@pytest.mark.parametrize(
    ("fault", "calls"),
    [
        (Fault.CONNECTION_RESET_BY_PEER, [("reset", None)]),
        (Fault.EMPTY_RESPONSE, [("close", None)]),
        (
            Fault.MALFORMED_RESPONSE_CHUNK,
            [("write", faults.CHUNKED_200_HEAD + GARBAGE), ("close", None)],
        ),
        (Fault.RANDOM_DATA_THEN_CLOSE, [("write", GARBAGE), ("close", None)]),
        (Fault.NO_RESPONSE, [("hold", NO_RESPONSE_MAX_SECONDS), ("close", None)]),
        (Fault.TRUNCATED_BODY, [("write", b"HEAD\r\n\r\n" + b"01234"), ("close", None)]),
    ],
)
async def test_each_fault_does_what_its_name_says(fault: Fault, calls: list[object]) -> None:
    ctx = Recorder(body=b"0123456789")
    action = registered().get(FAULTS, fault)
    assert action is not None
    await action(ctx)
    assert ctx.calls == calls


async def test_a_truncated_empty_body_is_the_head_alone() -> None:
    ctx = Recorder(body=b"")
    await faults.truncated_body(ctx)
    assert ctx.calls == [("write", b"HEAD\r\n\r\n"), ("close", None)]


def test_a_fault_name_is_a_plain_string_wherever_it_goes() -> None:
    assert Fault.NO_RESPONSE == "NO_RESPONSE"
    assert str(Fault.NO_RESPONSE) == "NO_RESPONSE"
    assert {"NO_RESPONSE": 1}[Fault.NO_RESPONSE] == 1
    assert 0 < NO_RESPONSE_MAX_SECONDS <= 600  # bounded: a client with no timeout is let go

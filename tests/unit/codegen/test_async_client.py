"""The async client is the sync client's twin by construction: ``aio.py`` is what the generator
makes of ``sync.py`` and ``namespace.py``, and the generator's rules carry a new sync method
over with every I/O call awaited."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from mockbdd.client import AsyncClient, AsyncNamespaceHandle, Client, NamespaceHandle
from mockbdd.codegen import async_client as gen
from mockbdd.codegen.twin import GenerationError, Source


def test_the_committed_async_client_is_a_fresh_generation() -> None:
    assert gen.TARGET.read_text() == gen.generate(), "aio.py is stale: run make client-async"
    assert "GENERATED FILE, DO NOT EDIT" in gen.TARGET.read_text()


def test_the_check_command_fails_on_a_stale_file(tmp_path: Path) -> None:
    out = tmp_path / "aio.py"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "mockbdd.codegen.async_client", "-o", str(out), *args]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    assert run().returncode == 0
    assert run("--check").returncode == 0
    out.write_text(out.read_text().replace("await self._run", "self._run", 1))
    stale = run("--check")
    assert stale.returncode == 1
    assert "is stale: run make client-async" in stale.stderr


def _public(cls: type) -> dict[str, Callable[..., object]]:
    return {
        name: member
        for name, member in vars(cls).items()
        if callable(member)
        and (
            not name.startswith("_")
            or name in ("__init__", "__enter__", "__exit__", "__aenter__", "__aexit__")
        )
    }


@pytest.mark.parametrize(
    ("sync", "aio"), [(Client, AsyncClient), (NamespaceHandle, AsyncNamespaceHandle)]
)
def test_every_method_has_its_twin_with_the_same_parameters(sync: type, aio: type) -> None:
    ours, theirs = _public(sync), _public(aio)
    assert {gen.RULES.renamed(name) for name in ours} == set(theirs)
    for name, method in ours.items():
        twin = theirs[gen.RULES.renamed(name)]
        want = [(p.name, p.kind, p.default) for p in inspect.signature(method).parameters.values()]
        got = [(p.name, p.kind, p.default) for p in inspect.signature(twin).parameters.values()]
        assert got == want, name
        sync_only = name in ("__init__", "scoped", "events")  # events: a stream object either way
        assert inspect.iscoroutinefunction(twin) is not sync_only, name


# ------------------------------------------------------------------------------ the rules

CLIENT = '''
"""A sync client."""

from __future__ import annotations

import httpx

from mockbdd.client import calls
from mockbdd.client.base import ClientBase
from mockbdd.client.namespace import Applier, NamespaceHandle


class Client(ClientBase[httpx.Client]):
    """A ``Client``."""

    def _run(self, op: calls.Op[int]) -> int:
        return self._reply(op, self._http.request(**self._request(op)))

    def scoped(self, base_url: str) -> Client:
        return Client(base_url, http=self._http)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    # -- new methods, as another branch may add them
    def first_id(self) -> str:
        return self._run(calls.list_stubs())["id"]

    def ids(self) -> list[str]:
        return [str(s) for s in self._run(calls.list_stubs())]

    def twice(self) -> None:
        self.close()
        self.scoped("x").close()  # scoped() returns a Client: awaited too

    def handle(self, applier: Applier) -> NamespaceHandle:
        return NamespaceHandle(self, self._run(calls.health()), applier=applier)
'''

HANDLE = """
from __future__ import annotations

from collections.abc import Awaitable, Callable

Applier = Callable[..., None]
AsyncApplier = Callable[..., Awaitable[None]]


class _Handle:
    admin_url = ""


class NamespaceHandle(_Handle):
    def __init__(self, root: Client, info: int, *, applier: Applier | None = None) -> None:
        self._root = root
        self.admin: Client = root.scoped("a")
        self._applier = applier

    def apply(self, name: str) -> None:
        if self._applier is not None:
            self._applier(self, name, {})

    def ids(self) -> list[str]:
        return self.admin.ids()

    def url(self) -> str:
        return self.admin.scoped("b").admin_url
"""


def _generate(tmp_path: Path, client: str = CLIENT, handle: str = HANDLE) -> str:
    (tmp_path / "sync.py").write_text(textwrap.dedent(client))
    (tmp_path / "namespace.py").write_text(textwrap.dedent(handle))
    return gen.generate(
        (
            Source(tmp_path / "sync.py", "mockbdd.client.sync"),
            Source(tmp_path / "namespace.py", "mockbdd.client.namespace", ("NamespaceHandle",)),
        )
    )


def _function(text: str, cls: str, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
    tree = ast.parse(text)
    body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls).body
    return next(
        n for n in body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == name
    )


def test_io_calls_are_awaited_and_their_methods_made_async(tmp_path: Path) -> None:
    text = _generate(tmp_path)
    assert "class AsyncClient(ClientBase[httpx.AsyncClient]):" in text
    assert '"""A ``AsyncClient``."""' in text
    assert "return self._reply(op, await self._http.request(**self._request(op)))" in text
    assert "await self._http.aclose()" in text
    assert 'return (await self._run(calls.list_stubs()))["id"]' in text
    assert "return [str(s) for s in await self._run(calls.list_stubs())]" in text
    assert "await self.close()" in text
    assert 'await self.scoped("x").close()' in text
    assert (
        "return AsyncNamespaceHandle(self, await self._run(calls.health()), applier=applier)"
        in text
    )
    assert "await self._applier(self, name, {})" in text
    assert "return await self.admin.ids()" in text
    assert 'return self.admin.scoped("b").admin_url' in text
    for cls, name in [
        ("AsyncClient", "_run"),
        ("AsyncClient", "close"),
        ("AsyncClient", "__aenter__"),
        ("AsyncClient", "first_id"),
        ("AsyncClient", "twice"),
        ("AsyncNamespaceHandle", "apply"),
        ("AsyncNamespaceHandle", "ids"),
    ]:
        assert isinstance(_function(text, cls, name), ast.AsyncFunctionDef), name
    for cls, name in [("AsyncClient", "scoped"), ("AsyncNamespaceHandle", "url")]:
        assert isinstance(_function(text, cls, name), ast.FunctionDef), name


def test_imports_are_those_the_twin_uses(tmp_path: Path) -> None:
    text = _generate(tmp_path)
    assert "from mockbdd.client.namespace import AsyncApplier, _Handle\n" in text
    assert "NamespaceHandle," not in text.split("class ")[0]


def test_an_io_call_in_a_lambda_cannot_be_carried_over(tmp_path: Path) -> None:
    client = (
        CLIENT
        + "\n    def later(self) -> object:\n        return lambda: self._run(calls.health())\n"
    )
    with pytest.raises(GenerationError, match=r"Client.later:\d+: an I/O call inside a nested"):
        _generate(tmp_path, client)


def test_a_name_the_twin_cannot_import_is_an_error(tmp_path: Path) -> None:
    client = CLIENT + "\n    def odd(self) -> object:\n        return Unknown\n"
    with pytest.raises(GenerationError, match="uses 'Unknown', which no source imports"):
        _generate(tmp_path, client)

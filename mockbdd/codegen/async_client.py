"""Writes ``mockbdd/client/aio.py``, the async client, from the sync one: ``make client-async``.

``sync.py`` (``Client``) and the ``NamespaceHandle`` class of ``namespace.py`` are the source;
``aio.py`` (``AsyncClient``, ``AsyncNamespaceHandle``) is made from them by :data:`RULES`, so a
method added on the sync side reaches the async side by running this again:

* names are renamed (``Client`` -> ``AsyncClient``...), in code and in strings;
* a call is awaited when it does I/O: any call on the transport ``self._http`` (``close``
  becomes ``aclose``), a call of a callback typed ``Applier``, or a call of a method that the
  twin makes async, on ``self``, on an attribute whose type (annotated, or the annotated
  ``__init__`` parameter it is set from) is a source class, or on what such a method returns;
* a method is async when it awaits, or when it is ``__enter__``/``__exit__``;
* the imports are those the generated code uses; ruff then sorts them and formats the file.

unasync, the usual tool, only removes ``async`` and ``await``: it can make a sync side from an
async one, not this direction, in which the sync client stays the one people edit.

``python -m mockbdd.codegen.async_client`` writes the file, ``--check`` fails when it is stale,
``-o PATH`` writes elsewhere. It never imports ``mockbdd.client``, so it also runs when a merge
has left ``aio.py`` broken. ruff (a dev dependency) must be installed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from mockbdd.codegen.imports import imports
from mockbdd.codegen.twin import GenerationError, Rules, Source, twin

CLIENT = Path(__file__).resolve().parent.parent / "client"
REPO = CLIENT.parent.parent
SOURCES = (
    Source(CLIENT / "sync.py", "mockbdd.client.sync"),
    Source(CLIENT / "namespace.py", "mockbdd.client.namespace", ("NamespaceHandle",)),
)
TARGET = CLIENT / "aio.py"
RULES = Rules(
    renames={
        "Client": "AsyncClient",
        "NamespaceHandle": "AsyncNamespaceHandle",
        "Applier": "AsyncApplier",
        "EventStream": "AsyncEventStream",
        "__enter__": "__aenter__",
        "__exit__": "__aexit__",
    },
    transport="_http",
    transport_renames={"close": "aclose"},
    awaitable_aliases=frozenset({"Applier"}),
)
HEADER = '''"""The asyncio admin client and namespace handle: ``AsyncClient``, ``AsyncNamespaceHandle``.

GENERATED FILE, DO NOT EDIT. ``make client-async`` (``python -m mockbdd.codegen.async_client``)
writes it from ``sync.py`` (``Client``) and ``namespace.py`` (``NamespaceHandle``): the same
code with every I/O call awaited. Change those and regenerate; a test fails while it is stale.
"""
'''


def _ruff(args: list[str], text: str) -> str:
    command = [sys.executable, "-m", "ruff", *args, "--stdin-filename", str(TARGET), "-"]
    done = subprocess.run(
        command, input=text, capture_output=True, text=True, cwd=REPO, check=False
    )
    if done.returncode != 0:
        raise GenerationError(f"ruff {args[0]} failed (pip install -e '.[dev]'?):\n{done.stderr}")
    return done.stdout


def generate(sources: tuple[Source, ...] = SOURCES, rules: Rules = RULES) -> str:
    """The text of ``aio.py`` for the sync sources as they are now."""
    parsed, body = twin(sources, rules)
    text = HEADER + "\n" + imports(parsed, rules, body) + "\n\n" + body
    text = _ruff(["check", "--fix-only", "--select", "I"], text)
    return _ruff(["format"], text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write aio.py from sync.py and namespace.py.")
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    parser.add_argument("-o", "--output", type=Path, default=TARGET, help="default: aio.py")
    args = parser.parse_args(argv)
    try:
        text = generate()
    except GenerationError as exc:
        print(f"mockbdd: {exc}", file=sys.stderr)
        return 2
    out: Path = args.output
    shown = out.resolve().relative_to(REPO) if out.resolve().is_relative_to(REPO) else out
    if args.check:
        if not out.is_file() or out.read_text() != text:
            print(f"mockbdd: {shown} is stale: run make client-async", file=sys.stderr)
            return 1
        print(f"{shown} is up to date")
        return 0
    out.write_text(text)
    print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

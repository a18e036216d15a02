"""The ``mockbdd`` command: serve, lint, tags, schema."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from mockbdd.version import __version__


def _serve_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="run the mock server standalone")
    p.add_argument("--host", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 8080; 0 = any free port)")
    p.add_argument(
        "--mappings", type=Path, help="folder of WireMock mapping files (*.json, *.yaml)"
    )
    p.add_argument("--files", type=Path, help="root folder for bodyFileName")
    p.add_argument("--tag-maps", type=Path, help="folder of tag maps (tag_maps/*.yaml)")
    p.add_argument("--admin-token", help="require 'Authorization: Bearer TOKEN' on /__admin")
    p.add_argument("--journal-max", type=int, help="journal entries kept per namespace (0 = off)")
    p.add_argument(
        "--journal-max-bytes",
        type=int,
        help="request-body bytes the journal keeps per namespace (default 64 MiB); "
        "the oldest entries are evicted first",
    )
    p.add_argument("--max-body-bytes", type=int, help="request bodies are cut off at this size")
    p.add_argument("--seed", type=int, help="seed for delays and chaos (deterministic runs)")
    p.add_argument(
        "--proxy-allow",
        action="append",
        metavar="ORIGIN",
        help="origin proxyBaseUrl stubs may reach, e.g. https://api.example.com (repeatable); "
        "without it any origin a stub names",
    )
    p.add_argument("--verbose", "-v", action="store_true")


def serve(args: argparse.Namespace) -> int:
    import asyncio
    import contextlib
    import logging
    import signal

    from pydantic import ValidationError

    from mockbdd.config import ServerConfig
    from mockbdd.server.embedded import new_event_loop
    from mockbdd.server.runner import MockHttpServer
    from mockbdd.tagmaps.errors import MockBddError
    from mockbdd.wire.files import MappingFileError

    overrides = {
        k: v
        for k, v in {
            "host": args.host,
            "port": args.port,
            "mappings": args.mappings,
            "files": args.files,
            "tag_maps": args.tag_maps,
            "admin_token": args.admin_token,
            "journal_max": args.journal_max,
            "journal_max_bytes": args.journal_max_bytes,
            "max_body_bytes": args.max_body_bytes,
            "seed": args.seed,
            "proxy_allow": tuple(args.proxy_allow) if args.proxy_allow else None,
        }.items()
        if v is not None
    }
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    try:
        config = ServerConfig(**overrides)
        config.check_exposure()
        server = MockHttpServer(config)
    except (ValidationError, ValueError, MappingFileError, MockBddError) as exc:
        print(f"mockbdd serve: {exc}", file=sys.stderr)
        return 2

    async def main() -> None:
        await server.start()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, server.stopped.set)
        print(
            f"mockbdd {__version__} serving on {server.origin()} (admin: {server.origin()}/__admin)",
            flush=True,
        )
        await server.stopped.wait()
        await server.stop()

    loop = new_event_loop()
    try:
        loop.run_until_complete(main())
    except OSError as exc:
        print(
            f"mockbdd serve: cannot listen on {config.host}:{config.port}: {exc}", file=sys.stderr
        )
        return 2
    finally:
        loop.close()
    print("mockbdd: stopped", flush=True)
    return 0


def tags(args: argparse.Namespace) -> int:
    from mockbdd.tagmaps.errors import MockBddError
    from mockbdd.tagmaps.listing import list_tags
    from mockbdd.tagmaps.registry import load_registry

    try:
        registry = load_registry(args.tag_maps)
    except MockBddError as exc:
        print(f"mockbdd tags: {exc}", file=sys.stderr)
        return 1
    print(list_tags(registry))
    return 0


def schema(args: argparse.Namespace) -> int:
    from mockbdd.extensions import ExtensionError
    from mockbdd.tagmaps.schema import schema_json
    from mockbdd.wire.builtins import load_extensions

    try:
        extensions = load_extensions()  # the installed plugins' names are in the schema too
    except ExtensionError as exc:
        print(f"mockbdd schema: {exc}", file=sys.stderr)
        return 2
    data = schema_json(extensions)
    print(json.dumps(data if args.which == "all" else data[args.which], indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockbdd", description="HTTP API mock server with a BDD face"
    )
    parser.add_argument("--version", action="version", version=f"mockbdd {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _serve_parser(sub)
    sub.add_parser("lint", help="check feature files and tag maps (mockbdd lint --help)")
    p = sub.add_parser("tags", help="list the tag maps")
    p.add_argument(
        "--tag-maps", type=Path, help="tag-map folder (default tag_maps/ or $MOCKBDD_TAG_MAPS)"
    )
    p = sub.add_parser("schema", help="print the JSON Schema of tag-map and mapping files")
    p.add_argument("which", nargs="?", choices=("all", "tagMapFile", "mappingFile"), default="all")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["lint"]:  # the linter owns its argument parser
        from mockbdd.bdd.lint import run_lint

        return run_lint(args_list[1:])
    args = build_parser().parse_args(args_list)
    commands = {"serve": serve, "tags": tags, "schema": schema}
    return commands[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())

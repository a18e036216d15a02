"""The ``mockbdd`` command: serve, record, lint, tags, schema, plugins, load."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockbdd.version import __version__

if TYPE_CHECKING:
    from mockbdd.config import ServerConfig

MIB = 1024 * 1024


def _serve_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve",
        help="run the mock server standalone",
        description="Run the mock server. Every setting may also come from its MOCKBDD_* "
        "environment variable or a .env file; a flag wins.",
    )
    add_settings(p)
    p.add_argument("--verbose", "-v", action="store_true", help="log at INFO level")


def add_settings(parser: argparse.ArgumentParser, model: type[ServerConfig] | None = None) -> None:
    """One option per field of ``model`` (ServerConfig): flag, help, default and env var from
    the field. Values stay strings for the model to check, so every bad value is reported the
    same way."""
    from mockbdd.config import Cli, ServerConfig, env_var, flag

    for name, field in (model or ServerConfig).model_fields.items():
        cli = next((m for m in field.metadata if isinstance(m, Cli)), Cli())
        shown = "" if field.default is None or field.default == () else _shown(field.default)
        default = f"default {shown}; " if shown else ""
        help_text = f"{field.description} ({default}env {env_var(name)})"
        kwargs: dict[str, Any] = {"dest": name, "default": argparse.SUPPRESS, "help": help_text}
        if field.annotation is bool:
            kwargs["action"] = argparse.BooleanOptionalAction
        elif getattr(field.annotation, "__origin__", None) is tuple:
            kwargs["action"] = "append"
        if cli.metavar is not None and field.annotation is not bool:
            kwargs["metavar"] = cli.metavar
        parser.add_argument(flag(name), **kwargs)


def _shown(default: object) -> str:
    if isinstance(default, bool):
        return "on" if default else "off"
    if isinstance(default, int) and default >= MIB and default % MIB == 0:
        return f"{default // MIB} MiB"
    return str(default)


def serve(args: argparse.Namespace) -> int:
    import asyncio
    import contextlib
    import logging
    import signal

    from pydantic import ValidationError

    from mockbdd.config import ServerConfig, describe_errors, env_var, flag
    from mockbdd.server.embedded import new_event_loop
    from mockbdd.server.runner import MockHttpServer
    from mockbdd.tagmaps.errors import MockBddError

    given = {k: v for k, v in vars(args).items() if k in ServerConfig.model_fields}
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    try:
        config = ServerConfig.from_environment(**given)
    except ValidationError as exc:

        def label(name: str) -> str:  # a bad value came from the flag, else from the env
            return flag(name) if name in given else env_var(name)

        print(f"mockbdd serve: {describe_errors(exc, label)}", file=sys.stderr)
        return 2
    try:
        config.check_exposure()
        server = MockHttpServer(config)
    except (ValueError, MockBddError) as exc:  # a bad mapping file is a ValueError
        print(f"mockbdd serve: {exc}", file=sys.stderr)
        return 2

    async def main() -> None:
        await server.start()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, server.stopped.set)
        print(f"mockbdd {__version__} {listening(config.host, server.port)}", flush=True)
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


def record(args: argparse.Namespace) -> int:
    """``mockbdd record --target URL --out DIR``: a local port that proxies to the target and
    records; Ctrl-C (or SIGTERM) stops the recording and writes the mappings (and bodies over
    the thresholds under ``DIR/__files``), which ``mockbdd serve --mappings DIR`` plays back."""
    import asyncio
    import contextlib
    import signal

    import httpx

    from mockbdd.config import ServerConfig
    from mockbdd.server.embedded import new_event_loop
    from mockbdd.server.runner import MockHttpServer

    out: Path = args.out
    if not args.target.startswith(("http://", "https://")):
        print(
            f"mockbdd record: --target {args.target!r} must be an http(s):// URL", file=sys.stderr
        )
        return 2
    (out / "__files").mkdir(parents=True, exist_ok=True)
    config = ServerConfig(
        host=args.host,
        port=args.port,
        mappings=out,
        files=out / "__files",
        proxy_allow=(args.target,),  # the recording reaches this target and nothing else
    )
    try:
        config.check_exposure()
    except ValueError as exc:
        print(f"mockbdd record: {exc}", file=sys.stderr)
        return 2
    spec: dict[str, Any] = {"targetBaseUrl": args.target, "persist": True}
    if args.capture_header:
        spec["captureHeaders"] = {name: {} for name in args.capture_header}
    if not args.repeats_as_scenarios:
        spec["repeatsAsScenarios"] = False

    async def main() -> int:
        server = MockHttpServer(config)
        await server.start()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, server.stopped.set)
        admin = f"{server.origin()}/__admin/recordings"
        async with httpx.AsyncClient(timeout=30) as http:
            started = await http.post(f"{admin}/start", json=spec)
            if started.status_code != 200:
                print(f"mockbdd record: {started.text}", file=sys.stderr)
                await server.stop()
                return 2
            print(
                f"mockbdd recording {args.target} on {server.origin()}; Ctrl-C to stop",
                flush=True,
            )
            await server.stopped.wait()
            stopped = await http.post(f"{admin}/stop")
        await server.stop()
        count = len(stopped.json().get("mappings", []))
        print(f"mockbdd: recorded {count} mapping(s) into {out}", flush=True)
        return 0

    loop = new_event_loop()
    try:
        return loop.run_until_complete(main())
    except OSError as exc:
        print(f"mockbdd record: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    finally:
        loop.close()


def import_openapi(args: argparse.Namespace) -> int:
    """``mockbdd import-openapi SPEC [--out DIR] [--mode examples|generated]``: a stub for
    every operation, as one mapping file ``DIR/<title>.json`` (or on stdout)."""
    import re

    from mockbdd.domain.errors import InvalidInput

    try:
        from mockbdd.openapi.document import Document
        from mockbdd.openapi.refs import Files
        from mockbdd.openapi.stubs import stubs_for
    except ImportError:
        print("mockbdd import-openapi: pip install 'mockbdd[openapi]'", file=sys.stderr)
        return 2
    try:
        text = Path(args.spec).read_text(encoding="utf-8")
        # $ref to other files: read next to SPEC, never outside its folder
        document = Document(text, "", Files(Path(args.spec).parent))
        mappings = stubs_for(document, args.mode)
    except OSError as exc:
        print(f"mockbdd import-openapi: {args.spec}: {exc.strerror}", file=sys.stderr)
        return 2
    except InvalidInput as exc:
        where = f"{args.spec}{exc.pointer}" if exc.pointer else args.spec
        print(f"mockbdd import-openapi: {where}: {exc.reason}", file=sys.stderr)
        return 1
    document_json = json.dumps({"mappings": mappings}, indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(document_json)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", document.title.lower()).strip("-") or "openapi"
    target = args.out / f"{name}.json"
    target.write_text(document_json, encoding="utf-8")
    print(f"mockbdd: {len(mappings)} stub(s) for {document.title!r} written to {target}")
    return 0


def _import_openapi_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import-openapi",
        help="make stub mappings for every operation of an OpenAPI 3.0/3.1 document",
        description="A stub for every operation, at the spec's paths under its first server's "
        "path, answering the lowest 2xx response: its example, else a value made from the schema.",
    )
    p.add_argument("spec", help="the OpenAPI document (JSON or YAML)")
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder to write the mapping file to (default: stdout)",
    )
    p.add_argument(
        "--mode",
        choices=("examples", "generated"),
        default="examples",
        help="examples: the document's examples (a value made from the schema where it has "
        "none); generated: always values made from the schemas (default examples)",
    )


def docs(args: argparse.Namespace) -> int:
    """``mockbdd docs [--url URL | --tag-maps DIR] [--format markdown|openapi]``."""
    from mockbdd.openapi.docs import markdown_of, openapi_of

    if args.url:
        import httpx

        headers = {"Authorization": f"Bearer {args.admin_token}"} if args.admin_token else {}
        try:
            answer = httpx.get(
                args.url.rstrip("/") + "/__admin/docs/openapi.json", headers=headers, timeout=30
            )
            answer.raise_for_status()
        except httpx.HTTPError as exc:
            print(f"mockbdd docs: {args.url}: {exc}", file=sys.stderr)
            return 2
        document = answer.json()
    else:
        from mockbdd.tagmaps.errors import MockBddError
        from mockbdd.tagmaps.registry import load_registry
        from mockbdd.tagmaps.resolve import resolve_map

        try:
            registry = load_registry(args.tag_maps)
        except MockBddError as exc:
            print(f"mockbdd docs: {exc}", file=sys.stderr)
            return 1
        stubs: list[dict[str, Any]] = []
        for tag_map in registry:
            try:
                stubs += [s.mapping for s in resolve_map(registry, tag_map.name).stubs]
            except MockBddError:  # a map with a required parameter: listed, not resolved
                continue
        document = openapi_of("mockbdd tag maps", stubs, (), registry.describe())
    if args.format == "openapi":
        print(json.dumps(document, indent=2))
    else:
        sys.stdout.write(markdown_of(document))
    return 0


def _docs_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "docs",
        help="the mocked endpoints, scenarios and tag maps as Markdown or OpenAPI",
        description="Document a running server's mocks (--url) or a folder of tag maps.",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--url", metavar="URL", help="a running mockbdd server (its GET /__admin/docs/openapi.json)"
    )
    where.add_argument(
        "--tag-maps",
        type=Path,
        metavar="DIR",
        help="tag-map folder (default $MOCKBDD_TAG_MAPS, else tag_maps/ in the current directory)",
    )
    p.add_argument(
        "--format",
        choices=("markdown", "openapi"),
        default="markdown",
        help="Markdown for people, or an OpenAPI document (default markdown)",
    )
    p.add_argument("--admin-token", metavar="TOKEN", help="the server's admin token, if it has one")


def _record_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "record",
        help="record a real API through a local port into mapping files",
        description="Proxy a local port to --target and record what passes; Ctrl-C writes "
        "the mappings into --out (mockbdd serve --mappings DIR plays them back).",
    )
    p.add_argument(
        "--target", required=True, metavar="URL", help="the API to record, http(s)://host[:port]"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("mappings"),
        metavar="DIR",
        help="folder the mapping files are written to, bodies under DIR/__files "
        "(default mappings/)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--port", type=int, default=8080, help="port to listen on (default 8080; 0: any)"
    )
    p.add_argument(
        "--capture-header", action="append", default=[], metavar="NAME",
        help="a request header the recorded stubs match on (repeatable)",
    )  # fmt: skip
    p.add_argument(
        "--no-repeats-as-scenarios", dest="repeats_as_scenarios", action="store_false",
        help="keep the first answer of a repeated request instead of a scenario of them all",
    )  # fmt: skip


def export(args: argparse.Namespace) -> int:
    """``mockbdd export --url URL [--ns NS] --format har -o FILE``: a running server's journal."""
    from mockbdd.client.errors import AdminError
    from mockbdd.client.sync import Client

    base = args.url.rstrip("/") + (f"/__ns/{args.ns}" if args.ns else "")
    try:
        with Client(base, token=args.admin_token, timeout=30) as admin:
            data = admin.export(args.format, unmatched=args.unmatched)
    except AdminError as exc:
        print(f"mockbdd export: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # httpx's connection errors are OSErrors underneath, or wrap them
        print(f"mockbdd export: cannot reach {args.url}: {exc}", file=sys.stderr)
        return 2
    text = data if isinstance(data, str) else json.dumps(data, indent=2) + "\n"
    if args.output is None or str(args.output) == "-":
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        count = len(data["log"]["entries"]) if args.format == "har" else None
        noun = "request" if count == 1 else "requests"
        shown = f"{count} {noun}" if count is not None else args.format
        print(f"mockbdd: exported {shown} to {args.output}")
    return 0


def _export_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export",
        help="write a running server's request journal as HAR, JSON or NDJSON",
        description="GET /__admin/requests/export of a running server into a file "
        "(a HAR opens in browser devtools).",
    )
    p.add_argument(
        "--url", required=True, metavar="URL", help="the server, e.g. http://127.0.0.1:8080"
    )
    p.add_argument("--ns", help="one namespace (default: the root namespace)")
    p.add_argument(
        "--format",
        choices=("har", "json", "ndjson"),
        default="har",
        help="HAR 1.2, one JSON document, or one JSON object a line (default har)",
    )
    p.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="file to write (default: stdout)"
    )
    p.add_argument("--unmatched", action="store_true", help="only requests no stub matched")
    p.add_argument("--admin-token", metavar="TOKEN", help="the server's admin token")


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


def plugins(args: argparse.Namespace) -> int:
    from mockbdd import plugin_listing
    from mockbdd.extensions import ExtensionError
    from mockbdd.wire.builtins import load_extensions

    try:
        extensions = load_extensions()
    except ExtensionError as exc:
        print(f"mockbdd plugins: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(plugin_listing.as_json(extensions), indent=2))
    else:
        print(plugin_listing.as_text(extensions))
    return 0


def load(args: argparse.Namespace) -> int:
    from mockbdd.load.command import run_load

    return run_load(
        args.script,
        target=args.target,
        report_path=args.report,
        plot_path=args.plot,
        quiet=args.quiet,
    )


def _load_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "load",
        help="run a load script (open model) against a server",
        description="Send the script's weighted request mix at the stages' arrival rates and "
        "report latency from each request's intended send time. Exit 0 when every threshold "
        "holds, 1 when one is crossed, 2 for a bad script.",
    )
    p.add_argument("script", type=Path, help="the load script (YAML or JSON)")
    p.add_argument(
        "--target", metavar="URL", help="the URL to load, instead of the script's target"
    )
    p.add_argument("--report", type=Path, metavar="FILE", help="write the JSON report here")
    p.add_argument(
        "--plot", type=Path, metavar="FILE", help="write a PNG plot here (needs mockbdd[plot])"
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress while it runs")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockbdd", description="HTTP API mock server with a BDD face"
    )
    parser.add_argument("--version", action="version", version=f"mockbdd {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _serve_parser(sub)
    _record_parser(sub)
    _export_parser(sub)
    _import_openapi_parser(sub)
    _docs_parser(sub)
    sub.add_parser("lint", help="check feature files and tag maps (mockbdd lint --help)")
    p = sub.add_parser(
        "tags",
        help="list the tag maps",
        description="Each @mock: tag the tag maps define, with its file:line, description, "
        "parameters, what it extends and the services it stubs.",
    )
    p.add_argument(
        "--tag-maps",
        type=Path,
        metavar="DIR",
        help="tag-map folder (default $MOCKBDD_TAG_MAPS, else tag_maps/ in the current directory)",
    )
    p = sub.add_parser(
        "plugins",
        help="list the installed plugins and every registered extension",
        description="The mockbdd.plugins entry points installed, then each kind of extension "
        "(content operators, delay types, faults, transformers, custom matchers, serve event "
        "listeners, service plugins, stages) with its names and where each came from.",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of tag-map, mapping and load-script files",
        description="Print the JSON Schema of tag-map, mapping and load-script files, "
        "generated from the models the server and lint check them with, for an editor "
        "(e.g. mockbdd schema tagMapFile > tag_maps.schema.json).",
    )
    p.add_argument(
        "which",
        nargs="?",
        choices=("all", "tagMapFile", "mappingFile", "loadScript"),
        default="all",
        help="which schema: a tag-map file, a mapping file, a load script, or all (default)",
    )
    _load_parser(sub)
    return parser


def listening(host: str, port: int) -> str:
    """The start-up line: the address actually bound, and the URL to use on this machine."""
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::", ""):
        local = f"http://127.0.0.1:{port}"
        every = "every IPv4 interface" if host == "0.0.0.0" else "every interface"
        return (
            f"serving on http://{shown or '0.0.0.0'}:{port} ({every}; from this machine: "
            f"{local}, admin: {local}/__admin)"
        )
    return f"serving on http://{shown}:{port} (admin: http://{shown}:{port}/__admin)"


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["lint"]:  # the linter owns its argument parser
        from mockbdd.bdd.lint import run_lint

        return run_lint(args_list[1:])
    args = build_parser().parse_args(args_list)
    commands = {
        "serve": serve,
        "record": record,
        "export": export,
        "import-openapi": import_openapi,
        "docs": docs,
        "tags": tags,
        "schema": schema,
        "plugins": plugins,
        "load": load,
    }
    return commands[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())

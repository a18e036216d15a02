"""An OpenAPI 3.0 or 3.1 document, checked by openapi-core (openapi-spec-validator) when it is
loaded, with what the importer needs: its operations, its base path, and its schemas with
local ``$ref`` resolved."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import yaml

from mockbdd.domain.errors import InvalidInput
from mockbdd.openapi.refs import Load, bundle
from mockbdd.records import record

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_REFS = 8  # a recursive schema is followed through this many $refs, then left out
MAX_DEPTH = 64
INSTALL_HINT = "OpenAPI support needs the openapi extra: pip install 'mockbdd[openapi]'"


@record
class Operation:
    method: str  # lower case
    path: str  # as the document writes it: /pets/{id}
    spec: Mapping[str, Any]

    @property
    def name(self) -> str:
        found = self.spec.get("operationId")
        return str(found) if found else f"{self.method.upper()} {self.path}"


class Document:
    """A valid OpenAPI document (``InvalidInput`` with the validator's reason otherwise).
    ``files`` reads the files next to it that its ``$ref`` name (``refs.Files``); without it,
    a reference to another file is refused."""

    def __init__(self, raw: Any, pointer: str = "/spec", files: Load | None = None) -> None:
        if isinstance(raw, str):
            try:
                raw = yaml.safe_load(raw)
            except yaml.YAMLError as exc:
                raise InvalidInput(pointer, f"not JSON or YAML: {exc}") from None
        if not isinstance(raw, dict):
            raise InvalidInput(pointer, "an OpenAPI document must be an object")
        version = str(raw.get("openapi", ""))
        if not version.startswith(("3.0", "3.1")):
            raise InvalidInput(f"{pointer}/openapi", "only OpenAPI 3.0 and 3.1 are supported")
        raw = bundle(raw, files, pointer)  # one self-contained document
        try:
            from openapi_core import OpenAPI
        except ImportError:  # pragma: no cover - the extra is in every test environment
            raise InvalidInput(pointer, INSTALL_HINT) from None
        plain = json.loads(json.dumps(raw, default=str))  # YAML dates and the like as text
        try:
            self.api = OpenAPI.from_dict(plain)
        except Exception as exc:  # openapi-spec-validator's errors: the reason, first line
            reason = str(exc).strip().split("\n", 1)[0]
            raise InvalidInput(pointer, f"not a valid OpenAPI document: {reason}") from None
        self.raw: dict[str, Any] = plain
        self.version = version
        info = plain.get("info") or {}
        self.title = str(info.get("title") or "openapi")

    @property
    def base_path(self) -> str:
        """The path of the first ``servers`` URL (``https://x/v2`` -> ``/v2``), or ''."""
        servers = self.raw.get("servers") or []
        url = servers[0].get("url", "") if servers and isinstance(servers[0], dict) else ""
        return urlsplit(url).path.rstrip("/") if "://" in url else url.rstrip("/")

    def operations(self) -> Iterator[Operation]:
        for path, item in (self.raw.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            for method in METHODS:
                spec = item.get(method)
                if isinstance(spec, dict):
                    yield Operation(method, path, spec)

    def resolve(self, node: Any, refs: int = 0, depth: int = 0) -> Any:
        """``node`` with its local ``$ref`` replaced (a recursive schema is cut after
        ``MAX_REFS`` hops: that part becomes ``{}``)."""
        if depth > MAX_DEPTH or refs > MAX_REFS:
            return {}
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                target: Any = self.raw
                for part in ref[2:].split("/"):
                    part = part.replace("~1", "/").replace("~0", "~")
                    target = target.get(part, {}) if isinstance(target, dict) else {}
                return self.resolve(target, refs + 1, depth + 1)
            return {k: self.resolve(v, refs, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [self.resolve(v, refs, depth + 1) for v in node]
        return node

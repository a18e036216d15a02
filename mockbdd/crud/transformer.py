"""``"transformers": ["crud"]`` with ``"transformerParameters": {"collection": "users"}``: the
stub's URL serves the namespace's collection as json-server does (DESIGN §13).

``GET /users`` lists (json-server's queries, ``X-Total-Count``, ``Link``), ``GET /users/1``
reads, ``POST /users`` creates (id assigned, 201, ``Location``), ``PUT``/``PATCH``
``/users/1`` replace and merge, ``DELETE /users/1`` deletes (``?_dependent=orders`` and
relations with ``cascade`` delete the dependants too). A body that breaks the collection's
schema answers 400 with the JSON pointer and changes nothing.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from mockbdd.crud.query import Page, page_count, page_of, parse_query, run_query
from mockbdd.domain.collections import (
    Collection,
    CollectionError,
    CollectionStore,
    field_value,
    id_key,
    singular,
)
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.responses import ResponseDefinition, TransformContext

NAME_RE = re.compile(r"[A-Za-z0-9_.-]+\Z")
PARAMETERS = ("collection", "basePath")
_EXPOSE = ("Access-Control-Expose-Headers", "X-Total-Count, Link, Location")


def check_parameters(parameters: Mapping[str, Any]) -> str:
    """The collection a ``crud`` stub serves; ``ValueError`` naming what is wrong.
    ``basePath`` (optional) is the collection's root as requested (``/shop/v1/wishlist``):
    by default the root is where the collection's name is in the path."""
    unknown = sorted(set(parameters) - set(PARAMETERS))
    if unknown:
        raise ValueError(f"unknown parameter {unknown[0]!r} (known: {', '.join(PARAMETERS)})")
    name = parameters.get("collection")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ValueError(
            '\'collection\' must name the collection ([A-Za-z0-9_.-]+), e.g. {"collection": "users"}'
        )
    return name


class Crud:
    def check(self, parameters: Mapping[str, Any]) -> None:
        check_parameters(parameters)

    def transform(
        self,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: TransformContext,
    ) -> ResponseDefinition:
        name = check_parameters(parameters)
        store = context.namespace.collections
        try:
            return _serve(response, request, name, store, parameters.get("basePath"))
        except CollectionError as exc:
            body: dict[str, Any] = {"error": exc.reason}
            if exc.pointer:
                body["pointer"] = exc.pointer
            return _json(response, exc.status, body)


def _serve(
    response: ResponseDefinition,
    request: RecordedRequest,
    name: str,
    store: CollectionStore,
    base: str | None,
) -> ResponseDefinition:
    segments = [s for s in request.path.split("/") if s]
    at = _root(segments, name) if base is None else _base(segments, base)
    ident = segments[at + 1] if at + 1 < len(segments) else None
    root = "/" + "/".join(segments[: at + 1])
    collection = store.ensure(name)
    method = request.method
    if ident is None:
        if method in ("GET", "HEAD"):
            return _list(response, request, collection, store, root)
        if method == "POST":
            item = collection.insert(_body(request))
            location = f"{root}/{item[collection.spec.id_field]}"
            return _json(response, 201, item, (("Location", location),))
        raise CollectionError(405, f"{method} {root}: use GET or POST on a collection")
    if method in ("GET", "HEAD"):
        found = collection.get(ident)
        if found is None:
            raise CollectionError(404, f"no {name} with id {ident!r}")
        query = parse_query(request.query)
        return _json(response, 200, _related(found, name, store, query.embed, query.expand))
    if method == "PUT":
        return _json(response, 200, collection.replace(ident, _body(request)))
    if method == "PATCH":
        return _json(response, 200, collection.patch(ident, _body(request)))
    if method == "DELETE":
        return _delete(response, request, collection, store, ident)
    raise CollectionError(405, f"{method} {root}/{ident}: use GET, PUT, PATCH or DELETE on an item")


def _root(segments: list[str], name: str) -> int:
    """Where the collection's name is in the path: the last or the one before the last."""
    for at in (len(segments) - 1, len(segments) - 2):
        if at >= 0 and segments[at] == name:
            return at
    raise CollectionError(
        404,
        f"the path /{'/'.join(segments)} is not /…/{name} or /…/{name}/<id>: a crud stub's URL "
        f"must end with its collection's name",
    )


def _base(segments: list[str], base: str) -> int:
    """Where ``basePath`` ends in the path (the path is it, or it and one more segment)."""
    root = [s for s in base.split("/") if s]
    if segments[: len(root)] != root or len(segments) > len(root) + 1:
        raise CollectionError(404, f"the path /{'/'.join(segments)} is not {base} or {base}/<id>")
    return len(root) - 1


def _body(request: RecordedRequest) -> dict[str, Any]:
    body = request.body.json
    if body is Body.NOT_JSON or not isinstance(body, dict):
        raise CollectionError(400, "the body must be a JSON object", "")
    return body


def _list(
    response: ResponseDefinition,
    request: RecordedRequest,
    collection: Collection,
    store: CollectionStore,
    root: str,
) -> ResponseDefinition:
    query = parse_query(request.query)
    listing = run_query(collection, query)
    chosen = page_of(listing, query.page)
    name = collection.spec.name
    items = [_related(i, name, store, query.embed, query.expand) for i in chosen]
    headers = [("X-Total-Count", str(listing.total)), _EXPOSE]
    page = query.page
    if page.style == "v1":
        return _json(response, 200, _envelope(items, listing.total, page), tuple(headers))
    if page.style == "classic":
        links = _links(request, root, page, listing.total)
        if links:
            headers.append(("Link", links))
    return _json(response, 200, items, tuple(headers))


def _envelope(items: list[dict[str, Any]], total: int, page: Page) -> dict[str, Any]:
    """json-server v1's paginated answer."""
    last = page_count(total, page.size)
    return {
        "first": 1,
        "prev": page.page - 1 if page.page > 1 else None,
        "next": page.page + 1 if page.page < last else None,
        "last": last,
        "pages": last,
        "items": total,
        "data": items,
    }


def _links(request: RecordedRequest, root: str, page: Page, total: int) -> str:
    """json-server 0.x's ``Link`` header: first, prev, next and last pages."""
    if page.size <= 0:
        return ""
    last = page_count(total, page.size)
    base = f"{request.scheme}://{request.authority}{_prefix(request)}{root}"
    query = [(k, v) for k, vs in request.query.items() for v in vs if k != "_page"]
    rels = [("first", 1)]
    if page.page > 1:
        rels.append(("prev", page.page - 1))
    if page.page < last:
        rels.append(("next", page.page + 1))
    rels.append(("last", last))
    return ", ".join(
        f'<{base}?{urlencode([("_page", str(n)), *query])}>; rel="{rel}"' for rel, n in rels
    )


def _prefix(request: RecordedRequest) -> str:
    """The namespace prefix the request came through (``/__ns/<name>``), if any."""
    raw = request.raw_path.split("?", 1)[0]
    return raw[: len(raw) - len(request.path)] if raw.endswith(request.path) else ""


def _related(
    item: dict[str, Any],
    name: str,
    store: CollectionStore,
    embed: tuple[str, ...],
    expand: tuple[str, ...],
) -> dict[str, Any]:
    """``item`` with its children (``_embed=orders``) and parents (``_expand=user``)."""
    if not embed and not expand:
        return item
    result = dict(item)
    ident = id_key(item.get(_spec_id(store, name)))
    for child in embed:
        children = store.get(child)
        if children is None:  # v1 beta: ``_embed=user`` on orders embeds the parent
            _expand_into(result, item, name, singular_parent=child, store=store)
            continue
        fk = store.foreign_key(name, child)
        result[child] = [c for c in children if id_key(field_value(c, fk)) == ident]
    for parent in expand:
        _expand_into(result, item, name, singular_parent=parent, store=store)
    return result


def _expand_into(
    result: dict[str, Any],
    item: Mapping[str, Any],
    name: str,
    singular_parent: str,
    store: CollectionStore,
) -> None:
    fk = singular_parent + "Id"
    parents = store.parent_of(name, fk)
    if parents is None:
        for candidate in store:
            if singular(candidate.spec.name) == singular_parent:
                parents = candidate
                break
    if parents is None:
        return
    value = field_value(item, fk)
    if value is not None:
        found = parents.get(value)
        if found is not None:
            result[singular_parent] = found


def _spec_id(store: CollectionStore, name: str) -> str:
    spec = store.spec_of(name)
    return "id" if spec is None else spec.id_field


def _delete(
    response: ResponseDefinition,
    request: RecordedRequest,
    collection: Collection,
    store: CollectionStore,
    ident: str,
) -> ResponseDefinition:
    """The item, then its dependants: ``?_dependent=orders`` and relations with ``cascade``."""
    dependants = {c for v in request.query.get("_dependent", ()) for c in v.split(",") if c}
    dependants.update(r.child for r in collection.spec.relations if r.cascade)
    for child in dependants:
        if store.get(child) is None:
            raise CollectionError(400, f"_dependent: no collection named {child!r}")
    item = collection.delete(ident)
    name = collection.spec.name
    for child in sorted(dependants):
        children = store.get(child)
        assert children is not None
        children.delete_where(store.foreign_key(name, child), item[collection.spec.id_field])
    return _json(response, 200, {})


def _json(
    response: ResponseDefinition,
    status: int,
    value: Any,
    extra: tuple[tuple[str, str], ...] = (),
) -> ResponseDefinition:
    kept = tuple(h for h in response.headers if h[0].lower() != "content-type")
    return replace(
        response,
        status=status,
        headers=(*kept, ("Content-Type", "application/json"), *extra),
        body=json.dumps(value, separators=(",", ":")).encode(),
        transformers=(),
    )


def snapshot(collection: Collection) -> list[dict[str, Any]]:
    return copy.deepcopy(list(collection))

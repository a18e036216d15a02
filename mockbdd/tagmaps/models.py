"""Pydantic models of tag-map files (the shape check at the edge) and their errors as file:line."""

from __future__ import annotations

import re
import types
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema

from mockbdd.tagmaps.errors import TagMapError
from mockbdd.tagmaps.stubs import SERVICE_RE
from mockbdd.tagmaps.tags import NAME_RE
from mockbdd.tagmaps.yaml_lines import LineIndex
from mockbdd.wire.errors import reason_of
from mockbdd.wire.limits import ConcurrencyJson, RateLimitJson
from mockbdd.wire.models import (
    BODY_FIELDS,
    URL_FIELDS,
    RequestPatternModel,
    ResponseDefinitionModel,
    SequenceItemModel,
    StubMappingModel,
    at_most_one,
)
from mockbdd.wire.refs import DEF_REF, DelayDistributionJson


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _schema_of(pattern: re.Pattern[str]) -> str:
    """A Python ``…\\Z`` regex as a JSON Schema (ECMA) pattern."""
    return "^" + pattern.pattern.removesuffix("\\Z") + "$"


# a whole-value placeholder, replaced by a parameter's typed value ("{code}" -> 503)
PLACEHOLDER = {"type": "string", "pattern": "^\\{[A-Za-z_][A-Za-z0-9_]*\\}$"}
_WHOLE_MS = {"type": "integer", "minimum": 0}
_DURATION = {"type": "string", "description": "a duration: 250ms, 2s, 1m, or '{param}'"}
Duration = Annotated[
    Any,
    WithJsonSchema({"anyOf": [_WHOLE_MS, _DURATION], "description": "milliseconds or a duration"}),
]


class ParamSpecModel(_Strict):
    """``params: {delay: {type: duration, default: 2s}}``."""

    type: Literal["duration", "int", "str"]
    default: Any = None  # typed against ``type`` by the loader, with the line
    description: StrictStr | None = None


# Reserved for the features that will give them a shape (chaos, limits, CRUD data): the loader
# takes them, so a file using one fails only the scenarios that apply that map, saying "not
# supported by this version". ``SkipJsonSchema`` keeps them out of ``mockbdd schema``, which
# shows what a server accepts.
Reserved = SkipJsonSchema[dict[str, Any] | None]


# a simulation setting: checked when the map is applied (after its ``{param}``s are put in),
# shown in the schema as the server's model (``wire/sim_models.py``)
ChaosJson = Annotated[dict[str, Any] | None, WithJsonSchema({DEF_REF: "Chaos"})]
NetworkJson = Annotated[dict[str, Any] | None, WithJsonSchema({DEF_REF: "Network"})]
BandwidthJson = Annotated[dict[str, Any] | None, WithJsonSchema({DEF_REF: "Bandwidth"})]
DegradationJson = Annotated[dict[str, Any] | None, WithJsonSchema({DEF_REF: "Degradation"})]


class SettingsModel(_Strict):
    """Namespace settings a map may set: the keys of ``/__admin/settings`` (DESIGN §11), the
    ``delay`` shorthand; values checked by the server's decoder when the map is applied."""

    delay: Duration = None  # shorthand: a duration → ``fixedDelay`` in milliseconds
    fixedDelay: Duration = None
    delayDistribution: DelayDistributionJson | None = None
    chaos: ChaosJson = None
    network: NetworkJson = None
    bandwidth: BandwidthJson = None
    degradation: DegradationJson = None
    rateLimit: RateLimitJson | None = None
    concurrency: ConcurrencyJson | None = None
    limits: Reserved = None
    timeline: Annotated[
        list[dict[str, Any]] | None,
        WithJsonSchema({"type": "array", "items": {DEF_REF: "TimelineEntry"}}),
    ] = None
    seed: Annotated[
        Any, WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0}, PLACEHOLDER]})
    ] = None


TagMapStubJson = Annotated[dict[str, Any], WithJsonSchema({DEF_REF: "TagMapStub"})]


class RelationModel(_Strict):
    foreignKey: StrictStr
    cascade: bool = False


class CollectionModel(_Strict):
    """``collections: {users: {...}}``: how a CRUD collection behaves and where it is served
    (``/<name>`` under ``service``; by default the map's only service)."""

    service: StrictStr | None = Field(
        None, description="the service it is served under (default: the map's only service)"
    )
    path: Annotated[StrictStr, Field(pattern="^/")] | None = Field(
        None, description="the URL path it is served at under its service (default: /<name>)"
    )
    idField: StrictStr = "id"
    schema_: dict[str, Any] | None = Field(
        None, alias="schema", description="the JSON Schema every item must satisfy"
    )
    relations: dict[str, StrictStr | RelationModel] = Field(
        {}, description="child collections and their field naming this one: {orders: userId}"
    )


class PluginServiceModel(_Strict):
    """A service answered by a service plugin instead of stubs: ``{plugin, config}``."""

    plugin: StrictStr
    config: dict[str, Any] = {}


class TagMapModel(_Strict):
    """One map under ``maps:``."""

    description: StrictStr | None = None
    extends: list[StrictStr] = []
    params: dict[str, ParamSpecModel] = {}
    services: Annotated[
        dict[str, list[TagMapStubJson] | PluginServiceModel],
        Field(json_schema_extra={"propertyNames": {"pattern": _schema_of(SERVICE_RE)}}),
    ] = {}
    settings: SettingsModel | None = None
    scenarios: dict[str, StrictStr] = {}
    collections: dict[str, CollectionModel] = {}
    data: Annotated[
        dict[str, list[dict[str, Any]]],
        Field(description="the items each CRUD collection starts with: {users: [{id: 1}]}"),
    ] = {}
    templates: Annotated[
        StrictStr | None,
        Field(
            description="a folder of Jinja template files (*.j2), relative to this file and "
            "inside its folder, answering what no stub matches as --templates DIR does: "
            "GET /svc/user/7 tries svc-user.7.j2, svc-user.j2, index.j2; a JSON POST no file "
            "answers creates a resource (201), PUT/PATCH answer 200, DELETE 204",
            min_length=1,
        ),
    ] = None


class TagMapFileModel(_Strict):
    """A whole ``tag_maps/*.yaml`` file."""

    version: Literal[1]
    maps: Annotated[
        dict[str, TagMapModel],
        Field(json_schema_extra={"propertyNames": {"pattern": _schema_of(NAME_RE)}}),
    ]


# -- tag-map stubs: WireMock's StubMapping plus the shorthands; for ``mockbdd schema`` only (the
# loader checks stubs with check_stub, and resolution with the wire decoder)


class TagMapRequestModel(RequestPatternModel):
    model_config = ConfigDict(
        json_schema_extra={
            **at_most_one(("path", *URL_FIELDS), ("basicAuth", "basicAuthCredentials")),
            "dependentRequired": {"pathParameters": ["urlPathTemplate"]},
        }
    )

    path: str | None = Field(None, description="shorthand for urlPath")


class TagMapResponseModel(ResponseDefinitionModel):
    model_config = ConfigDict(
        json_schema_extra=at_most_one(
            ("json", *BODY_FIELDS), ("delay", "fixedDelayMilliseconds", "delayDistribution")
        )
    )

    json_body: Any = Field(None, alias="json", description="shorthand for jsonBody")
    delay: Annotated[
        Any,
        WithJsonSchema(
            {
                "anyOf": [_WHOLE_MS, _DURATION],
                "description": "shorthand for fixedDelayMilliseconds: 250ms, 2s, or '{param}'",
            }
        ),
    ] = None

    openai_chat: dict[str, Any] | None = Field(
        None, alias="openaiChat", description="shorthand: the openai-chat transformer's parameters"
    )
    openai_embeddings: dict[str, Any] | None = Field(
        None,
        alias="openaiEmbeddings",
        description="shorthand: the openai-embeddings transformer's parameters",
    )
    openai_models: dict[str, Any] | None = Field(
        None,
        alias="openaiModels",
        description="shorthand: the openai-models transformer's parameters",
    )
    anthropic_messages: dict[str, Any] | None = Field(
        None,
        alias="anthropicMessages",
        description="shorthand: the anthropic-messages transformer's parameters",
    )


class TagMapSequenceItemModel(TagMapResponseModel, SequenceItemModel):
    model_config = TagMapResponseModel.model_config


class TagMapStubModel(StubMappingModel):
    request: TagMapRequestModel = TagMapRequestModel()
    response: TagMapResponseModel | None = None
    # list is invariant, but this model only describes files (it never holds data)
    responses: Annotated[list[TagMapSequenceItemModel], Field(min_length=1)] | None = None  # type: ignore[assignment]


_TYPE_WORDS = {
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "bool_type": "true or false",
}


def validation_errors(exc: ValidationError, data: Any, index: LineIndex) -> list[TagMapError]:
    """Each pydantic error of a tag-map file as ``file:line: message``."""
    found: dict[tuple[str, ...], TagMapError] = {}
    for err in exc.errors(include_url=False):
        loc = _real_path(data, [step for step in err["loc"] if step != "[key]"])
        if loc in found:
            continue
        if "[key]" in err["loc"]:
            detail = f"key {loc[-1]!r} must be a string: quote it"
        else:
            detail = _message(err["type"], loc, reason_of([err], TagMapFileModel))
        found[loc] = index.error(loc, detail)
    return list(found.values())


def _real_path(data: Any, loc: Sequence[int | str]) -> tuple[str, ...]:
    """The part of a pydantic location that exists in the data (drops union/validator steps),
    plus a final missing key (for ``missing`` errors)."""
    path: list[str] = []
    current = data
    for step in loc:
        in_dict = isinstance(current, dict) and step in current
        in_list = isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current)
        if in_dict or in_list:
            current = current[step]
        else:
            if isinstance(current, dict) and isinstance(step, str):
                path.append(step)
            break
        path.append(str(step))
    return tuple(path)


def _message(kind: str, loc: tuple[str, ...], msg: str) -> str:
    name = _display(loc)
    where = f" in map {loc[1]!r}" if len(loc) > 2 and loc[0] == "maps" else ""
    if kind == "extra_forbidden":
        known = _known_keys(TagMapFileModel, loc[:-1])
        import difflib  # only when a close name is wanted (idle RSS)

        close = difflib.get_close_matches(loc[-1], known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown key {loc[-1]!r}{where}{hint} (known keys: {', '.join(known)})"
    if kind == "missing":
        return f"{name} is required{where}"
    if kind == "literal_error" and loc == ("version",):
        return "'version' must be 1"
    if kind in _TYPE_WORDS:
        return f"{name} must be {_TYPE_WORDS[kind]}{where}"
    return f"{name} {msg}{where}"


def _display(loc: tuple[str, ...]) -> str:
    """``('maps','a','extends','0')`` → ``'extends[0]'``."""
    indices = ""
    parts = list(loc)
    while parts and parts[-1].isdigit() and len(parts) > 1:
        indices = f"[{parts.pop()}]" + indices
    return repr((parts[-1] if parts else "file") + indices)


def _known_keys(root: type[BaseModel], loc: Sequence[str]) -> list[str]:
    annotation: Any = root
    for step in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(step)
            if field is None:
                return []
            annotation = field.annotation
        elif get_origin(annotation) is dict:
            annotation = get_args(annotation)[1]
        elif get_origin(annotation) is list:
            annotation = get_args(annotation)[0]
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [f.alias or n for n, f in annotation.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """``X | None`` → ``X``."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation

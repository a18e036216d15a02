"""JSON Schemas for editors (``mockbdd schema``): tag-map files, WireMock mapping files and
``mockbdd load`` scripts.

Generated, never written by hand: the shapes come from the pydantic models the server decodes
with (``wire/models.py``, ``tagmaps/models.py``), and what the registry decides (content
operators, delay types, faults, transformers, custom matchers) from the server's extensions. So
the schema accepts what the server accepts, and refuses what it refuses, as far as a JSON
Schema can say it (a bad regex or a bad JSONPath is only found by decoding).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from mockbdd.domain.custom_matchers import CUSTOM_MATCHERS
from mockbdd.domain.faults import FAULTS
from mockbdd.domain.responses import TRANSFORMERS
from mockbdd.extensions import Extensions, Kind
from mockbdd.tagmaps.models import PLACEHOLDER, TagMapFileModel, TagMapStubModel
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.delay_codec import DELAY_TYPES
from mockbdd.wire.load_script import LoadScriptModel
from mockbdd.wire.models import StubMappingModel
from mockbdd.wire.operators import PATTERN, PATTERNS
from mockbdd.wire.patterns import CONTENT_OPERATORS
from mockbdd.wire.refs import DEF_REF
from mockbdd.wire.sim_models import (
    BandwidthModel,
    ChaosModel,
    DegradationModel,
    NetworkModel,
)
from mockbdd.wire.simulation import TimelineEntryModel

SIMULATION_MODELS: tuple[type[BaseModel], ...] = (
    ChaosModel,
    NetworkModel,
    BandwidthModel,
    DegradationModel,
    TimelineEntryModel,
)

DRAFT = "https://json-schema.org/draft/2020-12/schema"
Json = dict[str, Any]


_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMAS = ("items", "not", "if", "then", "else", "additionalProperties", "propertyNames")


def _walk(schema: Any, visit: Callable[[Json], Json]) -> Any:
    """``schema`` with every subschema replaced by ``visit(subschema)``, innermost first; the
    data in it (``enum``, ``const``, ``default``, property names) is left alone."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    for key in _SCHEMA_MAPS:
        if isinstance(out.get(key), dict):
            out[key] = {name: _walk(sub, visit) for name, sub in out[key].items()}
    for key in _SCHEMA_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [_walk(sub, visit) for sub in out[key]]
    for key in _SCHEMAS:
        if isinstance(out.get(key), dict):
            out[key] = _walk(out[key], visit)
    return visit(out)


def _tidy(node: Json) -> Json:
    """Markers become ``$ref``s; the model classes lose their ``Model`` suffix
    (``#/$defs/StubMapping``); pydantic's generated titles and spelled-out defaults of nested
    models go; ``X | None`` becomes "null, or else X", so an editor reports X's own errors
    where they are, not "valid under none of" at the field."""
    if DEF_REF in node:
        return {"$ref": f"#/$defs/{node[DEF_REF]}"}
    out = {k: v for k, v in node.items() if k != "title"}
    if out.get("default", 0) is None or isinstance(out.get("default"), dict):
        out.pop("default")
    ref = out.get("$ref")
    if isinstance(ref, str) and ref.endswith("Model"):
        out["$ref"] = ref.removesuffix("Model")
    branches = out.get("anyOf")
    if isinstance(branches, list) and {"type": "null"} in branches:
        rest = [b for b in branches if b != {"type": "null"}]
        out.pop("anyOf")
        out |= {"if": {"type": "null"}, "else": rest[0] if len(rest) == 1 else {"anyOf": rest}}
    return out


def _model_defs(*models: type[BaseModel]) -> Json:
    _, schema = models_json_schema(
        [(m, "validation") for m in models], ref_template="#/$defs/{model}"
    )
    defs: Json = _walk({"$defs": schema.get("$defs", {})}, _tidy)["$defs"]
    return {name.removesuffix("Model"): value for name, value in defs.items()}


# -- what the registry decides ------------------------------------------------------------------


def _content_pattern(extensions: Extensions) -> Json:
    """Exactly one operator per object, with only that operator's options."""
    branches = []
    for name, op in extensions.items(CONTENT_OPERATORS):
        options = op.option_schemas or {}
        properties = {
            name: dict(op.value_schema or {}),
            **{o: dict(options.get(o, {})) for o in op.options},
        }
        branches.append(
            {"required": [name], "properties": properties, "additionalProperties": False}
        )
    return {"type": "object", "oneOf": branches}


def _multi_value_pattern() -> Json:
    def only(key: str) -> Json:
        return {
            "type": "object",
            "required": [key],
            "properties": {key: PATTERNS},
            "additionalProperties": False,
        }

    return {"anyOf": [PATTERN, only("hasExactly"), only("includes")]}


def _delay_distribution(extensions: Extensions, defs: Json) -> Json:
    """One branch per delay type: its model's fields, plus ``type`` naming it."""
    branches = []
    for name, entry in extensions.items(DELAY_TYPES):
        schema = _walk(entry.model.model_json_schema(ref_template="#/$defs/{model}"), _tidy)
        defs.update(schema.pop("$defs", {}))
        schema["properties"] = {
            "type": {"const": name},
            **schema.get("properties", {}),
            "seed": {"type": "integer", "minimum": 0, "description": "a random stream of its own"},
        }
        schema["required"] = ["type", *schema.get("required", [])]
        branches.append(schema)
    return {"type": "object", "oneOf": branches}


def _names(extensions: Extensions, kind: Kind[Any]) -> Json:
    names = list(extensions.names(kind))
    if not names:  # the server refuses every name: so does the schema
        return {"not": {}, "description": f"no {kind.label} is registered"}
    return {"enum": names}


def _registry_defs(extensions: Extensions) -> Json:
    defs: Json = {
        "ContentPattern": _content_pattern(extensions),
        "MultiValuePattern": _multi_value_pattern(),
        "Fault": _names(extensions, FAULTS),
        "TransformerName": _names(extensions, TRANSFORMERS),
        "CustomMatcherName": _names(extensions, CUSTOM_MATCHERS),
    }
    defs["DelayDistribution"] = _delay_distribution(extensions, defs)
    defs.update(_model_defs(*SIMULATION_MODELS))  # the settings' shapes, as stubs take them
    return defs


# -- the two file kinds ---------------------------------------------------------------------------


def mapping_schema(extensions: Extensions = BUILTIN) -> Json:
    """WireMock mapping files: one StubMapping, or ``{"mappings": [...]}``."""
    stub = {"$ref": "#/$defs/StubMapping"}
    return {
        "$schema": DRAFT,
        "title": "WireMock mapping file (mockbdd)",
        "$defs": {**_model_defs(StubMappingModel), **_registry_defs(extensions)},
        "anyOf": [
            stub,
            {
                "type": "object",
                "required": ["mappings"],
                "properties": {
                    "mappings": {"type": "array", "items": stub},
                    "meta": {"type": "object"},
                },
            },
        ],
    }


def _with_placeholders(node: Json) -> Json:
    """A number or boolean may be given as a whole ``{param}`` placeholder in a tag map."""
    if node.get("type") in ("integer", "number", "boolean") and "const" not in node:
        return {"anyOf": [node, PLACEHOLDER]}
    return node


def tag_map_schema(extensions: Extensions = BUILTIN) -> Json:
    """``tag_maps/*.yaml``: the file models, with stubs as WireMock StubMappings plus the
    shorthands (``path``, ``json``, ``delay``) and ``{param}`` placeholders."""
    defs = _model_defs(TagMapFileModel)
    stub_defs = _walk({"$defs": _model_defs(TagMapStubModel)}, _with_placeholders)["$defs"]
    registry = _walk({"$defs": _registry_defs(extensions)}, _with_placeholders)["$defs"]
    file = defs.pop("TagMapFile")
    # a service is a list of stubs or a plugin: if/then/else, so an editor points inside the
    # stub that is wrong instead of at "none of the choices"
    services = defs["TagMap"]["properties"]["services"]
    services["additionalProperties"] = {
        "if": {"type": "array"},
        "then": {"items": {"$ref": "#/$defs/TagMapStub"}},
        "else": {"$ref": "#/$defs/PluginService"},
    }
    return {
        "$schema": DRAFT,
        "title": "mockbdd tag-map file",
        **file,
        "$defs": {**stub_defs, **registry, **defs},
    }


def load_script_schema() -> Json:
    """``mockbdd load`` scripts (DESIGN §11)."""
    defs = _model_defs(LoadScriptModel)
    script = defs.pop("LoadScript")
    return {"$schema": DRAFT, "title": "mockbdd load script", **script, "$defs": defs}


def schema_json(extensions: Extensions = BUILTIN) -> Json:
    """Every schema, keyed by file kind."""
    return {
        "tagMapFile": tag_map_schema(extensions),
        "mappingFile": mapping_schema(extensions),
        "loadScript": load_script_schema(),
    }

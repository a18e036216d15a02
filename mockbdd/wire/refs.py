"""The loosely typed JSON fields that the registry decides (content patterns, delay types,
faults, transformers), marked for the JSON Schema (``DEF_REF``: ``tagmaps/schema.py`` makes each
a ``$ref`` to a definition it generates from the registry).

A module of its own so the delay types' models (``wire/delays.py``, loaded with the first delay)
can name them without loading the StubMapping models of :mod:`mockbdd.wire.models`, which come
with the first mapping (idle RSS: ``bench/run.py rss``)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import WithJsonSchema

DEF_REF = "x-mockbdd-def"  # becomes a $ref to a definition tagmaps/schema.py makes (the registry's)


def ref(name: str) -> WithJsonSchema:
    return WithJsonSchema({DEF_REF: name})


PatternJson = Annotated[dict[str, Any], ref("ContentPattern")]
MultiValuePatternJson = Annotated[dict[str, Any], ref("MultiValuePattern")]
DelayDistributionJson = Annotated[dict[str, Any], ref("DelayDistribution")]
FaultName = Annotated[str, ref("Fault")]
TransformerName = Annotated[str, ref("TransformerName")]

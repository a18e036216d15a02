"""CRUD collections served json-server style (DESIGN §13): the ``crud`` response transformer
over the namespace's collections (``mockbdd.domain.collections``), imported on first use."""

from __future__ import annotations

from mockbdd.domain.responses import TRANSFORMERS, LazyTransformer
from mockbdd.extensions import Extensions


def register(extensions: Extensions) -> None:
    extensions.add(TRANSFORMERS, "crud", LazyTransformer("mockbdd.crud.transformer", "Crud"))

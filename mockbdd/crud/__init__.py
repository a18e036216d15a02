"""CRUD collections served json-server style (DESIGN §13): the ``crud`` response transformer
over the namespace's collections (``mockbdd.domain.collections``)."""

from __future__ import annotations

from mockbdd.crud.transformer import Crud
from mockbdd.domain.responses import TRANSFORMERS
from mockbdd.extensions import Extensions


def register(extensions: Extensions) -> None:
    extensions.add(TRANSFORMERS, "crud", Crud())

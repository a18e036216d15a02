"""Tag maps applied server-side (``POST /__admin/namespaces {"tagMaps"}``, ``/tag-maps/{name}/apply``)."""

from __future__ import annotations

from pathlib import Path

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.stubs import StubMapping


def resolve_for_server(tag_maps_dir: Path | None, tags: list[str]) -> list[StubMapping]:
    if tag_maps_dir is None:
        raise InvalidInput("/tagMaps", "this server has no tag maps: start it with --tag-maps DIR")
    raise InvalidInput("/tagMaps", "tag maps are not available yet")

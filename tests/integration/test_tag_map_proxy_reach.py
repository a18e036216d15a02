"""Issue 10 point 10: a tag-map stub whose proxyBaseUrl the server may not reach is refused
when the tag map is applied or a namespace opened with it, as a stub created directly is."""

from __future__ import annotations

from pathlib import Path

import httpx

from mockbdd import MockServer

MAPS = """\
version: 1
maps:
  via_proxy:
    services:
      payments:
        - request: {method: GET, path: /x}
          response: {proxyBaseUrl: "http://evil.example"}
"""


def test_a_tag_map_proxy_to_a_refused_origin_is_refused_when_opened(tmp_path: Path) -> None:
    (tmp_path / "maps.yaml").write_text(MAPS)
    with MockServer(tag_maps=str(tmp_path), proxy_allow=("http://allowed.example",)) as server:
        admin = f"{server.url}/__admin"
        opened = httpx.post(f"{admin}/namespaces", json={"tagMaps": ["via_proxy"]})
        assert opened.status_code == 400, opened.text  # as a bad body of this route is
        assert "proxy target http://evil.example:80 is not allowed by --proxy-allow" in opened.text
        assert "/tagMaps" in opened.text
        applied = httpx.post(f"{admin}/tag-maps/via_proxy/apply", json={})
        assert applied.status_code == 422, applied.text
        assert "proxy target http://evil.example:80 is not allowed" in applied.text
        # nothing half-applied
        assert httpx.get(f"{admin}/mappings").json()["mappings"] == []

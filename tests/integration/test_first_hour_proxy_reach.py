"""Issue 10, point 10: bound beyond loopback, a proxy reaches only the ``--proxy-allow``
origins and those the loaded mapping files name; another is refused with 422 at creation."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path

import httpx

from tests.bdd._suites import serving as serve_subprocess

TOKEN = {"Authorization": "Bearer sekret"}


def serving(*args: str) -> AbstractContextManager[str]:
    return serve_subprocess(*args, token="sekret")


def proxy_stub(target: str, path: str = "/p") -> dict[str, object]:
    return {"request": {"urlPath": path}, "response": {"proxyBaseUrl": target}}


def test_exposed_server_reaches_only_named_origins(tmp_path: Path) -> None:
    with serving("--admin-token", "sekret") as upstream:
        httpx.post(
            f"{upstream}/__admin/mappings",
            headers=TOKEN,
            json={"request": {"urlPath": "/p"}, "response": {"body": "upstream"}},
        )
        (tmp_path / "files.json").write_text(json.dumps(proxy_stub(upstream, "/from-file")))
        args = ["--host", "0.0.0.0", "--admin-token", "sekret", "--mappings", str(tmp_path)]
        with serving(*args, "--proxy-allow", "http://allowed.example:8443") as url:
            admin = f"{url}/__admin/mappings"
            # the origin a mapping file names is reachable, through a new stub too
            assert httpx.post(admin, headers=TOKEN, json=proxy_stub(upstream)).status_code == 201
            assert httpx.get(f"{url}/p").text == "upstream"
            allowed = httpx.post(
                admin, headers=TOKEN, json=proxy_stub("http://allowed.example:8443")
            )
            assert allowed.status_code == 201, allowed.text
            before = httpx.get(admin, headers=TOKEN).json()["meta"]["total"]
            refused = httpx.post(admin, headers=TOKEN, json=proxy_stub("http://evil.example"))
            assert refused.status_code == 422
            [error] = refused.json()["errors"]
            assert error["source"]["pointer"] == "/response/proxyBaseUrl"
            assert error["title"] == (
                "proxy target http://evil.example:80 is not an allowed target: the server is "
                "bound to 0.0.0.0, beyond loopback, so it reaches only the --proxy-allow origins "
                f"and those its mapping files name (allowed: {upstream}, "
                "http://allowed.example:8443); add --proxy-allow http://evil.example:80 to "
                "allow it"
            )
            imported = httpx.post(
                f"{admin}/import",
                headers=TOKEN,
                json={"mappings": [proxy_stub(upstream), proxy_stub("http://evil.example")]},
            )
            assert imported.status_code == 422
            assert imported.json()["errors"][0]["source"]["pointer"] == (
                "/mappings/1/response/proxyBaseUrl"
            )
            assert httpx.get(admin, headers=TOKEN).json()["meta"]["total"] == before


def test_a_loopback_server_proxies_anywhere_as_before() -> None:
    with serving() as url:
        created = httpx.post(f"{url}/__admin/mappings", json=proxy_stub("http://evil.example"))
        assert created.status_code == 201, created.text

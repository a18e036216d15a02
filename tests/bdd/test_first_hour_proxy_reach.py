"""Issue 10, point 10 through behave: a standalone server bound beyond loopback refuses a
scenario whose tag map proxies to an origin it may not reach, and the behave run says why; a
tag map proxying to a ``--proxy-allow`` origin works."""

from __future__ import annotations

from pathlib import Path

import httpx

from ._suites import behave, behave_suite, serving, write

TOKEN = "sekret"
FEATURE = """\
Feature: proxies

  @mock:via_upstream
  Scenario: an allowed origin is proxied
    When I send GET /p to "payments"
    Then the reply status is 200

  @mock:via_evil
  Scenario: a refused origin is refused with the reason
    When I send GET /p to "payments"
"""


def _maps(upstream: str) -> str:
    return f"""\
version: 1
maps:
  via_upstream:
    services:
      payments:
        - request: {{method: GET, path: /p}}
          response: {{proxyBaseUrl: "{upstream}"}}
  via_evil:
    services:
      payments:
        - request: {{method: GET, path: /p}}
          response: {{proxyBaseUrl: "http://evil.example"}}
"""


def test_behave_against_an_exposed_server_is_refused_a_proxy_to_an_unnamed_origin(
    tmp_path: Path,
) -> None:
    with serving() as upstream:
        # the upstream answers /payments/p: the proxied path keeps the service prefix
        stub = {"request": {"urlPath": "/payments/p"}, "response": {"body": "upstream"}}
        assert httpx.post(f"{upstream}/__admin/mappings", json=stub).status_code == 201
        suite = behave_suite(tmp_path, {"proxies.feature": FEATURE})
        write(suite, {"tag_maps/maps.yaml": _maps(upstream)})
        exposed = ("--host", "0.0.0.0", "--admin-token", TOKEN, "--proxy-allow", upstream)
        with serving(*exposed, token=TOKEN) as url:
            env = {"MOCKBDD_URL": url, "MOCKBDD_ADMIN_TOKEN": TOKEN, "MOCKBDD_TAG_MAPS": ""}
            done = behave(suite, "features/", "--format", "plain", env=env)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "1 scenario passed, 0 failed, 1 hook_error" in out, out
    assert (
        f"proxy target http://evil.example:80 is not an allowed target: the server is bound to "
        f"0.0.0.0, beyond loopback, so it reaches only the --proxy-allow origins and those its "
        f"mapping files name (allowed: {upstream}); add --proxy-allow http://evil.example:80 to "
        "allow it (a stub of tag map 'via_evil', tag_maps/maps.yaml:11, service 'payments'; "
        "applied at features/proxies.feature:9)"
    ) in out, out

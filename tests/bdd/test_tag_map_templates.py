"""A tag map's ``templates:`` folder (DESIGN §13): mockstack's routing and resource creation
under behave, over real HTTP, and what ``mockbdd lint`` and the loader say of a bad folder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from mockbdd.bdd.lint import run_lint

from ._suites import ENVIRONMENT, behave, write

TAG_MAPS = """\
version: 1
maps:
  users:
    templates: templates
    services:
      svc:
        - request: {method: GET, path: /user/9}
          response: {status: 200, body: from a stub}
"""

STEPS = """\
import httpx
from behave import then, when


@when('I call {method:w} {path:S} on "{service:w}"')
def call(context, method, path, service):
    body = {"name": "w"} if method in ("POST", "PUT", "PATCH") else None
    context.reply = httpx.request(method, context.mockbdd.url(service) + path, json=body)


@then('the answer is {status:d}')
def status_is(context, status):
    assert context.reply.status_code == status, (context.reply, context.reply.text)


@then('the answer is {status:d} with "{text}"')
def answer_is(context, status, text):
    assert context.reply.status_code == status, (context.reply, context.reply.text)
    assert context.reply.text == text, context.reply.text


@then('the answer is {status:d} with JSON field "{field}" = "{value}"')
def json_field(context, status, field, value):
    assert context.reply.status_code == status, (context.reply, context.reply.text)
    assert context.reply.headers["Content-Type"] == "application/json", context.reply.headers
    assert str(context.reply.json()[field]) == value, context.reply.text
"""

FEATURE = """\
Feature: template files from a tag map

  @mock:users
  Scenario: the most specific file answers, a stub wins over a file
    When I call GET /user/7 on "svc"
    Then the answer is 200 with "{"special": true}"
    When I call GET /user/8 on "svc"
    Then the answer is 200 with JSON field "id" = "8"
    When I call GET /user/9 on "svc"
    Then the answer is 200 with "from a stub"
    When I call GET /orders on "svc"
    Then the answer is 200 with "orders of GET"
    When I call GET /nothing/here on "svc"
    Then the answer is 404

  @mock:users
  Scenario: resources no file answers are created, replaced and deleted
    When I call POST /widgets on "svc"
    Then the answer is 201 with JSON field "name" = "w"
    When I call PUT /widgets/1 on "svc"
    Then the answer is 200 with JSON field "name" = "w"
    When I call DELETE /widgets/1 on "svc"
    Then the answer is 204

  Scenario: without the map, no file answers
    When I call GET /user/7 on "svc"
    Then the answer is 404
"""

FILES = {
    "tag_maps/templates/svc-user.j2": '{"id": "{{ request.pathParameters.id }}"}',
    "tag_maps/templates/svc-user.7.j2": '{"special": true}',
    "tag_maps/templates/svc-orders.j2": "orders of {{ request.method }}",
}


def test_under_behave(tmp_path: Path) -> None:
    write(tmp_path, {
        "environment.py": ENVIRONMENT,
        "steps/mock_steps.py": "from mockbdd.behave.steps import *  # noqa\n",
        "steps/call_steps.py": STEPS,
        "tag_maps/maps.yaml": TAG_MAPS,
        "features/templates.feature": FEATURE,
        **FILES,
    })  # fmt: skip
    done = behave(tmp_path)
    assert "3 scenarios passed, 0 failed" in done.stdout, done.stdout + done.stderr


def lint(project: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str]]:
    monkeypatch.chdir(project)
    monkeypatch.delenv("MOCKBDD_TAG_MAPS", raising=False)
    out = io.StringIO()
    code = run_lint([], out=out)
    return code, out.getvalue().splitlines()


def test_lint_names_the_template_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {
        "tag_maps/maps.yaml": TAG_MAPS,
        "features/t.feature": "Feature: f\n  @mock:users\n  Scenario: s\n    Given x\n",
        **FILES,
        "tag_maps/templates/svc-broken.j2": "ok\n{% if %}",
    })  # fmt: skip
    code, lines = lint(tmp_path, monkeypatch)
    assert code == 1
    assert lines[0] == (
        "tag_maps/maps.yaml:4:5: MBD007 'templates' (tag_maps/templates): template files that "
        "do not compile: svc-broken.j2:line 2: Expected an expression, got 'end of statement "
        "block' (map 'users')"
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("../elsewhere", "'templates' must be a folder inside tag_maps/, got '../elsewhere'"),
        ("/etc", "'templates' must be a folder inside tag_maps/, got '/etc'"),
        ("missing", "'templates': no folder tag_maps/missing"),
    ],
)
def test_a_folder_outside_the_maps_or_missing_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, message: str
) -> None:
    (tmp_path / "elsewhere").mkdir()
    write(tmp_path, {
        "tag_maps/maps.yaml": TAG_MAPS.replace("templates: templates", f"templates: {given}"),
        "features/t.feature": "Feature: f\n  Scenario: s\n    Given x\n",
    })  # fmt: skip
    code, lines = lint(tmp_path, monkeypatch)
    assert code == 1
    assert lines[0] == f"tag_maps/maps.yaml:4:5: MBD007 {message}", lines

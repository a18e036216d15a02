"""A plugin installed with pip reaches ``mockbdd serve`` through its ``mockbdd.plugins`` entry
point: its delay type, content operator, custom matcher and transformer are accepted and behave
over HTTP, on every path that decodes mappings; a clashing or broken plugin stops start-up.

The plugin packages are in ``tests/plugins``. Each test gets a temporary venv that sees this
project's packages through a ``.pth`` file, and the plugin is a real ``pip install`` into it
(with its dist-info and entry points), so nothing is installed into the project's own venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from mockbdd.domain.responses import TRANSFORMERS
from mockbdd.wire.builtins import BUILTIN

PLUGINS = Path(__file__).parents[1] / "plugins"
EXAMPLES = Path(__file__).parents[2] / "examples" / "plugins"  # the README's plugin guide
PROJECT_SITE = sysconfig.get_paths()["purelib"]


def pip_install(python: Path, package: str, work: Path, root: Path = PLUGINS) -> None:
    source = work / package
    shutil.copytree(root / package, source)  # setuptools writes build files next to it
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "--no-compile", "--disable-pip-version-check", str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def make_venv(root: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", root], check=True)
    python = root / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    # addsitedir, not a bare path: the project's own .pth files (its editable install) apply
    (Path(site) / "_mockbdd_project.pth").write_text(
        f"import site; site.addsitedir({PROJECT_SITE!r})\n"
    )
    return python


@pytest.fixture(scope="module")
def plugin_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("plugin")
    python = make_venv(work / "venv")
    pip_install(python, "mockbdd_test_plugin", work)
    return work / "venv"


@pytest.fixture(scope="module")
def plugged_server(plugin_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``mockbdd serve`` from the plugin's venv, with mapping files and tag maps using it."""
    mappings, tag_maps = write_files(tmp_path_factory.mktemp("files"))
    python = plugin_venv / "bin" / "python"
    with serving(python, "--mappings", str(mappings), "--tag-maps", str(tag_maps)) as url:
        yield url


@contextmanager
def serving(python: Path, *args: str) -> Iterator[str]:
    proc = subprocess.Popen(
        [python, "-m", "mockbdd", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "mockbdd 0.1.0 serving on http://127.0.0.1:PORT (...)"
        assert "serving on" in line, line + proc.communicate(timeout=10)[1]
        yield line.split("serving on ")[1].split()[0]
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


PLUGGED = {
    "request": {
        "method": "GET",
        "urlPathPattern": "/[a-z]+",
        "headers": {"X-Word": {"isPalindrome": True, "ignoreCase": True}},
        "customMatcher": {"name": "path-length", "parameters": {"max": 6}},
    },
    "response": {
        "status": 200,
        "body": "level",
        "delayDistribution": {"type": "exactly", "ms": 300},
        "transformers": ["upper"],
        "transformerParameters": {"exclaim": True},
    },
}


def write_files(tmp: Path) -> tuple[Path, Path]:
    mappings = tmp / "mappings"
    mappings.mkdir()
    from_file = {
        "request": {"urlPath": "/file", "bodyPatterns": [{"not": {"isPalindrome": True}}]},
        "response": {"body": "not a palindrome", "delayDistribution": {"type": "exactly", "ms": 0}},
    }
    (mappings / "plugged.json").write_text(json.dumps(from_file))
    tag_maps = tmp / "tag_maps"
    tag_maps.mkdir()
    (tag_maps / "slow.yaml").write_text(
        "version: 1\nmaps:\n  slow:\n    settings:\n"
        "      delayDistribution: {type: exactly, ms: 10}\n"
        "    services:\n      api:\n        - request: {path: /v1, customMatcher: "
        "{name: path-length, parameters: {max: 10}}}\n          response: {status: 204}\n"
    )
    return mappings, tag_maps


def test_a_pip_installed_plugin_is_used_by_every_decoding_path(plugged_server: str) -> None:
    with httpx.Client(base_url=plugged_server, timeout=10) as http:
        http.post("/__admin/reset")
        # a mapping file: the plugin operator, negated, in a body pattern
        assert http.post("/file", content=b"abc").text == "not a palindrome"
        assert http.post("/file", content=b"abcba").status_code == 404
        # the admin API: operator, custom matcher, delay type and transformer in one stub
        created = http.post("/__admin/mappings", json=PLUGGED)
        assert created.status_code == 201, created.text
        started = time.monotonic()
        assert http.get("/abcde", headers={"X-Word": "Level"}).status_code == 200
        assert time.monotonic() - started >= 0.3  # the plugin's delay was waited
        assert created.json()["response"]["transformers"] == ["upper"]
        unmatched = http.get("/abcde", headers={"X-Word": "levels"})
        assert unmatched.status_code == 404
        assert "isPalindrome" in unmatched.text  # the near-miss report describes it
        too_long = http.get("/abcdefgh", headers={"X-Word": "abba"})
        assert too_long.status_code == 404
        assert "customMatcher path-length" in too_long.text
        # a verification pattern with the custom matcher
        pattern = {"customMatcher": {"name": "path-length", "parameters": {"max": 6}}}
        assert http.post("/__admin/requests/count", json=pattern).json()["count"] == 4
        # settings: the plugin's encode writes its delay type back
        slow = {"delayDistribution": {"type": "exactly", "ms": 5}}
        assert http.post("/__admin/settings", json=slow).status_code == 200
        assert http.get("/__admin/settings").json()["settings"] == slow
        # a namespace created with plugin mappings, and a tag map using them
        ns = http.post("/__admin/namespaces", json={"name": "p", "mappings": [PLUGGED]})
        assert ns.status_code == 201, ns.text
        applied = http.post("/__admin/tag-maps/slow/apply", json={})
        assert applied.status_code == 200, applied.text
        assert http.get("/api/v1").status_code == 204


REFUSED = [
    ({"delayDistribution": {"type": "exact"}}, "/response/delayDistribution/type",
     "must be one of the registered delay types (fixed, uniform, lognormal, normal, exponential, "
     "pareto, poisson, mixture, percentiles, empirical, exactly), got "
     "'exact'; did you mean 'exactly'?"),
    ({"delayDistribution": {"type": "exactly", "ms": -1}}, "/response/delayDistribution/ms",
     "must be at least 0, got -1"),
    ({"transformers": ["lower"]}, "/response/transformers/0",
     "must be one of the registered response transformers (" + ", ".join((*BUILTIN.names(TRANSFORMERS), "upper")) + "), got 'lower'"),
    ({"transformers": ["upper"], "transformerParameters": {"exclaim": "yes"}},
     "/response/transformerParameters", "'exclaim' must be true or false"),
]  # fmt: skip


def test_plugin_names_and_parameters_are_checked_in_mockbdds_voice(plugged_server: str) -> None:
    with httpx.Client(base_url=plugged_server, timeout=10) as http:
        before = http.get("/__admin/mappings").json()
        for response, pointer, reason in REFUSED:
            resp = http.post("/__admin/mappings", json={"request": {}, "response": response})
            assert resp.status_code == 422, resp.text
            error = resp.json()["errors"][0]
            assert (error["source"]["pointer"], error["title"]) == (pointer, reason)
        bad_matcher = {"customMatcher": {"name": "path-length", "parameters": {"max": 0}}}
        resp = http.post("/__admin/requests/count", json=bad_matcher)
        assert resp.status_code == 422
        assert resp.json()["errors"][0] == {
            "code": 10,
            "source": {"pointer": "/customMatcher/parameters"},
            "title": "path-length needs 'max', a whole number of at least 1",
        }
        unknown = http.post("/__admin/requests/count", json={"customMatcher": {"name": "len"}})
        assert unknown.json()["errors"][0]["title"] == (
            "must be one of the registered custom matchers (template-files, path-length), got 'len'"
        )
        assert http.get("/__admin/mappings").json() == before  # nothing was added


def test_a_clashing_and_a_broken_plugin_stop_start_up_naming_both(
    plugin_venv: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    shutil.copytree(plugin_venv, venv, symlinks=True)
    python = venv / "bin" / "python"
    pip_install(python, "mockbdd_bad_plugin", tmp_path)
    done = subprocess.run(
        [python, "-m", "mockbdd", "serve", "--port", "0"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr == (
        "mockbdd serve: 2 plugins cannot be used:\n"
        "  plugin 'broken' (mockbdd_bad_plugin.missing:register) cannot be loaded: "
        "No module named 'mockbdd_bad_plugin.missing'\n"
        "  delay type 'exactly' is registered twice (plugin 'clash' "
        "(mockbdd_bad_plugin:register_clash), plugin 'test' (mockbdd_test_plugin:register))\n"
    )


def test_mockbdd_schema_from_the_venv_offers_the_plugins_names(plugin_venv: Path) -> None:
    done = subprocess.run(
        [plugin_venv / "bin" / "python", "-m", "mockbdd", "schema", "mappingFile"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    defs = json.loads(done.stdout)["$defs"]
    builtin = list(BUILTIN.names(TRANSFORMERS))
    assert defs["TransformerName"] == {"enum": [*builtin, "upper"]}
    assert defs["CustomMatcherName"] == {"enum": ["template-files", "path-length"]}
    assert {"required": ["isPalindrome"]}.items() <= defs["ContentPattern"]["oneOf"][-1].items()
    types = [branch["properties"]["type"]["const"] for branch in defs["DelayDistribution"]["oneOf"]]
    assert types == [
        "fixed", "uniform", "lognormal", "normal", "exponential", "pareto", "poisson", "mixture",
        "percentiles", "empirical", "exactly",
    ]  # fmt: skip


def test_the_readme_example_plugin_installs_lists_and_serves(tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv")
    pip_install(python, "mockbdd_example_plugin", tmp_path, root=EXAMPLES)
    listed = subprocess.run(
        [python, "-m", "mockbdd", "plugins", "--json"],
        check=True, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    found = json.loads(listed.stdout)
    assert [(p["name"], p["distribution"]) for p in found["plugins"]] == [
        ("example", "mockbdd-example-plugin")
    ]
    origin = "plugin 'example' (mockbdd_example_plugin:register)"
    by_kind = {
        kind: {e["name"]: e["origin"] for e in entries}
        for kind, entries in found["extensions"].items()
    }
    assert by_kind["response transformer"]["stamp"] == origin
    assert by_kind["response transformer"]["openai-chat"] == "mockbdd"
    assert by_kind["custom matcher"] == {"template-files": "mockbdd", "json-items": origin}
    assert by_kind["service plugin"] == {
        "binance_spot": "mockbdd",
        "kraken_spot": "mockbdd",
        "clock": origin,
    }
    text = subprocess.run(
        [python, "-m", "mockbdd", "plugins"], check=True, capture_output=True, text=True
    ).stdout
    assert "1 plugin installed" in text
    assert "stamp  [plugin 'example'" in text

    with serving(python) as url, httpx.Client(base_url=url, timeout=10) as http:
        stub = {
            "request": {
                "method": "POST",
                "urlPath": "/orders",
                "customMatcher": {"name": "json-items", "parameters": {"field": "items", "min": 2}},
            },
            "response": {"status": 201, "transformers": ["stamp"],
                         "transformerParameters": {"value": "example"}},
        }  # fmt: skip
        assert http.post("/__admin/mappings", json=stub).status_code == 201
        two = http.post("/orders", json={"items": [1, 2]})
        assert (two.status_code, two.headers["X-Stamp"]) == (201, "example")
        assert http.post("/orders", json={"items": [1]}).status_code == 404
        mounted = http.post(
            "/__admin/plugins/clock/mount", json={"service": "time", "config": {"epoch": 1000}}
        )
        assert mounted.status_code == 201, mounted.text
        assert [http.get("/time/now").json()["now"] for _ in range(2)] == [1000, 1001]
        bad = http.post(
            "/__admin/plugins/clock/mount", json={"service": "t", "config": {"step": "x"}}
        )
        assert bad.json()["errors"][0]["title"] == "clock: 'step' must be a whole number of seconds"


PLUGGED_MAPS = """\
version: 1
maps:
  shouting:
    services:
      words:
        - request:
            method: POST
            path: /v1/echo
            bodyPatterns: [{isPalindrome: true, ignoreCase: true}]
            customMatcher: {name: path-length, parameters: {max: 20}}
          response:
            status: 200
            body: level
            delayDistribution: {type: exactly, ms: 1}
            transformers: [upper]
            transformerParameters: {exclaim: true}
"""

PLUGGED_FEATURE = """\
Feature: a tag map naming a plugin's operator, matcher, delay type and transformer

  @mock:shouting
  Scenario: the plugin's transformer shapes the answer
    When I send the palindrome "Level" to "words"
    Then the answer is "LEVEL!"
"""

PLUGGED_STEPS = """\
import httpx
from behave import then, when

@when('I send the palindrome "{word}" to "{service}"')
def send(context, word, service):
    context.reply = httpx.post(context.mockbdd.url(service) + "/v1/echo", content=word)

@then('the answer is "{text}"')
def answer(context, text):
    assert context.reply.text == text, (context.reply.status_code, context.reply.text)
"""


def plugged_suite(root: Path) -> Path:
    from tests.bdd._suites import ENVIRONMENT, write

    return write(
        root,
        {
            "environment.py": ENVIRONMENT,
            "steps/mock_steps.py": "from mockbdd.behave.steps import *  # noqa\n",
            "steps/plugged_steps.py": PLUGGED_STEPS,
            "tag_maps/plugged.yaml": PLUGGED_MAPS,
            "features/plugged.feature": PLUGGED_FEATURE,
        },
    )


def test_behave_and_lint_accept_a_plugin_named_in_a_tag_map(
    plugin_venv: Path, tmp_path: Path
) -> None:
    suite = plugged_suite(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKBDD_")}
    python = plugin_venv / "bin" / "python"

    def run(executable: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [executable, "-m", *args], cwd=suite, env=env,
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    ran = run(python, "behave", "--no-color", "--format", "plain", "features/")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "1 scenario passed, 0 failed" in ran.stdout
    linted = run(python, "mockbdd", "lint", "features", "--tag-maps", "tag_maps")
    assert linted.returncode == 0, linted.stdout + linted.stderr
    # without the plugin (this project's own venv) the same tag map is refused, by name
    bare = run(sys.executable, "mockbdd", "lint", "features", "--tag-maps", "tag_maps")
    assert bare.returncode == 1, bare.stdout + bare.stderr
    assert "MBD007" in bare.stdout
    assert "isPalindrome" in bare.stdout


CLOCK_MAPS = """\
version: 1
maps:
  clock_at:
    params: {epoch: {type: int, default: 100}}
    services:
      clock: {plugin: clock, config: {epoch: "{epoch}", step: 10}}
"""

CLOCK_FEATURE = """\
Feature: a service answered by a plugin

  @mock:clock_at:epoch=1000
  Scenario: the tag map mounts the clock
    When the client reads the clock twice
    Then it reads 1000 then 1010
"""

CLOCK_STEPS = """\
import httpx
from behave import then, when


@when("the client reads the clock twice")
def reads(context):
    url = context.mockbdd.url("clock") + "/now"
    context.reads = [httpx.get(url).json()["now"] for _ in range(2)]


@then("it reads {a:d} then {b:d}")
def it_reads(context, a, b):
    assert context.reads == [a, b], context.reads
"""


def test_a_tag_map_mounts_the_example_service_plugin_under_behave(tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv")
    pip_install(python, "mockbdd_example_plugin", tmp_path, root=EXAMPLES)
    suite = tmp_path / "suite"
    for name, text in {
        "environment.py": (
            "import mockbdd.behave as m\n"
            "def before_all(c): m.before_all(c)\n"
            "def before_scenario(c, s): m.before_scenario(c, s)\n"
            "def after_scenario(c, s): m.after_scenario(c, s)\n"
        ),
        "steps/mock_steps.py": "from mockbdd.behave.steps import *  # noqa\n",
        "steps/clock_steps.py": CLOCK_STEPS,
        "tag_maps/clock.yaml": CLOCK_MAPS,
        "features/clock.feature": CLOCK_FEATURE,
    }.items():
        (suite / name).parent.mkdir(parents=True, exist_ok=True)
        (suite / name).write_text(text)
    done = subprocess.run(
        [python, "-m", "behave", "--no-color"],
        cwd=suite, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 scenario passed" in done.stdout

"""The README's examples work: runnable Python blocks run, the others compile, the tag map loads
and resolves, and the feature passes ``mockbdd lint`` against it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mockbdd.bdd.lint import lint_text
from mockbdd.tagmaps.registry import TagMapRegistry
from mockbdd.tagmaps.resolve import resolve

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL)


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCKS if lang == language]


def test_readme_has_the_two_setup_commands() -> None:
    shell = "\n".join(blocks("sh"))
    assert "make demo" in shell
    assert "make test" in shell


@pytest.mark.parametrize("code", [b for b in blocks("python") if b.startswith("# run")])
def test_runnable_python_blocks_run(code: str, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(code)
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_other_python_blocks_compile() -> None:
    others = [b for b in blocks("python") if not b.startswith("# run")]
    assert others
    for code in others:
        compile(code, "README.md", "exec")


def test_tag_map_loads_and_every_map_resolves() -> None:
    (text,) = blocks("yaml")
    registry = TagMapRegistry.from_texts({"README.md": text})
    for name in registry.names():
        assert resolve(registry, scenario=[f"@mock:{name}"]).applied_maps


def test_feature_passes_lint_against_the_tag_map() -> None:
    registry = TagMapRegistry.from_texts({"README.md": blocks("yaml")[0]})
    (feature,) = blocks("gherkin")
    assert lint_text(feature, "README.feature", registry) == []


def test_runnable_example_prints_the_near_miss_diff(tmp_path: Path) -> None:
    code = next(b for b in blocks("python") if b.startswith("# run"))
    script = tmp_path / "example.py"
    script.write_text(code)
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60
    )
    assert "/api/users/1" in result.stdout
    assert "/api/users/2" in result.stdout


def test_json_mapping_blocks_load_and_the_template_example_renders() -> None:
    import json

    import httpx

    from mockbdd.server.embedded import MockServer

    mappings = [json.loads(b) for b in blocks("json")]
    assert mappings
    with MockServer() as server, httpx.Client(base_url=server.url, timeout=10) as http:
        for mapping in mappings:
            created = http.post("/__admin/mappings", json=mapping)
            assert created.status_code == 201, created.text
        answer = http.post(
            "/orders/7",
            json={"items": [{"sku": "A-1"}, {"sku": "B-2"}]},
            headers={"X-Request-Id": "r-1"},
        )
    assert answer.headers["X-Request-Id"] == "r-1"
    body = answer.json()
    assert (body["id"], body["first"], body["count"]) == ("7", "A-1", "2")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", body["at"])


def test_the_json_body_from_schema_example_generates_valid_data() -> None:
    import httpx
    import jsonschema

    from mockbdd.server.embedded import MockServer

    schema = {
        "type": "object",
        "required": ["name", "city"],
        "properties": {"name": {"type": "string"}, "city": {"type": "string"}},
    }
    assert "jsonBodyFromSchema" in README
    with MockServer(seed=1) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        stub = {"request": {"url": "/p"}, "response": {"jsonBodyFromSchema": schema}}
        assert http.post("/__admin/mappings", json=stub).status_code == 201
        jsonschema.validate(http.get("/p").json(), schema)


def test_the_pytest_bdd_module_runs_the_feature_against_the_tag_map(tmp_path: Path) -> None:
    """The README's pytest-bdd example as a user lays it out: its module, its feature and its
    tag map, run by pytest in a subprocess outside the repository."""
    (module,) = [b for b in blocks("python") if b.startswith("# tests/test_checkout.py")]
    (tmp_path / "tests").mkdir()
    (tmp_path / "tag_maps").mkdir()
    (tmp_path / "tests" / "test_checkout.py").write_text(module)
    (tmp_path / "tests" / "checkout.feature").write_text(blocks("gherkin")[0])
    (tmp_path / "tag_maps" / "shop.yaml").write_text(blocks("yaml")[0])
    (tmp_path / "pytest.ini").write_text("[pytest]\nmockbdd_tag_maps = tag_maps\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("MOCKBDD_")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def _step_rows() -> dict[int, str]:
    rows: dict[int, list[str]] = {}
    for number, text in re.findall(r"^\| (\d+) \| (.*) \|$", README, flags=re.MULTILINE):
        rows.setdefault(int(number), []).append(text)
    return {n: " ".join(texts) for n, texts in rows.items()}


def test_the_step_table_gives_every_phrase_its_docstring_table_columns_and_subsets() -> None:
    """Issue 10 point 7: each shipped phrase is in the README's table as the runners register
    it; a table-taking phrase names its columns (or what its rows are), a docstring-taking one
    says so, and the JSON comparisons that are subsets (19, 25) say it."""
    from mockbdd.bdd.hints import display
    from mockbdd.bdd.vocabulary import PHRASES, Extra

    rows = _step_rows()
    for phrase in PHRASES:
        row = rows.get(phrase.number, "")
        where = f"README step table, phrase {phrase.number}"
        spellings = {row.replace("(s)", "s"), row.replace("(s)", "")}  # "request(s)": both
        assert any(f"`{display(phrase.pattern)}`" in r for r in spellings), where
        if phrase.extra is Extra.TABLE:
            assert re.search(r"\(`\\\| \w+ \\\|.*\\\|`|\(table", row), f"{where}: columns"
        if phrase.extra is Extra.DOCSTRING:
            assert "docstring" in row, f"{where}: docstring"
    assert "`\\| field \\| value \\|`" in rows[12]
    for number in (19, 25):
        assert "a subset" in rows[number]
    assert "The JSON comparisons of phrases 19 and 25 are subsets" in README


def test_the_install_section_names_each_extra_and_what_it_brings() -> None:
    """Issue 10 point 1: behave, pytest and speed each have their pip line naming the packages
    pyproject.toml's extra installs."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # no tomllib on 3.10
    extras = {
        name: re.findall(r'"([^"]+)"', items)
        for name, items in re.findall(r"^(\w+) = \[(.*?)\]", pyproject, flags=re.MULTILINE)
    }
    shell = "\n".join(blocks("sh"))
    for extra in ("behave", "pytest", "speed"):
        (line,) = [x for x in shell.splitlines() if f'pip install "mockbdd[{extra}]"' in x]
        for requirement in extras[extra]:
            package = re.split(r"[<>=;\[ ]", requirement, maxsplit=1)[0]
            assert package in line, f"the {extra} line does not name {package}: {line}"


def test_the_behave_steps_without_behave_say_which_extra_to_install(tmp_path: Path) -> None:
    code = """\
import sys


class NotInstalled:  # behave and its modules cannot be found, as when it is not installed
    def find_spec(self, name, path, target=None):
        if name.partition(".")[0] == "behave":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


sys.meta_path.insert(0, NotInstalled())
from mockbdd.behave.steps import *
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "ModuleNotFoundError: mockbdd.behave needs behave, which is not installed: pip install "
        '"mockbdd[behave]" (the pytest marker, fixture and unittest mixin need no extra)'
    )
    assert "mockbdd.behave needs behave" in README


def test_the_documented_userdata_syntax_and_default_folder_work(tmp_path: Path) -> None:
    """Issue 10 point 2: the README says where tag maps are read from by default, and its
    ``[tool.behave.userdata]`` block, as written, points behave at another folder."""
    from tests.bdd._suites import TAG_MAPS, behave, behave_suite, write

    assert "they are read from `tag_maps/` in the current directory" in README
    (toml,) = [b for b in blocks("toml") if b.startswith("[tool.behave.userdata]")]
    feature = (
        'Feature: f\n  @mock:slow\n  Scenario: s\n    When I send GET /v1/slow to "payments"\n'
    )
    suite = behave_suite(tmp_path, {"f.feature": feature})
    (suite / "tag_maps" / "maps.yaml").unlink()
    (suite / "tag_maps").rmdir()
    write(suite, {"mocks/maps.yaml": TAG_MAPS, "pyproject.toml": toml})
    done = behave(suite, "features/", "--format", "plain", env={"MOCKBDD_TAG_MAPS": ""})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 scenario passed" in done.stdout

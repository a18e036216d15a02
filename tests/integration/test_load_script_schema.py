"""The load script's JSON Schema (``mockbdd schema loadScript``) agrees with the parser: the
README's and DESIGN's scripts validate and parse; bad scripts fail both."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from mockbdd.domain.errors import InvalidInput
from mockbdd.load.script import parse_script
from mockbdd.tagmaps.schema import load_script_schema

ROOT = Path(__file__).resolve().parents[2]
DESIGN_SCRIPT = {
    "target": "http://127.0.0.1:8080",
    "seed": 7,
    "arrivals": "poisson",
    "maxInFlight": 1000,
    "timeout": "5s",
    "requests": [
        {"method": "GET", "path": "/api/users/1", "weight": 3},
        {"method": "POST", "path": "/v1/charges", "json": {"amount": 100}, "weight": 1},
    ],
    "stages": [
        {"kind": "constant", "rate": 200, "duration": "30s"},
        {"kind": "ramp", "from": 200, "to": 1000, "duration": "60s"},
        {"kind": "spike", "base": 200, "peak": 2000, "at": "10s", "hold": "5s", "duration": "30s"},
        {"kind": "cycle", "min": 100, "max": 800, "period": "20s", "duration": 60},
    ],
    "thresholds": {"p99": "250ms", "errorRate": 0.01},
}


def validator() -> jsonschema.Draft202012Validator:
    schema = load_script_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def readme_script() -> Any:
    """The script of the README's ``mockbdd load`` example, its target filled in."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Load generation: `mockbdd load`") :]
    text = re.search(r'script\.write_text\(f"""(.*?)"""\)', section, re.S)
    assert text is not None, "the README's load example has moved"
    body = text.group(1).replace("{server.url}", "http://127.0.0.1:8080")
    return yaml.safe_load(body.replace("{{", "{").replace("}}", "}"))


@pytest.mark.parametrize("script", [DESIGN_SCRIPT, readme_script()], ids=["design", "readme"])
def test_the_documented_scripts_validate_and_parse(script: Any) -> None:
    assert list(validator().iter_errors(script)) == []
    parse_script(script)


BAD: list[tuple[str, Any]] = [
    ("/stages/0/kind", {"stages": [{"kind": "rmap", "from": 1, "to": 2, "duration": "1s"}]}),
    ("/arrivals", {"arrivals": "bursty"}),
    ("/maxInFlight", {"maxInFlight": 0}),
    ("/timeout", {"timeout": "five seconds"}),
    ("/requests", {"requests": []}),
    ("/requests/0/path", {"requests": [{"method": "GET", "path": "api"}]}),
    ("/requests/0/method", {"requests": [{"method": "get", "path": "/"}]}),
    ("/thresholds/p98", {"thresholds": {"p98": "1s"}}),
    ("/colour", {"colour": "red"}),
    ("/stages/0/rate", {"stages": [{"kind": "constant", "rate": -1, "duration": "1s"}]}),
]


@pytest.mark.parametrize(("field", "change"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_script_fails_the_schema_and_the_parser(field: str, change: dict[str, Any]) -> None:
    script = {**DESIGN_SCRIPT, **change}
    assert list(validator().iter_errors(script)), f"the schema accepts a bad {field}"
    with pytest.raises(InvalidInput) as refused:
        parse_script(script)
    assert str(refused.value).startswith(field) or field in str(refused.value)


def test_mockbdd_schema_prints_the_load_script_schema() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mockbdd", "schema", "loadScript"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == load_script_schema()

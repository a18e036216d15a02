"""Loading tag-map files: validation with file:line errors, the registry, load_registry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mockbdd.tagmaps.errors import TagMapError, TagMapLoadError
from mockbdd.tagmaps.params import BoundValue, ParamDef
from mockbdd.tagmaps.registry import TagMapRegistry, load_registry

DATA = Path(__file__).parent / "data"

Build = Callable[..., TagMapRegistry]


def load_errors(make_registry: Build, text: str, **more: str) -> list[str]:
    with pytest.raises(TagMapLoadError) as info:
        make_registry(text, **more)
    assert str(info.value) == "\n".join(e.render() for e in info.value.errors)
    return [str(e) for e in info.value.errors]


def test_load_dir_reads_yaml_and_yml(shop_registry: TagMapRegistry) -> None:
    assert shop_registry.names() == ("base", "checkout_failure", "out_of_stock", "payments_slow")
    assert shop_registry.source is not None
    assert shop_registry.source.endswith("data/tag_maps")
    slow = shop_registry.get("payments_slow")
    assert slow.params == {
        "delay": ParamDef("delay", "duration", BoundValue("duration", "2s", 2000), "added latency")
    }
    assert slow.line == 22
    assert slow.file.endswith("data/tag_maps/shop.yaml")
    assert slow.services == ("payments",)
    assert shop_registry.get("checkout_failure").extends == ("base",)
    assert shop_registry.ancestors("out_of_stock") == frozenset({"base"})
    assert shop_registry.get("out_of_stock").scenarios == {"checkout": "started"}
    assert "base" in shop_registry
    assert "nope" not in shop_registry
    assert len(shop_registry) == 4


def test_file_names_are_relative_to_cwd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    registry = TagMapRegistry.load_dir(Path("tag_maps"))
    assert registry.get("base").file == "tag_maps/shop.yaml"
    assert registry.source == "tag_maps"


def test_describe(shop_registry: TagMapRegistry) -> None:
    described = {d["name"]: d for d in shop_registry.describe()}
    assert described["payments_slow"]["params"] == {
        "delay": {
            "type": "duration",
            "default": "2s",
            "required": False,
            "description": "added latency",
        }
    }
    assert described["base"]["services"] == {"inventory": 1, "payments": 1}
    assert described["checkout_failure"]["extends"] == ["base"]
    assert described["checkout_failure"]["description"] == (
        "Payment provider fails twice, then recovers"
    )
    assert described["base"]["tag"] == "@mock:base"


def test_responses_must_be_a_list(make_registry: Build) -> None:
    text = """version: 1
maps:
  pay:
    services:
      payments:
        - request: {method: POST, urlPath: /v1/charges}
          responses:
            status: 503
"""
    assert load_errors(
        make_registry,
        text,
    ) == ["tag_maps/test.yaml:7: 'responses' must be a list"]


def test_yaml_syntax_error_has_line(make_registry: Build) -> None:
    text = "version: 1\nmaps:\n  a:\n    services: [\n"
    assert load_errors(make_registry, text) == [
        "tag_maps/test.yaml:5: invalid YAML: expected the node content, but found '<stream end>'"
    ]


def test_duplicate_yaml_key_is_an_error(make_registry: Build) -> None:
    text = """version: 1
maps:
  a:
    description: one
    description: two
"""
    assert load_errors(make_registry, text) == [
        "tag_maps/test.yaml:5: invalid YAML: duplicate key 'description'"
    ]


def test_unknown_key_names_closest(make_registry: Build) -> None:
    text = """version: 1
maps:
  a:
    extend: [b]
  b:
    servces: {}
"""
    assert load_errors(make_registry, text) == [
        "tag_maps/test.yaml:4: unknown key 'extend' in map 'a'; did you mean 'extends'? "
        "(known keys: description, extends, params, services, settings, scenarios, collections, data, "
        "templates)",
        "tag_maps/test.yaml:6: unknown key 'servces' in map 'b'; did you mean 'services'? "
        "(known keys: description, extends, params, services, settings, scenarios, collections, data, "
        "templates)",
    ]


def test_nested_model_errors(make_registry: Build) -> None:
    text = """version: 1
maps:
  a:
    params:
      delay: {type: duraton}
      n: {type: int, defalt: 3}
    settings:
      chaos: 3
    extends: base
"""
    errors = load_errors(make_registry, text)
    assert errors == [
        "tag_maps/test.yaml:5: 'type' must be one of 'duration', 'int', 'str', got 'duraton' "
        "in map 'a'",
        "tag_maps/test.yaml:6: unknown key 'defalt' in map 'a'; did you mean 'default'? "
        "(known keys: type, default, description)",
        "tag_maps/test.yaml:8: 'chaos' must be a mapping in map 'a'",
        "tag_maps/test.yaml:9: 'extends' must be a list in map 'a'",
    ]


def test_file_level_errors(make_registry: Build) -> None:
    assert load_errors(make_registry, "maps: {}\n") == [
        "tag_maps/test.yaml:1: 'version' is required"
    ]
    assert load_errors(make_registry, "version: 2\nmaps: {}\n") == [
        "tag_maps/test.yaml:1: 'version' must be 1"
    ]
    assert load_errors(make_registry, "- a\n") == [
        "tag_maps/test.yaml:1: a tag-map file is a mapping: 'version: 1' and 'maps:'"
    ]
    assert load_errors(make_registry, "version: 1\nmaps: {}\nextra: 1\n") == [
        "tag_maps/test.yaml:3: unknown key 'extra' (known keys: version, maps)"
    ]


def test_map_and_service_names(make_registry: Build) -> None:
    text = """version: 1
maps:
  Bad Name: {}
  ok:
    services:
      "pay/ments": []
"""
    assert load_errors(make_registry, text) == [
        "tag_maps/test.yaml:3: map name 'Bad Name' must match [a-z0-9_.-]+ "
        "(it is used as @mock:<name>)",
        "tag_maps/test.yaml:6: service name 'pay/ments' must match [A-Za-z0-9_.-]+ "
        "(it becomes a URL prefix)",
    ]


def test_stub_shape_errors(make_registry: Build) -> None:
    text = """version: 1
maps:
  a:
    params:
      name: {type: str, default: x}
    services:
      payments:
        - request: {method: GET, path: /a, urlPath: /a}
        - request: {method: GET, urlPath: /b}
          respone: {status: 200}
        - request: {method: GET, urlPath: /c}
          response: {status: 200, json: {}, body: x}
        - request: {method: GET, urlPath: /d}
          response: {status: 200, delay: soon}
        - request: {method: GET, urlPath: /e}
          response: {status: 200, delay: "{dly}"}
        - request: {method: GET, urlPath: /f}
          response: {status: 200, delay: "{name}"}
        - request: {method: GET, urlPath: /g}
          response: {status: 200}
          responses: [{status: 200}]
        - request: {method: GET, urlPath: /h}
          responses: []
        - request: {method: GET, urlPath: /i}
          responses: [{status: 200}, 3]
        - request: GET /j
          whenExhausted: loop
"""
    assert load_errors(make_registry, text) == [
        "tag_maps/test.yaml:8: use only one of path, urlPath",
        "tag_maps/test.yaml:10: unknown stub key 'respone'; did you mean 'response'?",
        "tag_maps/test.yaml:12: use only one of json, body",
        "tag_maps/test.yaml:14: 'delay': expected a duration such as 250ms, 2s, 1.5s or 1m "
        "(a bare number is milliseconds), got 'soon'",
        "tag_maps/test.yaml:16: 'delay': unknown parameter {dly} (declared: name)",
        "tag_maps/test.yaml:18: 'delay': parameter 'name' must have type duration or int, not str",
        "tag_maps/test.yaml:21: use either 'response' or 'responses', not both",
        "tag_maps/test.yaml:23: 'responses' must not be empty",
        "tag_maps/test.yaml:25: 'responses[1]' must be a mapping",
        "tag_maps/test.yaml:26: 'request' must be a mapping",
        "tag_maps/test.yaml:27: 'whenExhausted' needs 'responses'",
    ]


def test_bad_param_default(make_registry: Build) -> None:
    text = """version: 1
maps:
  a:
    params:
      delay: {type: duration, default: soon}
      code: {type: int, default: "5x"}
"""
    assert load_errors(make_registry, text) == [
        "tag_maps/test.yaml:5: default of parameter 'delay' (duration): expected a duration "
        "such as 250ms, 2s, 1.5s or 1m (a bare number is milliseconds), got 'soon'",
        "tag_maps/test.yaml:6: default of parameter 'code' (int): expected an integer, got '5x'",
    ]


def test_settings_delay_checks(make_registry: Build) -> None:
    text = """version: 1
maps:
  a:
    settings: {delay: 1s, fixedDelay: 3}
  b:
    settings:
      delay: later
"""
    assert load_errors(make_registry, text) == [
        "tag_maps/test.yaml:4: use either 'delay' or 'fixedDelay', not both",
        "tag_maps/test.yaml:7: 'delay': expected a duration such as 250ms, 2s, 1.5s or 1m "
        "(a bare number is milliseconds), got 'later'",
    ]


def test_duplicate_map_across_files_names_both(make_registry: Build) -> None:
    one = "version: 1\nmaps:\n  base: {}\n"
    two = "version: 1\nmaps:\n  other: {}\n  base: {}\n"
    assert load_errors(make_registry, one, zz=two) == [
        "tag_maps/zz.yaml:4: map 'base' is also defined at tag_maps/test.yaml:3; "
        "map names must be unique across tag-map files"
    ]


def test_unknown_extends_suggests(make_registry: Build) -> None:
    text = "version: 1\nmaps:\n  base: {}\n  a:\n    extends: [bsae]\n"
    assert load_errors(make_registry, text) == [
        "tag_maps/test.yaml:5: map 'a' extends unknown map 'bsae'; did you mean 'base'?"
    ]


def test_extends_cycles(make_registry: Build) -> None:
    text = """version: 1
maps:
  a:
    extends: [b]
  b:
    extends:
      - c
      - a
  c: {}
  self:
    extends: [self]
"""
    assert load_errors(make_registry, text) == [
        "tag_maps/test.yaml:8: extends cycle: a -> b -> a",
        "tag_maps/test.yaml:11: extends cycle: self -> self",
    ]


def test_yaml_anchors_and_merge_keys_work(make_registry: Build) -> None:
    text = """version: 1
maps:
  a:
    services:
      payments:
        - &ok
          request: {method: GET, urlPath: /a}
          response: {status: 200}
        - <<: *ok
          request: {method: GET, urlPath: /b}
"""
    registry = make_registry(text)
    bodies = [dict(s.body) for s in registry.get("a").stubs]
    assert bodies[1] == {"request": {"method": "GET", "urlPath": "/b"}, "response": {"status": 200}}


def test_load_registry_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOCKBDD_TAG_MAPS", raising=False)
    monkeypatch.chdir(tmp_path)
    empty = load_registry()
    assert (empty.names(), empty.source) == ((), None)

    (tmp_path / "tag_maps").mkdir()
    (tmp_path / "tag_maps" / "a.yaml").write_text("version: 1\nmaps:\n  local: {}\n")
    assert load_registry().names() == ("local",)
    assert load_registry().source == "tag_maps"

    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "b.yaml").write_text("version: 1\nmaps:\n  from_env: {}\n")
    monkeypatch.setenv("MOCKBDD_TAG_MAPS", str(other))
    assert load_registry().names() == ("from_env",)
    assert load_registry(tmp_path / "tag_maps").names() == ("local",)

    monkeypatch.setenv("MOCKBDD_TAG_MAPS", str(tmp_path / "missing"))
    with pytest.raises(TagMapError) as info:
        load_registry()
    assert str(info.value) == (
        f"missing: tag-map folder {tmp_path / 'missing'} does not exist (from $MOCKBDD_TAG_MAPS)"
    )


def test_more_shape_errors(make_registry: Build) -> None:
    text = """version: 1
maps:
  1: {}
  a:
    params:
      p: {default: 1}
    scenarios: {s: [1]}
    data: []
"""
    assert load_errors(make_registry, text) == [
        "tag_maps/test.yaml:3: key '1' must be a string: quote it",
        "tag_maps/test.yaml:6: 'type' is required in map 'a'",
        "tag_maps/test.yaml:7: 's' must be a string in map 'a'",
        "tag_maps/test.yaml:8: 'data' must be a mapping in map 'a'",
    ]


def test_load_dir_of_one_file_and_of_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "one.yaml").write_text("version: 1\nmaps:\n  solo: {}\n")
    assert TagMapRegistry.load_dir("one.yaml").names() == ("solo",)
    with pytest.raises(TagMapError) as info:
        TagMapRegistry.load_dir("missing_dir")
    assert (
        str(info.value) == f"missing_dir: tag-map folder {tmp_path / 'missing_dir'} does not exist"
    )

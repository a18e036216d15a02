"""The extension registry: typed kinds, duplicates, freezing, derived tables, entry points."""

from __future__ import annotations

from importlib import metadata

import pytest

from mockbdd.extensions import (
    ENTRY_POINT_GROUP,
    ExtensionError,
    Extensions,
    Kind,
    assemble,
    load_plugins,
)

COLOURS: Kind[str] = Kind("colour", lambda name, entry: "" if entry.islower() else "lower case")
SIZES: Kind[int] = Kind("size")


def test_entries_per_kind_in_registration_order() -> None:
    ext = Extensions()
    ext.add(COLOURS, "b", "blue")
    ext.add(COLOURS, "a", "amber")
    ext.add(SIZES, "a", 1)  # another kind: the same name does not clash
    assert ext.names(COLOURS) == ("b", "a")
    assert list(ext.items(COLOURS)) == [("b", "blue"), ("a", "amber")]
    assert ext.get(COLOURS, "a") == "amber"
    assert ext.get(COLOURS, "z") is None
    assert ext.get(SIZES, "a") == 1
    assert ext.origin(COLOURS, "b") == "mockbdd"
    assert ext.names(Kind("unused")) == ()


def test_a_name_twice_names_both_origins() -> None:
    ext = Extensions()
    ext.add(COLOURS, "red", "red", origin="first")
    with pytest.raises(ExtensionError) as info:
        ext.add(COLOURS, "red", "crimson", origin="second")
    assert str(info.value) == "colour 'red' is registered twice (first, second)"
    assert ext.get(COLOURS, "red") == "red"


def test_the_kind_refuses_what_does_not_fit_naming_the_origin() -> None:
    ext = Extensions()
    with pytest.raises(ExtensionError) as info:
        ext.add(COLOURS, "red", "RED", origin="plugin 'x'")
    assert str(info.value) == "plugin 'x': colour 'red': lower case"
    with pytest.raises(ExtensionError, match="needs a non-empty name"):
        ext.add(SIZES, "", 1)


def test_frozen_refuses_additions_and_derived_tables_are_built_once() -> None:
    built: list[Extensions] = []

    def table(ext: Extensions) -> tuple[str, ...]:
        built.append(ext)
        return ext.names(COLOURS)

    ext = Extensions()
    ext.add(COLOURS, "red", "red")
    with pytest.raises(ExtensionError, match="frozen"):
        ext.derived(table)  # a table of a registry still being assembled would go stale
    assert ext.freeze() is ext
    assert ext.frozen
    with pytest.raises(ExtensionError, match="in use"):
        ext.add(COLOURS, "blue", "blue")
    assert ext.derived(table) == ("red",)
    assert ext.derived(table) == ("red",)
    assert built == [ext]


def test_an_entry_on_first_use_is_made_at_its_first_lookup_and_kept() -> None:
    made: list[str] = []

    def teal() -> str:
        made.append("teal")
        return "teal"

    ext = Extensions()
    ext.add_on_first_use(COLOURS, "teal", teal)
    ext.add(COLOURS, "red", "red")
    assert ext.names(COLOURS) == ("teal", "red")  # named, not made
    assert made == []
    with pytest.raises(ExtensionError, match=r"colour 'teal' is registered twice \(mockbdd, p\)"):
        ext.add(COLOURS, "teal", "teal", origin="p")  # the name is taken at registration
    ext.freeze()
    assert list(ext.items(COLOURS)) == [("teal", "teal"), ("red", "red")]
    assert ext.get(COLOURS, "teal") == "teal"
    assert made == ["teal"]  # once
    with pytest.raises(ExtensionError, match="in use"):
        ext.add_on_first_use(COLOURS, "blue", lambda: "blue")


def test_an_entry_on_first_use_is_checked_when_made_naming_its_origin() -> None:
    ext = Extensions()
    ext.add_on_first_use(COLOURS, "red", lambda: "RED", origin="plugin 'x'")
    with pytest.raises(ExtensionError) as info:
        ext.get(COLOURS, "red")
    assert str(info.value) == "plugin 'x': colour 'red': lower case"


def _plugin_a(ext: Extensions) -> None:
    ext.add(COLOURS, "teal", "teal")
    assert ext.get(COLOURS, "red") == "red"  # sees the built-ins registered before it


def _plugin_b(ext: Extensions) -> None:
    ext.add(SIZES, "xl", 40)


def _plugin_clash(ext: Extensions) -> None:
    ext.add(COLOURS, "red", "red")


def _plugin_fails(ext: Extensions) -> None:
    raise RuntimeError("boom")


NOT_CALLABLE = 3


def ep(name: str, attr: str) -> metadata.EntryPoint:
    return metadata.EntryPoint(name, f"{__name__}:{attr}", ENTRY_POINT_GROUP)


def builtins(ext: Extensions) -> None:
    ext.add(COLOURS, "red", "red")


def test_plugins_register_through_the_same_add_attributed_to_their_entry_point() -> None:
    ext = assemble([builtins], entry_points=[ep("b", "_plugin_b"), ep("a", "_plugin_a")])
    assert ext.frozen
    assert ext.plugins == ("a", "b")  # sorted by name: a deterministic order
    assert ext.names(COLOURS) == ("red", "teal")
    assert ext.origin(COLOURS, "teal") == f"plugin 'a' ({__name__}:_plugin_a)"
    assert ext.origin(COLOURS, "red") == "mockbdd"
    assert assemble([builtins], plugins=False, entry_points=[ep("a", "_plugin_a")]).plugins == ()


def test_every_failing_plugin_is_named_at_once() -> None:
    bad = [
        ep("clash", "_plugin_clash"),
        ep("fails", "_plugin_fails"),
        ep("gone", "no_such_attribute"),
        ep("number", "NOT_CALLABLE"),
        metadata.EntryPoint("missing", "no_such_module_here:register", ENTRY_POINT_GROUP),
        ep("ok", "_plugin_b"),
    ]
    with pytest.raises(ExtensionError) as info:
        assemble([builtins], entry_points=bad)
    lines = str(info.value).splitlines()
    assert lines[0] == "5 plugins cannot be used:"
    assert (
        lines[1]
        == f"  colour 'red' is registered twice (mockbdd, plugin 'clash' ({__name__}:_plugin_clash))"
    )
    assert lines[2] == f"  plugin 'fails' ({__name__}:_plugin_fails) failed to register: boom"
    assert lines[3].startswith(f"  plugin 'gone' ({__name__}:no_such_attribute) cannot be loaded: ")
    assert lines[4] == (
        "  plugin 'missing' (no_such_module_here:register) cannot be loaded: "
        "No module named 'no_such_module_here'"
    )
    assert lines[5] == (
        f"  plugin 'number' ({__name__}:NOT_CALLABLE) is not callable: it must take the Extensions"
    )


def test_one_failing_plugin_is_one_line() -> None:
    ext = Extensions()
    with pytest.raises(ExtensionError) as info:
        load_plugins(ext, [ep("fails", "_plugin_fails")])
    assert str(info.value) == f"plugin 'fails' ({__name__}:_plugin_fails) failed to register: boom"


def test_the_installed_entry_points_are_read_by_default() -> None:
    # the project's own venv has no plugin installed (tests/plugins are installed elsewhere)
    assert load_plugins(Extensions()).plugins == ()

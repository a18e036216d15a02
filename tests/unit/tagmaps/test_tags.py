"""parse_tag: one normaliser for behave, pytest-bdd and gherkin tag strings."""

from __future__ import annotations

import pytest
from behave.model import Tag as BehaveTag

from mockbdd.tagmaps.errors import MockBddError, TagSyntaxError, UnknownReservedTagError
from mockbdd.tagmaps.tags import MockTag, ReservedTag, make_mock_tag, parse_tag


@pytest.mark.parametrize("raw", ["@mock:checkout_failure", "mock:checkout_failure"])
def test_plain_tag_with_or_without_at(raw: str) -> None:
    assert parse_tag(raw) == MockTag(name="checkout_failure", raw=raw)


def test_behave_tag_str_subclass() -> None:
    tag = parse_tag(BehaveTag("mock:payments_slow:delay=300ms", 3))
    assert tag == MockTag(
        "payments_slow", (("delay", "300ms"),), raw="mock:payments_slow:delay=300ms"
    )
    assert isinstance(tag, MockTag)
    assert type(tag.raw) is str


def test_params_are_sorted_and_kept_as_text() -> None:
    tag = parse_tag("@mock:svc.v2-x:b=2;a=x=y")
    assert isinstance(tag, MockTag)
    assert tag.name == "svc.v2-x"
    assert tag.params == (("a", "x=y"), ("b", "2"))
    assert tag.param_dict == {"a": "x=y", "b": "2"}
    assert tag.canonical == "@mock:svc.v2-x:a=x=y;b=2"
    assert tag.tag == "@mock:svc.v2-x"
    assert not tag.off


def test_off_tag() -> None:
    tag = parse_tag("@mock:base:off")
    assert tag == MockTag("base", (), off=True, raw="@mock:base:off")
    assert isinstance(tag, MockTag)
    assert tag.canonical == "@mock:base:off"


@pytest.mark.parametrize("raw", ["@wip", "slow", "@mock", "@mocked:x", "@Mock:x", "mockbdd"])
def test_other_tags_are_not_ours(raw: str) -> None:
    assert parse_tag(raw) is None


@pytest.mark.parametrize(
    ("raw", "name"), [("@mockbdd:strict", "strict"), ("mockbdd:shared", "shared")]
)
def test_reserved_tags(raw: str, name: str) -> None:
    assert parse_tag(raw) == ReservedTag(name, raw=raw)  # type: ignore[arg-type]


def test_unknown_reserved_tag_suggests() -> None:
    with pytest.raises(UnknownReservedTagError) as info:
        parse_tag("@mockbdd:strikt")
    assert info.value.detail == (
        "unknown reserved tag @mockbdd:strikt; did you mean @mockbdd:strict? "
        "(reserved: @mockbdd:shared, @mockbdd:strict)"
    )
    assert info.value.code == "MBD001"


def test_reserved_tag_takes_no_parameters() -> None:
    with pytest.raises(TagSyntaxError, match=r"@mockbdd:strict takes no parameters"):
        parse_tag("@mockbdd:strict:on")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "@mock:payments(status=503,delay=2s)",
            "invalid tag @mock:payments(status=503,delay=2s): '(' is not allowed in tags: "
            "behave treats () as tag-expression grouping; write @mock:payments:delay=2s;status=503",
        ),
        (
            "@mock:payments[delay=2s]",
            "invalid tag @mock:payments[delay=2s]: '[' is not allowed in tags: behave's tag "
            "expressions read [] as a wildcard character class; write @mock:payments:delay=2s",
        ),
        (
            "@mock:payments:a=1,b=2",
            "invalid tag @mock:payments:a=1,b=2: ',' is not allowed in tags: behave's "
            "tag-expression parser splits on ',' and fails; write @mock:payments:a=1;b=2",
        ),
        (
            "@mock:pay*",
            "invalid tag @mock:pay*: '*' is not allowed in tags: behave's tag expressions read "
            "* as a wildcard; write @mock:name:key=value;key2=value",
        ),
        (
            "@mock:pay?",
            "invalid tag @mock:pay?: '?' is not allowed in tags: behave's tag expressions read "
            "? as a wildcard; write @mock:name:key=value;key2=value",
        ),
        ("@mock:a b", "invalid tag @mock:a b: tags may not contain whitespace"),
        ("@mock:", "invalid tag @mock:: the map name is missing (@mock:<name>)"),
        (
            "@mock:Checkout",
            "invalid tag @mock:Checkout: map names use lowercase letters, digits, '_', '.' and "
            "'-' ([a-z0-9_.-]+)",
        ),
        (
            "@mock:ex_<name>",
            "invalid tag @mock:ex_<name>: <placeholders> in tags are expanded by behave only, "
            "not by pytest-bdd or gherkin; name the map literally",
        ),
        (
            "@mock:slow:delay",
            "invalid tag @mock:slow:delay: expected key=value after the map name, got 'delay' "
            "(write @mock:name:key=value;key2=value, or @mock:name:off)",
        ),
        (
            "@mock:slow:1x=2",
            "invalid tag @mock:slow:1x=2: parameter name '1x' must match [A-Za-z_][A-Za-z0-9_]*",
        ),
        ("@mock:slow:delay=", "invalid tag @mock:slow:delay=: parameter 'delay' has no value"),
        (
            "@mock:slow:d=1;d=2",
            "invalid tag @mock:slow:d=1;d=2: parameter 'd' is given twice",
        ),
        (
            "@mock:slow:d=1;",
            "invalid tag @mock:slow:d=1;: expected key=value after the map name, got '' "
            "(write @mock:name:key=value;key2=value, or @mock:name:off)",
        ),
    ],
)
def test_malformed_tags(raw: str, message: str) -> None:
    with pytest.raises(TagSyntaxError) as info:
        parse_tag(raw)
    assert info.value.detail == message
    assert info.value.code == "MBD002"
    assert str(info.value) == f"mockbdd: {message}"


def test_syntax_error_gets_a_location() -> None:
    with pytest.raises(TagSyntaxError) as info:
        parse_tag("@mock:x(a=1)")
    located = info.value.located("features/a.feature", 7)
    assert isinstance(located, TagSyntaxError)
    assert str(located).endswith(" at features/a.feature:7")
    assert located.detail == info.value.detail
    assert isinstance(located, MockBddError)


def test_make_mock_tag_validates() -> None:
    assert make_mock_tag("payments_slow", {"delay": "300ms"}) == MockTag(
        "payments_slow", (("delay", "300ms"),), raw="mock:payments_slow:delay=300ms"
    )
    with pytest.raises(TagSyntaxError, match="',' is not allowed"):
        make_mock_tag("x", {"a": "1,2"})

"""mockbdd tags: the listing of maps."""

from __future__ import annotations

from mockbdd.tagmaps.listing import list_tags
from mockbdd.tagmaps.registry import TagMapRegistry


def test_list_tags(shop_registry: TagMapRegistry) -> None:
    text = list_tags(shop_registry)
    shop = shop_registry.get("base").file
    extra = shop_registry.get("out_of_stock").file
    assert text == (
        f"@mock:base  ({shop}:3)\n"
        "    Catalogue and stock are up\n"
        "    services: inventory (1 stub), payments (1 stub)\n"
        f"@mock:checkout_failure  ({shop}:12)\n"
        "    Payment provider fails twice, then recovers\n"
        "    extends: @mock:base\n"
        "    services: payments (1 stub)\n"
        f"@mock:out_of_stock  ({extra}:3)\n"
        "    extends: @mock:base\n"
        "    services: inventory (1 stub)\n"
        "    scenarios: checkout=started\n"
        f"@mock:payments_slow  ({shop}:22)\n"
        "    param delay: duration, default 2s — added latency\n"
        "    usage: @mock:payments_slow:delay=<duration>\n"
        "    services: payments (1 stub)\n"
        "\n"
        "reserved tags:\n"
        "  @mockbdd:strict  fail on unmatched requests and unused stubs at scenario end\n"
        "  @mockbdd:shared  use the default namespace, reset before the scenario\n"
    )


def test_list_tags_empty_and_required_params() -> None:
    assert list_tags(TagMapRegistry()).splitlines()[0] == (
        "no tag maps found (looked in ./tag_maps and $MOCKBDD_TAG_MAPS)"
    )
    registry = TagMapRegistry.from_texts(
        {
            "m.yaml": "version: 1\nmaps:\n  fail:\n    params: {code: {type: int}}\n"
            "    settings: {delay: 1s}\n"
        }
    )
    assert list_tags(registry).splitlines()[:4] == [
        "@mock:fail  (m.yaml:3)",
        "    param code: int, required",
        "    usage: @mock:fail:code=<int>",
        "    settings: delay",
    ]

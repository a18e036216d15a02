"""A ``webSocket`` stub's message conditions under its namespace's settings
(``MessageConditions.under``): the stub's chaos and network over the namespace's, the
namespace's delays added to the stub's, and nothing built when the namespace adds nothing."""

from __future__ import annotations

from mockbdd.domain.delays import FixedDelay, UniformDelay
from mockbdd.domain.namespace import Settings
from mockbdd.domain.simulation import Chaos, Network, Simulation
from mockbdd.domain.websockets import MessageConditions, MessageRateLimit

STUB_CHAOS = Chaos(drop_rate=0.1)
NS_CHAOS = Chaos(error_rate=0.2, seed=3)
NS_NETWORK = Network(latency_ms=50)


def test_without_namespace_settings_the_stubs_conditions_are_kept_as_they_are() -> None:
    own = MessageConditions(delay=FixedDelay(5), chaos=STUB_CHAOS)
    assert own.under(Settings()) is own


def test_the_stubs_chaos_and_network_win_over_the_namespaces() -> None:
    own = MessageConditions(chaos=STUB_CHAOS, network=Network(latency_ms=1))
    settings = Settings(simulation=Simulation(chaos=NS_CHAOS, network=NS_NETWORK))
    assert own.under(settings) is own


def test_the_namespace_fills_what_the_stub_leaves_and_adds_its_delays() -> None:
    limit = MessageRateLimit(10, 1000)
    own = MessageConditions(delay=FixedDelay(5), rate_limit=limit)
    spread = UniformDelay(10, 20)
    settings = Settings(
        fixed_delay_ms=100,
        delay_distribution=spread,
        simulation=Simulation(chaos=NS_CHAOS, network=NS_NETWORK),
    )
    got = own.under(settings)
    assert got == MessageConditions(
        FixedDelay(5), NS_CHAOS, NS_NETWORK, limit, (FixedDelay(100), spread)
    )
    assert got.on_sends


def test_a_rate_limit_alone_draws_nothing_for_what_is_sent() -> None:
    only = MessageConditions(rate_limit=MessageRateLimit(1, 1000))
    assert only
    assert not only.on_sends
    assert only.under(Settings(fixed_delay_ms=7)).on_sends

"""ccxt against both exchange plugins, REST and WebSocket (``ccxt.pro``, shipped in the same
package): the URLs are overridden to the mock, nothing else. ``binance`` loads the spot markets
from ``exchangeInfo``, fetches OHLCV and watches the kline stream (SUBSCRIBE on ``/ws``);
``kraken`` watches the v2 ``ohlc`` channel; each stream agrees with its REST candles."""

from __future__ import annotations

import asyncio
from typing import Any

import ccxt
import ccxt.pro as ccxtpro
import pytest

from mockbdd.exchanges import ExchangeType, MockedCandleFeedServer

BINANCE = "https://api.binance.com"
SPOT_ONLY = {"fetchMarkets": {"types": ["spot"]}}  # no futures endpoints to mock


def _binance(exchange: Any, feed: MockedCandleFeedServer) -> Any:
    api = exchange.urls["api"]
    for name, url in list(api.items()):
        if isinstance(url, str) and url.startswith(BINANCE + "/api"):
            api[name] = feed.url + url[len(BINANCE) :]
    if "ws" in api:  # ccxt.pro's
        api["ws"]["spot"] = feed.ws_url
    return exchange


def _kraken(exchange: Any, feed: MockedCandleFeedServer) -> Any:
    api = exchange.urls["api"]
    api.update({"public": feed.url, "private": feed.url})
    if "ws" in api:  # ccxt.pro's
        api["ws"] = {**api["ws"], "publicV2": feed.ws_url}
    return exchange


async def test_ccxt_binance_rest_and_stream_agree() -> None:
    pairs = [("BTCUSDT", "1m", 50000.0)]
    async with MockedCandleFeedServer(
        ExchangeType.BINANCE_SPOT, trading_pairs=pairs, seed=7
    ) as feed:
        rest = _binance(ccxt.binance({"enableRateLimit": False, "options": SPOT_ONLY}), feed)
        assert list(await asyncio.to_thread(rest.load_markets)) == ["BTC/USDT"]
        candles = await asyncio.to_thread(rest.fetch_ohlcv, "BTC/USDT", "1m", None, 5)
        assert len(candles) == 5
        pro = _binance(ccxtpro.binance({"enableRateLimit": False, "options": SPOT_ONLY}), feed)
        try:
            watched = await asyncio.wait_for(pro.watch_ohlcv("BTC/USDT", "1m"), 10)
        finally:
            await pro.close()
        since = watched[-1][0]  # the minute may have turned since the REST call
        (again,) = await asyncio.to_thread(rest.fetch_ohlcv, "BTC/USDT", "1m", since, 1)
        assert again[:4] == watched[-1][:4]
        pushed = feed.admin.count_websocket_messages({"contains": "SUBSCRIBE"}, direction="in")
        assert pushed == 1


async def test_ccxt_pro_kraken_watches_the_ohlc_channel() -> None:
    pairs = [("BTC/USD", "1m", 50000.0)]
    async with MockedCandleFeedServer(
        ExchangeType.KRAKEN_SPOT, trading_pairs=pairs, seed=7
    ) as feed:
        rest = _kraken(ccxt.kraken({"enableRateLimit": False}), feed)
        pro = _kraken(ccxtpro.kraken({"enableRateLimit": False}), feed)
        try:
            snapshot = await asyncio.wait_for(pro.watch_ohlcv("BTC/USD", "5m"), 10)
            update = await asyncio.wait_for(pro.watch_ohlcv("BTC/USD", "5m"), 10)
        finally:
            await pro.close()
        candles = {c[0]: c for c in await asyncio.to_thread(rest.fetch_ohlcv, "BTC/USD", "5m")}
        assert len(snapshot) == 10  # the snapshot's candles
        assert all(c[0] in candles for c in snapshot)
        latest = candles[update[-1][0]]
        # REST rounds to 0.1; the oldest ccxt admitted hands the stream's open on as a string
        assert float(update[-1][1]) == pytest.approx(latest[1], rel=1e-5)

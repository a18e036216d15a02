"""Recording as real WireMock 3.13.2 records: every session of ``bench/wiremock_diff_recording.py``
(RecordSpec options, snapshots, persisted files, load-back) run against mockbdd over real sockets
and compared with what WireMock did, stored by ``make wiremock-diff-recording`` with
``--write-golden`` in ``tests/data/wiremock_3_13_2/recordings.json``. Only the differences the
harness explains (``EXPECTED``, each with its reason) may remain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.wiremock_diff_recording import (
    GOLDEN,
    RCase,
    Upstream,
    cases,
    differences,
    fingerprint,
    load_back,
    normalised,
    session,
)
from mockbdd.server.embedded import MockServer

GOLDEN_CASES: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
ANSWERED = GOLDEN_CASES.pop("_cases")  # the fingerprint of the cases WireMock answered
CASES = {case.name: case for case in cases()}


def canonical(mapping: Any) -> str:
    return json.dumps(mapping, sort_keys=True)


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    with Upstream() as up:
        yield up


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("root")


@pytest.fixture(scope="module")
def server(root: Path) -> Iterator[MockServer]:
    with MockServer(root_dir=root) as s:
        yield s


def test_every_case_has_wiremocks_answer() -> None:
    # a case changed without WireMock's answer refreshed: rerun the harness with --write-golden
    assert (ANSWERED, sorted(GOLDEN_CASES)) == (fingerprint(), sorted(CASES))


@pytest.mark.parametrize("name", sorted(CASES))
def test_recording_matches_wiremock(
    name: str, server: MockServer, root: Path, upstream: Upstream
) -> None:
    case: RCase = CASES[name]
    ours = session(server.url, root, upstream, case)
    found = differences(name, GOLDEN_CASES[name], ours)
    unexplained = [
        f"{d.path}: WireMock {d.wiremock}, mockbdd {d.mockbdd}" for d in found if not d.reason
    ]
    assert unexplained == []
    if case.spec.get("persist", True) and ours["answer"][0] == 200:
        # the files alone load back, unchanged, into a server started on them
        recorded = ours["answer"][1]["mappings"]
        with MockServer(root_dir=root) as fresh, httpx.Client(base_url=fresh.url) as http:
            listed = [normalised(m) for m in http.get("/__admin/mappings").json()["mappings"]]
        assert sorted(map(canonical, listed)) == sorted(map(canonical, recorded))


@pytest.mark.parametrize("name", sorted(CASES))
def test_wiremocks_recordings_load_back_unchanged(name: str, server: MockServer) -> None:
    status, answer = GOLDEN_CASES[name]["answer"]
    mappings = answer.get("mappings", []) if status == 200 else []
    assert load_back(server.url, mappings) == []

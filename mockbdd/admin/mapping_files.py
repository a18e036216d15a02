"""The root's mapping folder as WireMock's ``JsonFileMappingsSource`` keeps it: which file each
stub came from or was written to, so that removing a persistent stub removes its file.

WireMock 3.13.2 writes a stub's file when it is created or edited with ``"persistent": true``
and on ``POST /mappings/save``; removing one stub (``DELETE /mappings/{id}``, remove by metadata,
unmatched, ``deleteAllNotInImport``) deletes its file when the stub is persistent;
``DELETE /mappings`` deletes the files of every stub it knows a file of; resets delete nothing
(they reload the folder, as mockbdd's do). mockbdd differs in one point, on purpose: ``DELETE /mappings`` deletes
only the files of persistent stubs, never a hand-written mapping file without ``persistent``
(WireMock deletes every mapping file it loaded, which a test's clean-up should not do to
files under version control). Stubs of a ``{"mappings": [...]}`` file are read-only, as in
WireMock: removing a persistent one is refused and nothing changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mockbdd.admin.types import Conflict
from mockbdd.domain.stubs import StubMapping
from mockbdd.records import record
from mockbdd.wire.files import LoadedStub
from mockbdd.wire.mappings import stub_to_json

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def saved_file_name(stub: StubMapping) -> str:
    """``<name>-<id>.json`` (the name made safe for a file name), or ``<id>.json``."""
    safe = _UNSAFE_NAME.sub("-", stub.name or "").strip("-").lower()[:80]
    return f"{safe}-{stub.id}.json" if safe else f"{stub.id}.json"


@dataclass(slots=True)
class _File:
    path: Path
    multi: bool
    persistent: bool  # whether the stub now in memory is persistent (WireMock's check)


@record
class Write:
    """A mapping to write (the file's text) once the registry has said where."""

    path: Path
    text: str


class MappingFiles:
    """The files of the root's stubs under ``folder``; the writes and deletions to make are
    planned here (on the event loop) and done by ``apply`` (in a thread)."""

    def __init__(self, folder: Path, loaded: Iterable[LoadedStub] = ()) -> None:
        self.folder = folder
        self._files: dict[str, _File] = {
            item.stub.id: _File(item.path, item.multi, item.stub.persistent) for item in loaded
        }

    def has_file(self, stub_id: str) -> bool:
        return stub_id in self._files

    def reloaded(self, loaded: Iterable[LoadedStub]) -> None:
        """What a reset read from the folder (WireMock's reset reloads it): the registry anew."""
        self._files = {
            item.stub.id: _File(item.path, item.multi, item.stub.persistent) for item in loaded
        }

    def save(self, stubs: Iterable[StubMapping]) -> list[Write]:
        """Each stub to its file (the one it came from, else ``saved_file_name``), marked
        persistent; a stub of a multi-mapping file is refused before anything is planned."""
        stubs = list(stubs)
        for stub in stubs:
            self._writable(stub.id, "saved")
        writes = []
        for stub in stubs:
            known = self._files.get(stub.id)
            path = known.path if known is not None else self.folder / saved_file_name(stub)
            self._files[stub.id] = _File(path, False, True)
            text = json.dumps({**stub_to_json(stub), "persistent": True}, indent=2) + "\n"
            writes.append(Write(path, text))
        return writes

    def mark_persistent(self, stub_ids: Iterable[str]) -> None:
        for stub_id in stub_ids:
            known = self._files.get(stub_id)
            if known is not None:
                known.persistent = True

    def track(self, stub: StubMapping, path: Path) -> None:
        """A persistent stub written elsewhere (a persisted recording)."""
        self._files[stub.id] = _File(path, False, True)

    def edited(self, stub: StubMapping) -> list[Write]:
        """WireMock's edit: a persistent stub is written again; one that is no longer
        persistent keeps its file, and removing it later leaves the file."""
        if stub.persistent:
            return self.save([stub])
        known = self._files.get(stub.id)
        if known is not None:
            known.persistent = False
        return []

    def remove(self, stub_ids: Iterable[str]) -> dict[str, Path]:
        """The files to delete for these stubs, by stub id: the persistent ones'; a persistent
        stub of a multi-mapping file is refused before anything is planned."""
        owned = [i for i in stub_ids if i in self._files and self._files[i].persistent]
        for stub_id in owned:
            self._writable(stub_id, "removed")
        return {stub_id: self._files.pop(stub_id).path for stub_id in owned}

    def _writable(self, stub_id: str, verb: str) -> None:
        known = self._files.get(stub_id)
        if known is not None and known.multi:
            raise Conflict(
                f"stub {stub_id!r} was loaded from the multi-mapping file {known.path.name!r}, "
                f"which is read-only: it cannot be {verb} (WireMock's rule); split the file "
                "into one mapping per file to let the API change it"
            )


def apply(writes: Iterable[Write], deletions: Iterable[Path] = ()) -> list[str]:
    """Do the planned writes and deletions (a file already gone is fine); the written names."""
    names = []
    for write in writes:
        write.path.parent.mkdir(parents=True, exist_ok=True)
        write.path.write_text(write.text, encoding="utf-8")
        names.append(write.path.name)
    for path in deletions:
        path.unlink(missing_ok=True)
    return names

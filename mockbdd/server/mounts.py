"""Service plugins mounted into namespaces (DESIGN §14): ``POST /__admin/plugins/{name}/mount``
makes a plugin answer every request under ``/<service>`` of the namespace before the stubs do
(an admit stage that takes part only in namespaces with a mount). A mount's state is its own;
mounting a service again replaces it, and closing the namespace closes its mounts."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Mapping
from typing import Any

from mockbdd.domain.errors import InvalidInput, NotFound
from mockbdd.domain.frozen import freeze, thaw
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.domain.service_plugins import (
    SERVICE_PLUGINS,
    MountedService,
    Reconfigurable,
    ServicePlugin,
)
from mockbdd.extensions import Extensions
from mockbdd.records import record
from mockbdd.server.stages import Hooks
from mockbdd.services import check_service
from mockbdd.wire.errors import unknown_name

log = logging.getLogger("mockbdd.server")
_TEXT = (("Content-Type", "text/plain; charset=utf-8"),)


@record
class Mount:
    plugin: str
    service: str
    config: Mapping[str, Any]
    mounted: MountedService


class ServiceMounts:
    """One per server; ``stage`` is its admit stage."""

    def __init__(self, extensions: Extensions) -> None:
        self._plugins: dict[str, ServicePlugin] = dict(extensions.items(SERVICE_PLUGINS))
        self._mounts: weakref.WeakKeyDictionary[Namespace, dict[str, Mount]] = (
            weakref.WeakKeyDictionary()
        )
        self.stage = Hooks(admit=self._admit, active=self._active)

    @property
    def plugins(self) -> tuple[str, ...]:
        return tuple(self._plugins)

    def listed(self, ns: Namespace) -> list[Mount]:
        return list(self._mounts.get(ns, {}).values())

    async def mount(
        self, ns: Namespace, plugin: str, service: Any, config: Any
    ) -> tuple[Mount, bool]:
        """Mount ``plugin`` as ``service``; (the mount, whether it replaced one). Raises
        ``InvalidInput`` naming the field for an unknown plugin or a config it refuses."""
        found = self._plugins.get(plugin)
        if found is None:
            raise InvalidInput(
                "/plugin", unknown_name(SERVICE_PLUGINS.label, plugin, self._plugins)
            )
        if not isinstance(service, str):
            raise InvalidInput("/service", "the service to mount it as, a name like 'market'")
        try:
            check_service(service)
        except ValueError as exc:
            raise InvalidInput("/service", str(exc)) from None
        if config is None:
            config = {}
        if not isinstance(config, dict):
            raise InvalidInput("/config", "the plugin's config, a JSON object")
        frozen = freeze(config)
        try:
            found.check(frozen)
        except ValueError as exc:
            raise InvalidInput("/config", f"{plugin}: {exc}") from None
        mounted = found.mount(service, frozen, ns.random_source(f"plugin:{service}"))
        mounts = self._mounts.setdefault(ns, {})
        old = mounts.pop(service, None)
        if old is not None:
            await _close(old)
        mount = Mount(plugin, service, frozen, mounted)
        mounts[service] = mount
        ns.mark_changed()
        return mount, old is not None

    async def configure(self, ns: Namespace, service: str, config: Any) -> Mount:
        """``config``'s keys over the mount's config, checked by its plugin; taken in place by a
        mount with ``reconfigure(config)`` (its state kept), else mounted again."""
        mount = self._mounts.get(ns, {}).get(service)
        if mount is None:
            raise NotFound(f"no service plugin is mounted as {service!r} in this namespace")
        if not isinstance(config, dict):
            raise InvalidInput("/config", "the config keys to change, a JSON object")
        merged = freeze({**thaw(mount.config), **config})
        try:
            self._plugins[mount.plugin].check(merged)
            if isinstance(mount.mounted, Reconfigurable):  # may refuse a key (nothing changed)
                mount.mounted.reconfigure(merged)
        except ValueError as exc:
            raise InvalidInput("/config", f"{mount.plugin}: {exc}") from None
        if not isinstance(mount.mounted, Reconfigurable):
            replaced, _ = await self.mount(ns, mount.plugin, service, thaw(merged))
            return replaced
        updated = Mount(mount.plugin, service, merged, mount.mounted)
        self._mounts[ns][service] = updated
        ns.mark_changed()
        return updated

    async def unmount(self, ns: Namespace, service: str) -> bool:
        mounts = self._mounts.get(ns)
        mount = mounts.pop(service, None) if mounts else None
        if mount is None:
            return False
        await _close(mount)
        ns.mark_changed()
        return True

    async def close(self, ns: Namespace) -> None:
        """``ns`` is closing (deleted, expired, the server stopping)."""
        for mount in self._mounts.pop(ns, {}).values():
            await _close(mount)

    async def close_all(self) -> None:
        for ns in list(self._mounts):
            await self.close(ns)

    def _active(self, ns: Namespace) -> bool:
        return bool(self._mounts.get(ns))

    async def _admit(self, ns: Namespace, request: RecordedRequest) -> ResponseDefinition | None:
        mounts = self._mounts.get(ns)
        if not mounts:
            return None
        service, _, rest = request.path[1:].partition("/")
        mount = mounts.get(service)
        if mount is None:
            return None
        try:
            return await mount.mounted.answer(request, "/" + rest)
        except Exception as exc:  # a broken plugin costs its own answer: 500 naming it
            log.exception("mockbdd: service plugin %r failed", mount.plugin)
            text = f"mockbdd: service plugin {mount.plugin!r} (service {service!r}) failed: {exc}\n"
            return ResponseDefinition(status=500, headers=_TEXT, body=text.encode())


async def _close(mount: Mount) -> None:
    try:
        await mount.mounted.close()
    except Exception:
        log.exception("mockbdd: service plugin %r failed to close", mount.plugin)

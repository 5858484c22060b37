"""The channel plugins a running service uses, and the green threads that send through them.

Each channel has its own small pool: a channel whose server hangs fills only its own pool
(each send has the channel's timeout), so the other channels keep delivering.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from nameko.extensions import DependencyProvider

from services.notifications.channels import discover_channels

POOL_PER_CHANNEL = 4  # concurrent sends per channel (operational)


class ChannelSet:
    """The installed channels and a way to run sends concurrently (``synchronous`` in tests)."""

    def __init__(
        self,
        plugins: Mapping[str, Any],
        configured: Mapping | None = None,
        synchronous: bool = False,
        pool_size: int = POOL_PER_CHANNEL,
    ):
        self.plugins = dict(plugins)
        self.configured = {k.lower(): v for k, v in (configured or {}).items()}
        self.synchronous = synchronous
        self._pools: dict = {}
        self._pool_size = pool_size

    def config_of(self, name: str) -> Mapping:
        """The config file's settings of a channel (``NOTIFICATIONS.<channel>`` in config/zhaoshang.yaml)."""
        return self.configured.get(name) or {}

    def _pool(self, name: str):
        if name not in self._pools:
            from eventlet import GreenPool

            self._pools[name] = GreenPool(self._pool_size)
        return self._pools[name]

    def free(self, name: str) -> int:
        return 1000 if self.synchronous else self._pool(name).free()

    def spawn(self, name: str, job: Callable[[], None]) -> None:
        if self.synchronous:
            job()
        else:
            self._pool(name).spawn_n(job)

    def waitall(self) -> None:
        for pool in self._pools.values():
            pool.waitall()


class Channels(DependencyProvider):
    """Discovers the channel plugins once when the service starts."""

    def setup(self):
        self.channels = ChannelSet(discover_channels(), self.container.config.get("NOTIFICATIONS") or {})

    def stop(self):
        import eventlet

        with eventlet.Timeout(15, False):  # sends in flight finish (each has its own timeout)
            self.channels.waitall()

    def get_dependency(self, worker_ctx):
        return self.channels

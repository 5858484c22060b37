"""A nameko timer whose interval is a setting (so operators and tests can change it)."""

from __future__ import annotations

from nameko.timer import Timer


class ConfigTimer(Timer):
    """``@every("ZS_OBLIGATION_SCAN_SECONDS", 60)``: fires every N seconds, N from the config."""

    def __init__(self, config_key: str, default: float, **kwargs):
        self.config_key, self.default = config_key, default
        super().__init__(interval=default, **kwargs)

    def setup(self):
        self.interval = float(self.container.config.get(self.config_key) or self.default)
        super().setup()


every = ConfigTimer.decorator

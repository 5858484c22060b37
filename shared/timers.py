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


class PolicyTimer(Timer):
    """``@every_policy("security.health.ask_every_seconds")``: fires every N seconds, N from the county's policy
    (``ZS_POLICY_DIR``), read when the service starts."""

    def __init__(self, policy_key: str, **kwargs):
        self.policy_key = policy_key
        super().__init__(interval=1.0, **kwargs)  # replaced by the policy's number in setup

    def setup(self):
        from shared.policy import cached_policy

        self.interval = float(cached_policy(self.container.config.get("ZS_POLICY_DIR")).get(self.policy_key))
        super().setup()


every_policy = PolicyTimer.decorator

"""Small nameko dependency providers every service uses."""
from __future__ import annotations

from nameko.extensions import DependencyProvider

from shared.policy import Policy, cached_policy
from shared.workdays import WorkingDayCalendar


class PolicyData(DependencyProvider):
    """The county's policy (``ZS_POLICY_DIR``), loaded once when the service starts."""

    def setup(self):
        self.policy = cached_policy(self.container.config.get("ZS_POLICY_DIR"))

    def get_dependency(self, worker_ctx) -> Policy:
        return self.policy


class Calendar(DependencyProvider):
    """The official working-day calendar with the policy's extra years (R16)."""

    def setup(self):
        policy = cached_policy(self.container.config.get("ZS_POLICY_DIR"))
        self.calendar = WorkingDayCalendar(policy.holiday_years)

    def get_dependency(self, worker_ctx) -> WorkingDayCalendar:
        return self.calendar


class Clock(DependencyProvider):
    """Asia/Shanghai "now" for a worker; tests hand a worker a clock they control."""

    def get_dependency(self, worker_ctx):
        from shared.clock import now_shanghai

        return now_shanghai


class Documents(DependencyProvider):
    """The document store under ``<ZS_DATA_DIR>/documents`` with the policy's type and size rules."""

    def setup(self):
        from pathlib import Path

        from shared.documents import DocumentStore

        config = self.container.config
        policy = cached_policy(config.get("ZS_POLICY_DIR"))
        self.store = DocumentStore(Path(config.get("ZS_DATA_DIR") or "var") / "documents", policy.documents["documents"])

    def get_dependency(self, worker_ctx):
        return self.store

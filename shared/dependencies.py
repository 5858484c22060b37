"""Small nameko dependency providers every service uses."""

from __future__ import annotations

import logging

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
    """The official working-day calendar with the policy's extra years (R16), and the years an administrator loaded
    since (``shared.holidays``): read from the service's own ``holiday_years`` table when it starts, and again every
    ``ZS_CALENDAR_REFRESH_SECONDS`` (30) so that a year loaded through another instance is known here too."""

    def setup(self):
        policy = cached_policy(self.container.config.get("ZS_POLICY_DIR"))
        self.calendar = WorkingDayCalendar(policy.holiday_years)
        self.refresh_seconds = float(self.container.config.get("ZS_CALENDAR_REFRESH_SECONDS") or 30)

    def start(self):
        if self._table() is not None:
            try:
                self.refresh()
            except Exception:  # read again by the refresh below
                logging.getLogger(__name__).warning("could not read the loaded holiday years", exc_info=True)
            self.container.spawn_managed_thread(
                self._refresh_forever, identifier=f"{self.container.service_name}.calendar"
            )

    def get_dependency(self, worker_ctx) -> WorkingDayCalendar:
        return self.calendar

    def refresh(self) -> None:
        from shared.holidays import stored_years

        database, table = self._table()
        with database.engine.connect() as connection:
            years = stored_years(connection, table)
        if years:
            self.calendar.add_years(years)

    def _table(self):
        from shared.db import Database

        for dependency in self.container.dependencies:
            if isinstance(dependency, Database) and "holiday_years" in dependency.metadata.tables:
                return dependency, dependency.metadata.tables["holiday_years"]
        return None

    def _refresh_forever(self):
        import eventlet

        while True:
            eventlet.sleep(self.refresh_seconds)
            try:
                self.refresh()
            except Exception:  # the database is away for a moment: the calendar keeps what it knows
                logging.getLogger(__name__).warning("could not read the loaded holiday years", exc_info=True)


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
        self.store = DocumentStore(
            Path(config.get("ZS_DATA_DIR") or "var") / "documents", policy.documents["documents"]
        )

    def get_dependency(self, worker_ctx):
        return self.store

"""Drive many projects through the lifecycle at once, by RPC, while services die and the broker restarts.

A command over RPC is at-least-once from the caller's side: a service killed after its commit but
before its reply gets the request again when it restarts (nameko acks a request after replying), and
a broker restart loses the caller's reply queue.  So every step is *driven to its effect*: call; on a
refusal (``Conflict``), a timeout or a lost connection, read the owning service's record — if the
step's effect is there, it was applied (once: the owner refused the repeat), else try again.  Each
step's wall time is kept (the benchmark's per-step latency).

Used by the fault suite (``tests/faults``) and the benchmark (``bench/run.py``).
"""

from __future__ import annotations

import time
from collections import defaultdict

from nameko.exceptions import RpcTimeout, UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

from shared.errors import Conflict, InvalidInput, NotFound
from tests.factories import IPB_CLERK, lead
from tests.integration.flows import HEADS, LEGAL, PARK_HEAD, SIGNATORY, TERMS, UNITS, leader, reviewer

AUDIT = {"user_id": "u-audit", "position": "auditor", "unit": "AUDIT"}
LAND = {"user_id": "u-land", "position": "bureau_head", "unit": "LAND"}
REVIEWERS = UNITS + ("PARK:hengdong",)
SESSION = {
    "held_on": "2026-11-26",
    "stage": "final",
    "agreed": ["合同条款"],
    "participants": [
        {"unit": "PARK:hengdong", "position": "park_head:hengdong"},
        {"unit": "IPB", "position": "ipb_clerk"},
        {"unit": "LEGAL", "position": "legal_officer"},
    ],
}
COPIES = {"copies": [{"number": i, "unit": u} for i, u in enumerate(list(HEADS) + ["PARK:hengdong"], 1)]}

TO_AGREED = ["lead", "filed", "under_review", "approved", "assigned", "negotiating", "agreed"]
TO_CONSTRUCTION = TO_AGREED + ["drafting", "legal_review", "signed", "filed_copies", "construction"]
TO_ARCHIVED = TO_CONSTRUCTION + ["accounting", "closed", "archived"]
TO_APPROVED = TO_AGREED[:4]
TRANSITIONS = {"approved": TO_APPROVED, "agreed": TO_AGREED, "construction": TO_CONSTRUCTION, "archived": TO_ARCHIVED}


class StepFailed(AssertionError):
    pass


def _safe(read):
    try:
        return read()
    except Exception:  # the owner may be down or not have heard yet: not done (as far as we know)
        return None


class _Counted:
    """``rpc.<service>.<method>(...)`` through the driver's proxy, each call counted (the floor makes as many)."""

    def __init__(self, target, driver: "Driver"):
        self._target, self._driver = target, driver

    def __getattr__(self, name):
        attr = getattr(self._target, name)
        if callable(attr):

            def call(*args, **kwargs):
                self._driver.calls += 1
                return attr(*args, **kwargs)

            return call
        return _Counted(attr, self._driver)


class Driver:
    """One RPC connection, re-made whenever it breaks; ``drive(n, to)`` takes lead n to state ``to``.

    ``calls`` counts every RPC made, a retry's and a check's included: the bench's floor makes as many.
    """

    def __init__(self, config: dict, timeout: float = 30, step_timeout: float = 240):
        self.config, self.timeout, self.step_timeout = config, timeout, step_timeout
        self._proxy = self._rpc = None
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.retries = self.calls = 0

    # -- connection --------------------------------------------------------
    @property
    def rpc(self):
        if self._rpc is None:
            self._proxy = ClusterRpcProxy(self.config, timeout=self.timeout)
            self._rpc = _Counted(self._proxy.start(), self)
        return self._rpc

    def reconnect(self) -> None:
        proxy, self._proxy, self._rpc = self._proxy, None, None
        if proxy is not None:
            try:
                proxy.stop()
            except Exception:
                pass

    def close(self) -> None:
        self.reconnect()

    # -- one step ----------------------------------------------------------
    def step(self, name: str, call, done=None):
        """Run ``call(rpc)`` until it succeeds or ``done(rpc)`` shows its effect."""
        t0 = time.monotonic()
        deadline = t0 + self.step_timeout
        last = None
        while True:
            try:
                result = call(self.rpc)
                self.latencies[name].append(time.monotonic() - t0)
                return result
            except (NotFound, Conflict, InvalidInput) as exc:  # not heard yet, or applied by an earlier attempt
                last = exc
            except (RpcTimeout, UnknownService, OSError, ConnectionError, IOError) as exc:
                last = exc
                self.reconnect()
            except Exception as exc:  # e.g. the broker's connection closed under the proxy
                last = exc
                self.reconnect()
            self.retries += 1
            if done is not None and _safe(lambda: done(self.rpc)):
                self.latencies[name].append(time.monotonic() - t0)
                return None
            if time.monotonic() > deadline:
                raise StepFailed(f"step {name} did not take effect in {self.step_timeout}s: {last!r}")
            time.sleep(0.3)

    # -- the lifecycle -----------------------------------------------------
    def register(self, n: int) -> str:
        t0 = time.monotonic()
        deadline = t0 + self.step_timeout
        while True:
            try:
                project_id = self.rpc.intake.register_lead(IPB_CLERK, lead(n))["id"]
                break
            except Conflict as exc:  # registered by an earlier attempt: the duplicate check names it
                project_id = (getattr(exc, "details", None) or {}).get("duplicate_of")
                if project_id:
                    break
            except InvalidInput:
                raise
            except Exception:
                self.reconnect()
            if time.monotonic() > deadline:
                raise StepFailed(f"lead {n} could not be registered")
            time.sleep(0.3)
        self.latencies["register_lead"].append(time.monotonic() - t0)
        return project_id

    def drive(self, n: int, to: str = "agreed") -> str:
        """Take a new lead (factory number ``n``) to ``to``: agreed, construction or archived."""
        p = self.register(n)
        lead_of = lambda r: r.intake.get_lead(IPB_CLERK, p)  # noqa: E731
        review = lambda r: r.review.get_review(IPB_CLERK, p)  # noqa: E731
        nego = lambda r: r.negotiation.get_negotiation(IPB_CLERK, p)  # noqa: E731
        self.step(
            "file_project", lambda r: r.intake.file_project(IPB_CLERK, p), lambda r: lead_of(r)["status"] == "filed"
        )
        self.step("convene", lambda r: r.review.convene(IPB_CLERK, p, {"note": "联审"}), lambda r: review(r))
        for unit in REVIEWERS:
            self.step(
                "record_opinion",
                lambda r: r.review.record_opinion(reviewer(unit), p, {"opinion": "pass"}),
                lambda r: unit not in review(r)["awaiting"],
            )
        if to == "approved":
            return p
        self.step(
            "record_intermediary",
            lambda r: r.negotiation.record_intermediary(IPB_CLERK, p, {"none": True}),
            lambda r: nego(r)["intermediary"] is not None,
        )
        self.step(
            "assign_unit",
            lambda r: r.negotiation.assign_unit(IPB_CLERK, p, {"unit": "PARK:hengdong"}),
            lambda r: nego(r)["responsible_unit"] == "PARK:hengdong",
        )
        self.step(
            "log_session", lambda r: r.negotiation.log_session(IPB_CLERK, p, SESSION), lambda r: nego(r)["sessions"]
        )
        self.step(
            "decide",
            lambda r: r.negotiation.decide(PARK_HEAD, p, {"decision": "agree"}),
            lambda r: nego(r)["decisions"],
        )
        if to == "agreed":
            return p
        contract = lambda r: r.contracts.get_contract(IPB_CLERK, p)  # noqa: E731
        # a draft retried after a lost reply makes a second version (as a clerk's second click would): the
        # later steps take the latest version, whatever its number — the draft's reply names it, and every
        # check after a refusal reads the contract again (a draft applied late made a newer one)
        latest = lambda versions: max(versions, key=lambda v: v["version"])  # noqa: E731
        known = {}

        def current(r):
            found = contract(r)
            known["version"] = latest(found["versions"])["version"]
            return found

        status = lambda r: latest(current(r)["versions"])["status"]  # noqa: E731
        drafted = self.step(
            "draft", lambda r: r.contracts.draft(IPB_CLERK, p, TERMS), lambda r: contract(r)["versions"]
        )
        known["version"] = latest((drafted or contract(self.rpc))["versions"])["version"]
        self.step(
            "submit",
            lambda r: r.contracts.submit(IPB_CLERK, p, {"version": known["version"]}),
            lambda r: status(r) in ("submitted", "approved"),
        )
        self.step(
            "legal_review",
            lambda r: r.contracts.legal_review(LEGAL, p, {"version": known["version"], "decision": "approve"}),
            lambda r: status(r) == "approved",
        )
        self.step(
            "sign",
            lambda r: r.contracts.sign(PARK_HEAD, p, {"version": known["version"], "investor_signatory": SIGNATORY}),
            lambda r: current(r)["signed_version"] is not None,
        )
        self.step(
            "register_copies",
            lambda r: r.contracts.register_copies(IPB_CLERK, p, COPIES),
            lambda r: len(contract(r)["copies"]) >= 8,
        )
        self.step(
            "hand_over",
            lambda r: r.contracts.hand_over(IPB_CLERK, p),
            lambda r: contract(r)["state"] in ("construction", "archived"),
        )
        if to == "construction":
            return p
        acct = lambda r: r.accounting.get_accounting(IPB_CLERK, p)  # noqa: E731
        self.step(
            "open_accounting",
            lambda r: r.accounting.open_accounting(IPB_CLERK, p, {"reason": "建设期满"}),
            lambda r: acct(r),
        )
        self.step(
            "record_actual_fai",
            lambda r: r.accounting.record_actual_fai(AUDIT, p, {"amount": "72000000", "basis": "审计报告"}),
            lambda r: acct(r)["actual_fai"] is not None,
        )
        self.step(
            "record_land_used",
            lambda r: r.accounting.record_land_used(LAND, p, {"land": {"value": "3", "unit": "ha"}, "basis": "实测"}),
            lambda r: acct(r)["land_used_mu"] is not None,
        )
        self.step("issue_report", lambda r: r.accounting.issue_report(IPB_CLERK, p), lambda r: acct(r)["report"])
        for position in ("county_magistrate", "party_secretary"):
            self.step(
                "write_off",
                lambda r: r.accounting.write_off(
                    leader(position), p, {"decision": "agree", "reason": "招商政策兑现抵扣"}
                ),
                lambda r: position in str((acct(r)["receivable"] or {}).get("write_off")),
            )
        self.step(
            "hand_to_archives",
            lambda r: r.contracts.hand_to_archives(IPB_CLERK, p, {"note": "移交县档案局"}),
            lambda r: contract(r)["state"] == "archived",
        )
        return p


def designate_custodians(driver: Driver) -> None:
    for unit, head in HEADS.items():
        driver.step(
            "designate_custodian",
            lambda r: r.contracts.designate_custodian(
                {"user_id": f"h-{unit}", "position": head, "unit": unit},
                unit,
                {"user_id": f"c-{unit}", "name": f"{unit} 档案员", "cabinet": f"{unit}-柜1"},
            ),
        )


def drive_all(
    config: dict, numbers, to: str, workers: int = 8, on_error=None, on_done=None
) -> tuple[list[str], Driver]:
    """Drive every lead number in ``numbers`` to ``to`` with ``workers`` concurrent drivers (green threads)."""
    import eventlet

    queue = list(numbers)
    projects: dict[int, str] = {}
    errors: list = []
    drivers = [Driver(config) for _ in range(workers)]

    def work(driver: Driver):
        while queue:
            n = queue.pop(0)
            try:
                projects[n] = driver.drive(n, to)
                if on_done:
                    on_done(n, projects[n])
            except Exception as exc:
                errors.append((n, exc))
                if on_error:
                    on_error(n, exc)

    pool = eventlet.GreenPool(workers)
    for driver in drivers:
        pool.spawn(work, driver)
    pool.waitall()
    merged = Driver(config)
    for driver in drivers:
        for name, values in driver.latencies.items():
            merged.latencies[name].extend(values)
        merged.retries += driver.retries
        merged.calls += driver.calls
        driver.close()
    if errors:
        raise StepFailed(f"{len(errors)} project(s) failed, e.g. {errors[0]!r}")
    return [projects[n] for n in numbers], merged

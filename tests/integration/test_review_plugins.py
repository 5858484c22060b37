"""A county's own check plugins, installed beside the platform, join the joint review (R2).

The sample package tests/plugins/zs_sample_checks declares two checks in the
entry-point group ``zhaoshang.review_checks``.  It is installed into a temporary
folder (never into the venv) and put on the review process's PYTHONPATH: the
review service finds it with no change of its own, records a plugin that raises
as an ``error`` finding, and keeps the review open.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from shared.errors import NotFound
from shared.i18n import text
from tests.conftest import wait_for
from tests.factories import IPB_CLERK, lead

pytestmark = pytest.mark.integration

PLUGIN_SOURCE = Path(__file__).resolve().parent.parent / "plugins" / "zs_sample_checks"
SHIPPED = ["county_industrial_plan", "environmental_protection", "investment_intensity", "national_industrial_policy"]
SAMPLE = ["always_broken", "land_size_note"]


def _install(source: Path, target: Path) -> None:
    """``pip install --target``: no registry, no build isolation (the venv's pinned setuptools builds it)."""
    pip = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "--quiet",
            "--target",
            str(target),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert pip.returncode == 0, f"pip could not install the sample plugin:\n{pip.stdout}\n{pip.stderr}"


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory):
    """The sample plugin installed into a temporary folder; yields that folder (for PYTHONPATH)."""
    work = tmp_path_factory.mktemp("zs-sample-checks")
    source = work / "src"  # a copy, so the build leaves no build/ or *.egg-info in the repository
    shutil.copytree(PLUGIN_SOURCE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    target = work / "site"
    _install(source, target)
    assert (target / "zs_sample_checks" / "__init__.py").is_file()
    assert list(target.glob("zs_sample_checks-0.1.0*-info")), sorted(p.name for p in target.iterdir())
    return target


def test_sample_plugin_is_not_in_the_venv(plugin_path):
    with pytest.raises(PackageNotFoundError):
        distribution("zs-sample-checks")


def _convene_when_filed(rpc, project_id):
    """Convene as soon as review has heard of the filing (until then it answers NotFound)."""

    def attempt():
        try:
            return rpc.review.convene(IPB_CLERK, project_id, {"note": "sample plugins"})
        except NotFound:
            return None

    return wait_for(attempt, timeout=30, what="review to know the filed project")


def test_installed_plugins_join_the_review(start_platform, config_for, plugin_path):
    start_platform("intake", "coordinator", "review", PYTHONPATH=str(plugin_path))
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        assert rpc.review.health()["checks"] == sorted(SHIPPED + SAMPLE)
        # 150,000,000 yuan on 60 mu = 250 万元/亩, above the park minimum: no shipped check fails
        registered = rpc.intake.register_lead(
            IPB_CLERK,
            lead(
                41,
                land_demand={"value": "60", "unit": "mu"},
                planned_total_investment="200000000",
                planned_fixed_asset_investment="150000000",
            ),
        )
        rpc.intake.file_project(IPB_CLERK, registered["id"], {"reason": "complete file"})
        review = _convene_when_filed(rpc, registered["id"])
        stored = rpc.review.get_review(IPB_CLERK, registered["id"])

    findings = {f["check"]: f for f in review["findings"]}
    assert sorted(findings) == sorted(SHIPPED + SAMPLE)

    land = findings["land_size_note"]
    assert (land["unit"], land["verdict"]) == ("LAND", "flag")
    assert land["policy_values"] == {"threshold_mu": "50"}
    assert "60" in text(land["reason"], "en")

    broken = findings["always_broken"]
    assert broken["verdict"] == "error"
    assert "sample plugin failure" in text(broken["reason"], "en")
    assert "RuntimeError" in text(broken["reason"], "en")
    assert broken["outside_policy"] is False

    # the shipped checks still ran, each with its own finding
    assert {name: findings[name]["verdict"] for name in SHIPPED} == {name: "ok" for name in SHIPPED}
    assert findings["investment_intensity"]["policy_values"]["planned_wan_per_mu"].startswith("250")

    # an error finding does not reject: the review stays open for the units' opinions
    assert review["state"] == "open"
    assert review["outcome"] is None
    assert review["outside_policy"] is False
    assert stored["state"] == "open"
    assert [f["check"] for f in stored["findings"]] == [f["check"] for f in review["findings"]]


def test_without_the_plugin_path_only_the_shipped_checks(start_platform, config_for):
    start_platform("review")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        assert rpc.review.health()["checks"] == SHIPPED

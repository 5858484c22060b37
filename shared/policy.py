"""Policy loader: the county's policy data in ``policy/*.yaml``.

Every number a county sets for itself (thresholds, periods, parks, catalogue
classes, authorities, holidays) is read from here, never written in code.
Amounts are written as strings in YAML and read as ``Decimal``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

from shared.config import ROOT

DEFAULT_POLICY_DIR = ROOT / "policy"
REQUIRED = ("county", "thresholds", "industry", "holidays", "authority")


class PolicyError(ValueError):
    """The policy data is missing or malformed (names file and key)."""


@dataclass(frozen=True)
class Park:
    id: str
    name_zh: str
    name_en: str
    positioning: tuple[str, ...]
    head_position: str

    @property
    def unit(self) -> str:
        return f"PARK:{self.id}"

    def covers(self, sector: str) -> bool:
        return any(sector.startswith(prefix) for prefix in self.positioning)


@dataclass(frozen=True)
class Town:
    id: str
    name_zh: str
    name_en: str

    @property
    def unit(self) -> str:
        return f"TOWN:{self.id}"


class Policy:
    def __init__(self, documents: Mapping[str, Mapping[str, Any]], fingerprint: str = ""):
        missing = [name for name in REQUIRED if name not in documents]
        if missing:
            raise PolicyError(f"policy files missing: {', '.join(m + '.yaml' for m in missing)}")
        self.documents = documents
        self.fingerprint = fingerprint
        self._derived: dict[str, Any] = {}
        county = documents["county"]
        try:
            self.parks = {
                p["id"]: Park(p["id"], p["name_zh"], p["name_en"], tuple(p.get("positioning", ())), p["head_position"])
                for p in county["parks"]
            }
            self.towns = {t["id"]: Town(t["id"], t["name_zh"], t["name_en"]) for t in county["towns"]}
            self.source_channels = tuple(c["id"] for c in county["source_channels"])
        except (KeyError, TypeError) as exc:
            raise PolicyError(f"county.yaml: missing or malformed key {exc}") from None

    def derived(self, name: str, build: Callable[["Policy"], Any]) -> Any:
        """``build(self)``, built on the first call and kept for this policy: what a service derives from the
        policy data (the tiers, the notification routes), checked once instead of at every event.  A policy
        changed is a policy loaded again (a new instance): nothing kept here outlives its data."""
        try:
            return self._derived[name]
        except KeyError:
            value = self._derived[name] = build(self)
            return value

    # -- typed accessors ---------------------------------------------------
    def get(self, dotted: str) -> Any:
        """``policy.get("thresholds.decision.land_threshold_mu")``; PolicyError if absent."""
        node: Any = self.documents
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise PolicyError(f"policy value {dotted!r} is missing")
            node = node[part]
        return node

    def decimal(self, dotted: str) -> Decimal:
        value = self.get(dotted)
        if isinstance(value, float):
            raise PolicyError(f"policy value {dotted!r} must be written as a string or integer, not a float")
        return Decimal(str(value))

    def integer(self, dotted: str) -> int:
        return int(self.get(dotted))

    @property
    def authority(self) -> Mapping[str, Mapping]:
        return self.documents["authority"]["operations"]

    @property
    def industry_sections(self) -> Mapping[str, list[int]]:
        return self.documents["industry"]["sections"]

    @property
    def holiday_years(self) -> Mapping:
        return self.documents["holidays"].get("years") or {}

    @property
    def version(self) -> str:
        return f"{self.documents['county'].get('version', '?')}#{self.fingerprint[:8]}"

    def location_exists(self, kind: str, ident: str | None) -> bool:
        if kind == "open":
            return ident in (None, "")
        if kind == "park":
            return ident in self.parks
        if kind == "town":
            return ident in self.towns
        return False


def load_policy(directory: str | Path | None = None) -> Policy:
    directory = Path(directory or DEFAULT_POLICY_DIR)
    documents: dict[str, Any] = {}
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.yaml")):
        text = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + text)
        try:
            documents[path.stem] = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise PolicyError(f"{path.name}: not valid YAML: {exc}") from None
    return Policy(documents, digest.hexdigest())


@lru_cache(maxsize=8)
def cached_policy(directory: str | None = None) -> Policy:
    return load_policy(directory)

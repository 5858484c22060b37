"""Configuration: one nameko YAML file with environment substitution.

``config/zhaoshang.yaml`` is the single place that lists and documents every
setting.  A scalar written ``${NAME:default}`` takes the environment variable
``NAME`` when it is set and ``default`` otherwise; the result is typed, so ``${ZS_EVENT_MAX_ATTEMPTS:5}`` yields the integer 5 (only empty, true/false
and plain numbers are typed; every other value stays a string).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config" / "zhaoshang.yaml"

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")


def substitute(text: str, env: Mapping[str, str]) -> str:
    """Replace every ``${NAME:default}`` in ``text``."""

    def repl(match: re.Match) -> str:
        name, default = match.group(1), match.group(2)
        return env.get(name, default if default is not None else "")

    return _ENV.sub(repl, text)


_NUMBER = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")


def _typed(text: str):
    """An environment value as the setting's type: empty -> None, true/false, plain numbers;
    anything else stays a string (so a password like ``0123`` or ``yes`` is not reinterpreted)."""
    stripped = text.strip()
    if not stripped:
        return None
    if stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    if _NUMBER.match(stripped):
        return float(stripped) if "." in stripped else int(stripped)
    return text


def _resolve(value, env):
    if isinstance(value, dict):
        return {k: _resolve(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, env) for v in value]
    if isinstance(value, str) and _ENV.search(value):
        replaced = substitute(value, env)
        if _ENV.fullmatch(value):
            return _typed(replaced)
        return replaced
    return value


def load_config(path: str | os.PathLike | None = None, env: Mapping[str, str] | None = None) -> dict:
    """Load the YAML config at ``path`` (default: ``$ZS_CONFIG`` or config/zhaoshang.yaml)."""
    env = os.environ if env is None else env
    path = Path(path or env.get("ZS_CONFIG") or DEFAULT_CONFIG)
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    config = _resolve(raw, env)
    for key in ("ZS_DATA_DIR", "ZS_POLICY_DIR"):
        if config.get(key):
            p = Path(config[key])
            config[key] = str(p if p.is_absolute() else ROOT / p)
    return config

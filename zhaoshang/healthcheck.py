"""Exit 0 when a service answers its health RPC: ``python -m zhaoshang.healthcheck <service>``."""

from __future__ import annotations

import sys

from nameko.standalone.rpc import ClusterRpcProxy

import shared.rpc  # noqa: F401  (typed errors and messages cross RPC as themselves)

from shared.config import load_config


def check(service: str, timeout: float = 5.0, config: dict | None = None) -> dict:
    config = config or load_config()
    with ClusterRpcProxy(config, timeout=timeout) as cluster:
        return getattr(cluster, service).health()


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        result = check(argv[0])
    except Exception as exc:
        print(f"{argv[0]}: down ({type(exc).__name__}: {exc})")
        return 1
    print(f"{argv[0]}: {result['status']}")
    return 0 if result.get("status") == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())

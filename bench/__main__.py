"""`python -m bench [NAME ...] [--quick]`: run benchmarks (all by default)."""

from __future__ import annotations

import argparse
import importlib

BENCHES = ("sync", "reports", "drawings", "ui", "logins", "console")


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"one of {', '.join(BENCHES)}")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    unknown = set(args.names) - set(BENCHES)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    failed = 0
    for name in args.names or BENCHES:
        module = importlib.import_module(f"bench.{name}")
        failed += 0 if module.run(quick=args.quick) else 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

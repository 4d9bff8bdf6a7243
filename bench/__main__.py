"""`python -m bench [NAME ...] [--quick] [OPTIONS]`: run benchmarks (all by default); further
options go to the benchmarks that take them (`python -m bench center --help`)."""

from __future__ import annotations

import argparse
import importlib
import inspect

BENCHES = ("sync", "reports", "drawings", "ui", "logins", "console", "center")


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"one of {', '.join(BENCHES)}")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args, extra = parser.parse_known_args()
    unknown = set(args.names) - set(BENCHES)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    failed = 0
    for name in args.names or BENCHES:
        module = importlib.import_module(f"bench.{name}")
        if "argv" in inspect.signature(module.run).parameters:
            ok = module.run(quick=args.quick, argv=extra)
        elif extra:
            parser.error(f"{name} takes no options: {' '.join(extra)}")
        else:
            ok = module.run(quick=args.quick)
        failed += 0 if ok else 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""rops-hub's black-box attack, fault and load suite.

    python3 tests/attack/suite.py --binary PATH/TO/rops-hub --backend sqlite|postgres \
        [--pg-url postgres://postgres@127.0.0.1:5432/rops_ci] [--areas authz,tokens,hostile,faults,load]

Prints one summary line per area (`authz: 1432 cases tried, 1432 held`), followed by notes and
up to ~30 lines of failing cases with request and response; exits 1 when any case failed.
Each area runs against its own freshly started server (and, on PostgreSQL, its own database,
created on the server of --pg-url and dropped at the end). Loopback only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, str(Path(__file__).resolve().parent))

import authz  # noqa: E402
import faults  # noqa: E402
import hostile  # noqa: E402
import load  # noqa: E402
import tokens  # noqa: E402
from server import Area, Ctx  # noqa: E402

AREAS = {"authz": authz, "tokens": tokens, "hostile": hostile, "faults": faults, "load": load}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", required=True, help="the release rops-hub binary")
    p.add_argument("--backend", required=True, choices=["sqlite", "postgres"])
    p.add_argument("--pg-url", default=os.environ.get("ROPS_TEST_POSTGRES_URL",
                                                      "postgres://postgres@127.0.0.1:5432/rops_ci"),
                   help="a database on the PostgreSQL server where fresh databases are created")
    p.add_argument("--areas", default=",".join(AREAS), help="comma-separated: " + ",".join(AREAS))
    p.add_argument("--spec", type=Path, default=None,
                   help="the OpenAPI document to attack (default: api-spec/openapi.json of this checkout)")
    p.add_argument("--all-failures", action="store_true", help="list every kind of failure, not ~30 lines per area")
    args = p.parse_args()

    names = [a.strip() for a in args.areas.split(",") if a.strip()]
    unknown = [a for a in names if a not in AREAS]
    if unknown:
        p.error(f"unknown areas: {', '.join(unknown)}")
    if not os.access(args.binary, os.X_OK):
        p.error(f"{args.binary} is not an executable")

    ctx = Ctx(args.binary, args.backend, args.pg_url, spec_path=args.spec)
    failed = False
    started = time.monotonic()
    timings: list[str] = []
    try:
        for name in names:
            area = Area(name)
            t0 = time.monotonic()
            try:
                AREAS[name].run(ctx, area)
            except Exception as e:  # the suite's own error: the area fails, the rest runs
                area.check(False, f"{name} stopped early: {e!r}",
                           " | ".join(traceback.format_exc(limit=6).strip().splitlines()[-4:]))
            finally:
                for s in ctx.servers:
                    s.kill()
            if area.tried == 0:
                area.check(False, f"{name}: no case ran")
            timings.append(f"{name} {time.monotonic() - t0:.0f} s")
            print(area.report(cap=not args.all_failures), flush=True)
            failed |= not area.ok
    finally:
        ctx.close()
    print(f"attack suite on {args.backend}: {'FAILED' if failed else 'passed'} "
          f"in {time.monotonic() - started:.0f} s ({', '.join(timings)})", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

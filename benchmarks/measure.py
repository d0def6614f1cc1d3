"""What every benchmark shares: a quiet machine, medians of repeats, and the JSON it writes.

A benchmark run starts with `session = Session.start(name, allow_load=args.allow_load)`:
- it refuses to run (a clear message, exit code 3) when the 1-minute load average is above
  `MAX_LOAD` (1.5) at the start, unless `--allow-load` is given; timings taken beside other
  jobs on a 2-core machine are 2-10x too slow;
- `session.write(path, data)` adds the machine, the date and the load average at start and
  end to the JSON, and `"loaded": true` when either was above `MAX_LOAD` (the results page
  greys such files out).

`median_rate(run, units, repeats)` times `run()` after one warm-up call and returns the
median units per second and every repeat's rate.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import jax

MAX_LOAD = 1.5
RESULTS = Path(__file__).parent / "results"


def load_1min() -> float:
    return round(os.getloadavg()[0], 2)


def machine() -> dict:
    """The machine a number was measured on."""
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "jax": jax.__version__,
        "jax_backend": jax.default_backend(),
        "devices": [str(d) for d in jax.devices()],
    }


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "--allow-load",
        action="store_true",
        help=f"measure even when the load average is above {MAX_LOAD} (marked loaded)",
    )
    return parser


@dataclass
class Session:
    name: str
    load_start: float
    allow_load: bool = False
    started: float = field(default_factory=time.time)

    @classmethod
    def start(cls, name: str, *, allow_load: bool = False) -> Session:
        load = load_1min()
        if load > MAX_LOAD and not allow_load:
            print(
                f"{name}: load average {load} > {MAX_LOAD}: other jobs are running and the "
                "timings would be wrong. Wait until the machine is quiet (`uptime`), or pass "
                "--allow-load to measure anyway (the JSON is then marked loaded).",
                file=sys.stderr,
            )
            raise SystemExit(3)
        return cls(name, load, allow_load)

    def stamp(self, data: dict) -> dict:
        """`data` with the machine, date, load at start and end, and the loaded flag."""
        end = load_1min()
        return {
            **data,
            "machine": machine(),
            "date": time.strftime("%Y-%m-%d %H:%M", time.localtime(self.started)),
            "seconds": round(time.time() - self.started, 1),
            "load_1min_start": self.load_start,
            "load_1min_end": end,
            "loaded": max(self.load_start, end) > MAX_LOAD,
        }

    def write(self, path: Path, data: dict) -> dict:
        out = self.stamp(data)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {path} (load {out['load_1min_start']} -> {out['load_1min_end']})")
        return out


def median_rate(run, units: float, repeats: int) -> tuple[float, list[float]]:
    """Median units per second of `run()` over `repeats` calls, after one warm-up call."""
    run()  # warm-up: compilation and first-touch allocations
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        rates.append(units / (time.perf_counter() - t0))
    return statistics.median(rates), rates

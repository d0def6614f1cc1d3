"""What every benchmark shares: a quiet machine, medians of repeats, and the JSON it writes.

A benchmark run starts with `session = Session.start(name, allow_load=args.allow_load)`:
- it refuses to run (a clear message, exit code 3) when the 1-minute load average is above
  `MAX_LOAD` (1.5) at the start, unless `--allow-load` is given; timings taken beside other
  jobs on a 2-core machine are 2-10x too slow;
- `session.write(path, data, rows=...)` adds the machine, the date, the run's seconds and
  the load average at start and end to the JSON, and `"loaded": true` when the load at the
  start was above `MAX_LOAD`, or when one of `rows` is loaded (the results page greys such
  files out).

The load at the end is taken twice. Right after the work, a benchmark's own two threads keep
the 1-minute average at 1.5-2 on 2 cores however quiet the machine is otherwise: that value is
recorded as `load_1min_end_raw`. Then the run waits (up to `QUIET_WAIT_S`) for its own load to
decay and records `load_1min_end`: it is below `MAX_LOAD` when nothing else ran beside the
benchmark, and a run (or row) whose end stays above it is loaded, like one that started above
it. The wait costs nothing extra: the next row would wait for the same decay at its start.

The JSON of every script has the same top level: `title` (Indonesian, the heading on the
results page `hasil`), `description` (one Indonesian sentence: what was measured), the
script's own fields, then the fields `stamp` adds (`machine`, `date`, `seconds`,
`load_1min_start`, `load_1min_end_raw`, `load_1min_end`, `loaded`).

Every row records its own load: `start = quiet_start()` before the row (it waits, up to
`QUIET_WAIT_S`, until the previous row's own load has decayed to `MAX_LOAD`, and returns the
load then), `row.update(row_load(start))` after it; a row is loaded when its start was above
`MAX_LOAD` or ended (after the wait) above it. Rows of parts run as separate jobs are merged
into one file (e.g. `transformer.py --parts`, `train_throughput.py --models`); `kept_rows` reads
the rows of the existing file (rows from before this convention, without `loaded`,
are marked loaded: their load was not recorded), and the file is loaded when any row is.

`median_rate(run, units, repeats)` times `run()` after one warm-up call and returns the
median units per second and every repeat's rate; `median_time(run, repeats)` the median
seconds and every repeat's seconds.
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
QUIET_WAIT_S = 180.0  # the longest a row waits for the load of the row before it to decay
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


def add_arguments(
    parser: argparse.ArgumentParser, out: Path | None = None
) -> argparse.ArgumentParser:
    """`--allow-load`, and with `out` (the script's results file) `--out PATH`."""
    parser.add_argument(
        "--allow-load",
        action="store_true",
        help=f"measure even when the load average is above {MAX_LOAD} (marked loaded)",
    )
    if out is not None:
        parser.add_argument(
            "--out",
            type=Path,
            default=out,
            help=f"the JSON to write (default: {out}); a temporary path for trial runs",
        )
    return parser


def is_loaded(start: float | None) -> bool:
    """Whether a measurement that began at 1-minute load `start` shared the machine."""
    return start is not None and start > MAX_LOAD


def quiet_start(timeout: float = QUIET_WAIT_S, *, poll: float = 5.0, load=None, sleep=None):
    """Wait until the 1-minute load is at most `MAX_LOAD`, or `timeout` seconds passed, and
    return the load then: the start of a row that follows another row of the same run, whose
    own work still counts in the average. `load` and `sleep` are replaceable in tests."""
    load, sleep = load or load_1min, sleep or time.sleep
    waited, now = 0.0, load()
    while now > MAX_LOAD and waited < timeout:
        sleep(poll)
        waited += poll
        now = load()
    return now


def end_load(timeout: float = QUIET_WAIT_S, *, load=None, sleep=None) -> dict:
    """The load at the end of a measurement: `load_1min_end_raw` (now, the measurement's own
    threads included) and `load_1min_end` (once that has decayed to `MAX_LOAD`, or after
    `timeout` seconds)."""
    raw = (load or load_1min)()
    return {"load_1min_end_raw": raw, "load_1min_end": quiet_start(timeout, load=load, sleep=sleep)}


def row_load(start: float, *, load=None, sleep=None) -> dict:
    """The load of one row (part) of a run that began when `load_1min()` was `start`:
    `load_1min_start`, the `end_load` fields and `loaded` (started or ended above
    `MAX_LOAD`)."""
    end = end_load(load=load, sleep=sleep)
    loaded = is_loaded(start) or is_loaded(end["load_1min_end"])
    return {"load_1min_start": start, **end, "loaded": loaded}


def kept_rows(path: Path, key: str | None, drop=(), names=None) -> dict:
    """The rows of the results file `path` (under `key`, or at its top level those named in
    `names`), except those named in `drop` (measured again now). A row without `loaded`
    predates the recorded load and is marked loaded (its machine was not known to be quiet)."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    rows = data.get(key) if key is not None else data
    if not isinstance(rows, dict):
        return {}
    kept = {}
    for name, row in rows.items():
        if name in drop or (names is not None and name not in names):
            continue
        if not isinstance(row, dict):
            continue
        kept[name] = row if "loaded" in row else {**row, "loaded": True}
    return kept


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

    def stamp(self, data: dict, rows=(), *, load=None, sleep=None) -> dict:
        """`data` with the machine, date, load at start and end (`end_load`), and the loaded
        flag: true when the load was above `MAX_LOAD` at the start or, after the wait, at the
        end, or when any of `rows` (the row dicts in `data` that record their own load) is
        loaded. `seconds` is the work's, without the wait at the end."""
        seconds = round(time.time() - self.started, 1)
        # --allow-load: no wait, the end is judged as it is (such a run is loaded anyway)
        end = end_load(0.0 if self.allow_load else QUIET_WAIT_S, load=load, sleep=sleep)
        loaded = is_loaded(self.load_start) or is_loaded(end["load_1min_end"])
        return {
            **data,
            "machine": machine(),
            "date": time.strftime("%Y-%m-%d %H:%M", time.localtime(self.started)),
            "seconds": seconds,
            "load_1min_start": self.load_start,
            **end,
            "loaded": loaded or any(row.get("loaded") is True for row in rows),
        }

    def write(self, path: Path, data: dict, rows=()) -> dict:
        """Write `stamp(data, rows)` as JSON to `path`; returns what was written."""
        out = self.stamp(data, rows)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {path} (load {out['load_1min_start']} -> {out['load_1min_end']})")
        return out


def median_time(run, repeats: int) -> tuple[float, list[float]]:
    """Median seconds of `run()` over `repeats` calls, after one warm-up call, and every
    repeat's seconds. `run` must block until its work is done (`jax.block_until_ready`)."""
    run()  # warm-up: compilation and first-touch allocations
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def median_rate(run, units: float, repeats: int) -> tuple[float, list[float]]:
    """Median units per second of `run()` over `repeats` calls, after one warm-up call, and
    every repeat's rate."""
    rates = [units / t for t in median_time(run, repeats)[1]]
    return statistics.median(rates), rates


def interleaved_rates(
    runs: dict, units: float, repeats: int, min_seconds: float = 0.0, max_repeats: int = 60
) -> dict[str, tuple[float, list]]:
    """Median units per second of each `runs[name]()`, timed in turn: every repeat times
    each run once (the order reversed on every other repeat), after one warm-up call each.

    Runs compared with each other (the engine and a hand-written loop) see the same drift of
    a noisy machine this way; timed one after the other, a slow minute lands on one of them.
    At least `repeats` repeats, more (up to `max_repeats`) until every run has been timed for
    `min_seconds` in all: a fast run gets enough repeats for its median to settle.
    Returns `{name: (median rate, every repeat's rate)}`.
    """
    for run in runs.values():
        run()  # warm-up: compilation and first-touch allocations
    rates: dict[str, list[float]] = {name: [] for name in runs}
    spent = dict.fromkeys(runs, 0.0)
    i = 0
    while i < repeats or (min(spent.values()) < min_seconds and i < max_repeats):
        order = list(runs) if i % 2 == 0 else list(reversed(runs))
        for name in order:
            t0 = time.perf_counter()
            runs[name]()
            seconds = time.perf_counter() - t0
            spent[name] += seconds
            rates[name].append(units / seconds)
        i += 1
    return {name: (statistics.median(r), r) for name, r in rates.items()}

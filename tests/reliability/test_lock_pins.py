"""The lock (constraints.txt) resolves on any machine: only `name==version` pins."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!_-]+$")


def test_constraints_hold_only_index_pins():
    lines = ROOT.joinpath("constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert len(pins) > 20
    bad = [line for line in pins if not PIN.match(line)]
    assert bad == [], bad  # e.g. "torch @ file:///..." only exists on one machine


def test_make_lock_filters_url_pins():
    makefile = ROOT.joinpath("Makefile").read_text(encoding="utf-8")
    lock = makefile[makefile.index("\nlock:") :].split("\n\n")[0]
    assert "pip freeze" in lock and " @ " in lock

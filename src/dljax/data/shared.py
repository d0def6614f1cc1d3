"""Course data that dljax does not ship (`shared/data/`), found where the course keeps it."""

from __future__ import annotations

import os
from pathlib import Path


def find_shared_file(name: str):
    """Path of `shared/data/<name>` (course data not shipped with dljax), or None.

    Looks in `$DLJAX_SHARED_DATA`, then in `shared/data` beside any parent of the current
    folder or of the dljax source checkout.
    """
    candidates = []
    if os.environ.get("DLJAX_SHARED_DATA"):
        candidates.append(Path(os.environ["DLJAX_SHARED_DATA"]) / name)
    for start in (Path.cwd(), Path(__file__).resolve()):
        candidates += [p / "shared" / "data" / name for p in [start, *start.parents]]
    return next((p for p in candidates if p.is_file()), None)

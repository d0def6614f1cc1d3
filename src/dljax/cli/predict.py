"""`dljax predict RUN_DIR FILE...`: the most probable classes of image files for a
classifier run (the prediction itself is `dljax.runs.predict_files`)."""

from __future__ import annotations

import json
from pathlib import Path

from dljax.formatting import format_percent
from dljax.runs import predict_files


def cmd_predict(args) -> int:
    result = predict_files(args.run_dir, args.files, args.top_k)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    h, w, c = result["input_shape"]
    n = len(result["classes"])
    print(
        f"Prediksi {result['model']} ({Path(result['run'])}, {n} kelas, masukan {h} x {w} x {c}):"
    )
    for item in result["predictions"]:
        ranked = ", ".join(
            f"{t['class']} {format_percent(t['probability'], 1)}" for t in item["top"]
        )
        print(f"  {item['file']}: {ranked}")
    return 0

"""Data parallelism: the same run on 4 (host) devices gives the losses of 1 device."""

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import jax
    from dljax.config import build_config
    from dljax.data import digits
    from dljax.train import Trainer
    from dljax.train.parallel import DataParallel

    assert jax.device_count() == 4, jax.devices()
    data = digits.load()
    out = {}
    for model, pipeline in [("mlp", "device"), ("mlp", "grain"), ("cnn", "device")]:
        cfg = build_config(model, "tiny", {"data.pipeline": pipeline})
        runs = []
        for devices in (jax.devices()[:1], jax.devices()):
            t = Trainer(cfg, dataset=data, parallel=DataParallel.create(devices))
            h = t.fit(progress=False).history
            runs.append([[r["train_loss"], r["test_loss"]] for r in h])
        out[f"{model}-{pipeline}"] = runs
    print(json.dumps(out))
    """
)


def test_four_devices_match_one_device():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(results) == {"mlp-device", "mlp-grain", "cnn-device"}
    for name, (one, four) in results.items():
        assert len(one) == len(four) == 2, name
        for a, b in zip(one, four, strict=True):
            for x, y in zip(a, b, strict=True):
                assert abs(x - y) <= 1e-5 * abs(x), (name, x, y)

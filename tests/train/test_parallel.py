"""Data parallelism and FSDP on 4 simulated (host) devices, in one subprocess.

- "data": the same run on 4 devices gives the losses of 1 device;
- "fsdp": parameters and optimizer state split over the devices give the parameters of the
  "data" run; each device holds about 1/4 of the parameter bytes; an interrupted fsdp run
  resumed from its (sharded) checkpoint ends with the uninterrupted run's parameters;
- `dljax train mlp --set train.parallel=fsdp` works on 4 devices (and on 1 device, here).
"""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from dljax.cli import main

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import jax
    import numpy as np
    from dljax.cli import main
    from dljax.recipes import build_config
    from dljax.data import digits
    from dljax.runs import train
    from dljax.train import Trainer
    from dljax.train.parallel import DataParallel

    assert jax.device_count() == 4, jax.devices()
    data = digits.load()
    out = {"losses": {}}
    trainers = {}
    for model, pipeline in [("mlp", "device"), ("mlp", "grain"), ("cnn", "device")]:
        cfg = build_config(model, "tiny", {"data.pipeline": pipeline})
        runs = []
        for devices in (jax.devices()[:1], jax.devices()):
            t = Trainer(cfg, dataset=data, parallel=DataParallel.create(devices))
            h = t.fit(progress=False).history
            trainers[(model, pipeline, len(devices))] = t
            runs.append([[r["train_loss"], r["test_loss"]] for r in h])
        out["losses"][f"{model}-{pipeline}"] = runs

    def leaves(tree):
        return [np.asarray(x).tolist() for x in jax.tree.leaves(tree)]

    def specs(tree):
        return [str(x.sharding.spec) for x in jax.tree.leaves(tree)]

    states = {}
    for mode in ("data", "fsdp"):
        if mode == "data":  # the 4-device run above
            t = trainers[("mlp", "device", 4)]
        else:
            t = Trainer(build_config("mlp", "tiny", {"train.parallel": mode}), dataset=data)
            t.fit(progress=False)
        state = states[mode] = t.state
        out[mode] = {
            "params": leaves(state.params),
            "specs": specs(state.params),
            "opt_specs": specs(state.opt_state),
            "param_bytes": t.parallel.bytes_per_device(state.params),
            "opt_bytes": t.parallel.bytes_per_device(state.opt_state),
            "traces": dict(t.fns.traces),
        }
    out["shapes"] = [list(x.shape) for x in jax.tree.leaves(states["fsdp"].params)]
    out["itemsizes"] = [x.dtype.itemsize for x in jax.tree.leaves(states["fsdp"].params)]

    cfg = build_config("mlp", "tiny", {"train.parallel": "fsdp"})

    def stop_after_first(epoch, record):
        if epoch == 1:
            raise KeyboardInterrupt

    try:
        train(cfg, sys.argv[1] + "/fsdp-run", progress=False, on_epoch_end=stop_after_first)
    except KeyboardInterrupt:
        pass
    resumed = train(cfg, sys.argv[1] + "/fsdp-run", resume=True, progress=False)
    out["resumed"] = {"params": leaves(resumed.state.params), "specs": specs(resumed.state.params)}
    argv = ["train", "mlp", "--preset", "tiny", "--quiet", "--set", "train.parallel=fsdp"]
    out["cli"] = main(argv + ["--out", sys.argv[1] + "/cli-run"])
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def four_devices(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("parallel")
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def test_four_devices_match_one_device(four_devices):
    results = four_devices[0]["losses"]
    assert set(results) == {"mlp-device", "mlp-grain", "cnn-device"}
    for name, (one, four) in results.items():
        assert len(one) == len(four) == 2, name
        for a, b in zip(one, four, strict=True):
            for x, y in zip(a, b, strict=True):
                assert abs(x - y) <= 1e-5 * abs(x), (name, x, y)


def _assert_close(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(np.asarray(y), np.asarray(x), rtol=1e-5, atol=1e-6)


def test_fsdp_equals_data_parallel(four_devices):
    out = four_devices[0]
    _assert_close(out["data"]["params"], out["fsdp"]["params"])
    assert not any("data" in spec for spec in out["data"]["specs"])  # replicated
    assert any("'data'" in spec for spec in out["fsdp"]["specs"])
    assert any("'data'" in spec for spec in out["fsdp"]["opt_specs"])  # Adam moments too
    assert out["fsdp"]["traces"].get("device_chunk", 0) <= 2  # no retrace per dispatch


def test_fsdp_holds_a_quarter_of_the_parameters_per_device(four_devices):
    out = four_devices[0]
    total = sum(int(np.prod(s)) * b for s, b in zip(out["shapes"], out["itemsizes"], strict=True))
    # reference: an array is split 4 ways when one of its axes is divisible by 4
    expected = sum(
        int(np.prod(s)) * b // (4 if any(d % 4 == 0 for d in s) else 1)
        for s, b in zip(out["shapes"], out["itemsizes"], strict=True)
    )
    data, fsdp = out["data"]["param_bytes"], out["fsdp"]["param_bytes"]
    assert len(data) == len(fsdp) == 4
    assert set(data.values()) == {total}
    assert set(fsdp.values()) == {expected}
    assert expected < 0.3 * total  # the big kernels dominate: ~1/4 per device
    assert max(out["fsdp"]["opt_bytes"].values()) < 0.3 * max(out["data"]["opt_bytes"].values())


def test_fsdp_resume_from_sharded_checkpoint_equals_uninterrupted(four_devices):
    out = four_devices[0]
    _assert_close(out["fsdp"]["params"], out["resumed"]["params"])
    assert out["resumed"]["specs"] == out["fsdp"]["specs"]  # restored sharded


def test_cli_fsdp_on_four_devices(four_devices):
    out, stderr = four_devices
    assert out["cli"] == 0
    assert "4 perangkat, paralel: fsdp" in stderr


def test_cli_fsdp_on_one_device(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["train", "mlp", "--preset", "tiny", "--quiet", "--set", "train.parallel=fsdp"]
    assert main([*argv, "--out", "run"]) == 0
    assert "1 perangkat, paralel: fsdp" in capsys.readouterr().err
    assert json.loads((tmp_path / "run/metrics.json").read_text())["parallel"] == "fsdp"


def test_largest_divisible_axis_by_hand():
    from dljax.train.parallel import largest_divisible_axis

    assert largest_divisible_axis((64, 128), 4) == 1
    assert largest_divisible_axis((128, 64), 4) == 0
    assert largest_divisible_axis((3, 3, 16, 32), 8) == 3
    assert largest_divisible_axis((10,), 4) is None  # stays replicated
    assert largest_divisible_axis((2,), 4) is None
    assert largest_divisible_axis((), 4) is None


@pytest.mark.parametrize(
    "env, fragment",
    [
        ({"JAX_COORDINATOR_ADDRESS": "127.0.0.1:1", "JAX_PROCESS_ID": "0"}, "JAX_NUM_PROCESSES"),
        (
            {"JAX_COORDINATOR_ADDRESS": "127.0.0.1:1", "JAX_NUM_PROCESSES": "2"},
            "JAX_PROCESS_ID",
        ),
        (
            {
                "JAX_COORDINATOR_ADDRESS": "127.0.0.1:1",
                "JAX_NUM_PROCESSES": "2",
                "JAX_PROCESS_ID": "0",
                "DLJAX_HEARTBEAT_TIMEOUT": "sebentar",
            },
            "DLJAX_HEARTBEAT_TIMEOUT='sebentar'",
        ),
    ],
)
def test_distributed_environment_errors_are_indonesian(env, fragment, monkeypatch):
    from dljax.errors import DljaxError
    from dljax.train.parallel import initialize_distributed

    for var in ("JAX_COORDINATOR_ADDRESS", "JAX_NUM_PROCESSES", "JAX_PROCESS_ID"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(DljaxError, match="harus|tidak diset") as err:
        initialize_distributed()
    assert fragment in str(err.value)


def test_no_distributed_environment_means_one_process(monkeypatch):
    from dljax.multihost import distributed_wanted
    from dljax.train.parallel import initialize_distributed

    for var in ("JAX_COORDINATOR_ADDRESS", "DLJAX_DISTRIBUTED"):
        monkeypatch.delenv(var, raising=False)
    assert not distributed_wanted()
    assert distributed_wanted(auto=True)
    assert initialize_distributed() is False


def test_unknown_parallel_mode_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "mlp", "--preset", "tiny", "--set", "train.parallel=tensor"]) == 2
    err = capsys.readouterr().err
    assert "train.parallel='tensor'" in err and "fsdp" in err
    assert not (tmp_path / "runs").exists()

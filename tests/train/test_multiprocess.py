"""Multi-process training: two local processes joined by `jax.distributed` (CPU collectives,
2 simulated devices each) train exactly like one process with 4 devices.

One module-scoped session (process starts dominate its time, so it starts few):
- reference: one process, 4 devices, trains on the device path and on the Grain path;
- at the same time, two processes start the device-path run with `dljax train` as a user
  would; process 1 is killed (`kill -9`) right after its first checkpoint, and process 0
  (under the command-line supervisor) must stop with a clear message;
- then two processes `--resume` that run (epoch 2; epoch 1 was trained by the first pair)
  and train a Grain-path run from scratch.
Both runs must end with the reference's parameters. A small wrapper around
`dljax.cli.main` records, per process, every file the run-directory code writes, so
"only process 0 writes, every process checkpoints" is checked on what the code did.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

WRAPPER = textwrap.dedent(
    """
    import json, os, sys
    import dljax.cli as cli
    import dljax.runs.checkpoint as checkpoint
    import dljax.runs.recorder as recorder
    import dljax.runs.run_dir as run_dir

    log = open(os.environ["WRITES_LOG"], "a")

    def record(kind, path):
        log.write(json.dumps([kind, str(path)]) + "\\n")
        log.flush()

    def wrap(owner, name, kind, path_of):
        original = getattr(owner, name)

        def wrapped(*args, **kwargs):
            record(kind, path_of(*args))
            return original(*args, **kwargs)

        setattr(owner, name, wrapped)

    wrap(run_dir, "write_text_atomic", "file", lambda path, text: path)
    wrap(run_dir.RunDir, "append_history", "file", lambda self, r: self.metrics_log)
    wrap(run_dir.RunDir, "lock", "lock", lambda self: self.lock_file)
    wrap(recorder.RunDir, "write_summary", "final", lambda self, summary: self.path)
    save = checkpoint.Checkpointer.save

    def save_then_maybe_die(self, state, meta):
        save(self, state, meta)
        record("checkpoint", self.directory)
        if self.directory.parent.name == "mp-device" and meta["epoch"] == 1:
            os.kill(os.getpid(), 9)

    checkpoint.Checkpointer.save = save_then_maybe_die
    for argv in json.loads(sys.argv[1]):
        code = cli.main(argv)
        print("EXIT", code, flush=True)
    """
)

TRAIN = ["train", "mlp", "--preset", "tiny", "--quiet"]
WORKER = "DLJAX_DISTRIBUTED_WORKER"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(tmp: Path, name: str, devices: int, *, runs=None, cli=None, rank=None, port=None):
    """A process running `runs` in-process through WRAPPER (a training worker, its writes
    recorded), or the `dljax` command line `cli` as a user starts it (supervised)."""
    env = dict(
        os.environ,
        XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}",
        WRITES_LOG=str(tmp / f"writes-{name}.jsonl"),
        DLJAX_HEARTBEAT_TIMEOUT="5",
        DLJAX_INIT_TIMEOUT="120",
    )
    for var in ("JAX_COORDINATOR_ADDRESS", "JAX_NUM_PROCESSES", "JAX_PROCESS_ID", WORKER):
        env.pop(var, None)
    if rank is not None:
        env.update(
            JAX_COORDINATOR_ADDRESS=f"127.0.0.1:{port}",
            JAX_NUM_PROCESSES="2",
            JAX_PROCESS_ID=str(rank),
        )
    if runs is not None:
        env[WORKER] = "1"
        argv = [sys.executable, "-c", WRAPPER, json.dumps(runs)]
    else:
        argv = [sys.executable, "-m", "dljax.cli", *cli]
    return subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp
    )


def _finish(proc, timeout=240):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"process still running after {timeout} s (hang): {err[-2000:]}")
    return proc.returncode, out, err


def _writes(tmp: Path, name: str) -> list[list[str]]:
    path = tmp / f"writes-{name}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("multiprocess")
    dev, grain = ["--set", "data.pipeline=device"], ["--set", "data.pipeline=grain"]
    ref_runs = [TRAIN + dev + ["--out", "ref-device"], TRAIN + grain + ["--out", "ref-grain"]]
    killed = TRAIN + dev + ["--out", "mp-device"]
    port = _free_port()
    procs = {  # all at once: the pair waits for each other anyway
        "ref": _start(tmp, "ref", 4, runs=ref_runs),
        "k0": _start(tmp, "k0", 2, cli=killed, rank=0, port=port),  # as users start it
        "k1": _start(tmp, "k1", 2, runs=[killed], rank=1, port=port),  # dies after 1st save
    }
    result = {name: _finish(proc) for name, proc in procs.items()}
    result["killed_status"] = json.loads((tmp / "mp-device/status.json").read_text())

    port = _free_port()
    runs = [
        ["train", "mlp", "--out", "mp-device", "--resume", "--quiet"],
        TRAIN + grain + ["--out", "mp-grain"],
    ]
    r0 = _start(tmp, "r0", 2, runs=runs, rank=0, port=port)
    r1 = _start(tmp, "r1", 2, runs=runs, rank=1, port=port)
    result["r0"], result["r1"] = _finish(r0), _finish(r1)
    return tmp, result


def _params(run: Path) -> dict[str, np.ndarray]:
    return load_file(run / "params.safetensors")


def _assert_same_params(a: Path, b: Path):
    pa, pb = _params(a), _params(b)
    assert sorted(pa) == sorted(pb)
    for k in pa:
        np.testing.assert_allclose(pa[k], pb[k], rtol=1e-5, atol=1e-6, err_msg=k)


def test_reference_run_finished(session):
    tmp, r = session
    code, out, err = r["ref"]
    assert code == 0 and out.count("EXIT 0") == 2, err[-3000:]
    assert "4 perangkat" in err and "proses" not in err


def test_killed_process_stops_the_other_with_a_message(session):
    tmp, r = session
    assert r["k1"][0] == -signal.SIGKILL, r["k1"][2][-3000:]
    code0, _, err0 = r["k0"]
    assert "4 perangkat pada 2 proses, ini proses 0" in err0
    assert code0 == 1, (code0, err0[-3000:])
    message = err0.strip().splitlines()[-1]
    assert message.startswith("dljax: galat: "), err0[-3000:]
    assert "proses lain" in message and "--resume" in message
    assert r["killed_status"]["state"] in ("failed", "running")


@pytest.mark.parametrize("path", ["device", "grain"])
def test_two_processes_match_one_process(session, path):
    tmp, r = session
    for rank in ("r0", "r1"):
        code, out, err = r[rank]
        assert code == 0 and out.count("EXIT 0") == 2, err[-3000:]
    _assert_same_params(tmp / f"ref-{path}", tmp / f"mp-{path}")
    history = (tmp / f"mp-{path}/metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in history] == [1, 2]  # written once
    summary = json.loads((tmp / f"mp-{path}/metrics.json").read_text())
    assert summary["devices"] == 4 and summary["processes"] == 2
    status = json.loads((tmp / f"mp-{path}/status.json").read_text())
    assert status["state"] == "finished"


def test_only_process_zero_writes_files_but_all_checkpoint(session):
    tmp, _ = session
    kinds = {name: {kind for kind, _ in _writes(tmp, name)} for name in ("k1", "r0", "r1")}
    assert kinds["r0"] == {"file", "lock", "final", "checkpoint"}, kinds
    assert kinds["k1"] == kinds["r1"] == {"checkpoint"}, kinds  # Orbax: all take part
    assert (tmp / "mp-grain/.lock").read_text().strip().isdigit()

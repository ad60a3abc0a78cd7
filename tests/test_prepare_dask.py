"""``prepare(engine="dask")`` on a LocalCluster of 2 worker processes: the local store, always."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
sf = pytest.importorskip("soundfile")

import ferrosa.datasets as fd  # noqa: E402
from ferrosa.cli import main as cli  # noqa: E402
from ferrosa.datasets import dask_engine  # noqa: E402
from ferrosa.datasets.collect import KILL_ENV, Collector  # noqa: E402
from ferrosa.datasets.synth import render_dataset  # noqa: E402
from ferrosa.exceptions import ParameterError  # noqa: E402

SR = 22050
OPTS = {"segment_seconds": 1.0, "sr": SR}
REASONS = {
    "kick/truncated.wav": "truncated",
    "kick/zero.wav": "empty file",
    "pluck/text.mp3": "cannot decode",
    "pluck/dangling.wav": "cannot read",
    "flute/silence.wav": "silent",
}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """30 synthetic clips of up to 3 s, a clip shorter than a segment (padded) and bad files."""
    root = render_dataset(
        tmp_path_factory.mktemp("dask") / "data",
        n_per_class=10,
        classes=["pluck", "kick", "flute"],
        seed=3,
    )
    full = (root / "kick" / "kick_000.wav").read_bytes()
    (root / "kick" / "truncated.wav").write_bytes(full[: len(full) // 2])
    (root / "kick" / "zero.wav").write_bytes(b"")
    (root / "pluck" / "text.mp3").write_text("not audio\n" * 40)
    os.symlink(root / "nowhere.wav", root / "pluck" / "dangling.wav")
    sf.write(root / "flute" / "silence.wav", np.zeros(SR, np.float32), SR)
    sf.write(root / "flute" / "short.wav", 0.1 * np.ones(SR // 10, np.float32), SR)
    return root


@pytest.fixture(scope="module")
def client():
    # Spawned worker processes (never forked after Rust's pool started), as prepare starts them.
    cluster = dask_engine.local_cluster(2, dashboard=False)
    c = distributed.Client(cluster, set_as_default=False)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def local(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "store"
    fd.prepare(data, out, workers=2, progress=False, **OPTS)
    return out


def _files(path: Path):
    meta = json.loads((path / "meta.json").read_text())
    engine = meta.pop("engine", None)
    return (path / "features.npy").read_bytes(), (path / "index.csv").read_text(), meta, engine


def _same_store(a: Path, b: Path) -> dict:
    fa, fb = _files(a), _files(b)
    assert fa[0] == fb[0]  # features.npy byte for byte
    assert fa[1] == fb[1]  # index.csv: sources, labels, segments, split
    assert fa[2] == fb[2]  # meta.json without the engine entry: failures, counts, mapping
    return fb[3]


def test_dask_store_is_the_local_store_byte_for_byte(data, local, client, tmp_path):
    for batch in (1, None):  # one file per task, and the automatic batches
        out = tmp_path / f"dask-{batch}"
        fd.prepare(
            data, out, engine="dask", client=client, batch_files=batch, progress=False, **OPTS
        )
        engine = _same_store(local, out)
        assert engine["name"] == "dask" and engine["workers"] == 2 and engine["threads"] == 2
        assert engine["tasks"] == -(-36 // engine["batch_files"])
    meta = json.loads((local / "meta.json").read_text())
    assert "engine" not in meta  # the local engine's store is unchanged
    got = {f["path"]: f["reason"] for f in meta["failures"]}
    assert set(got) == set(REASONS)
    for path, start in REASONS.items():
        assert got[path].startswith(start), (path, got[path])
    assert meta["counts"]["processed"] == 31


@pytest.mark.parametrize(("allowed_failures", "batch"), [(3, 3), (0, 3), (0, 1)])
def test_a_worker_killed_mid_run_loses_nothing(
    data, local, client, tmp_path, monkeypatch, allowed_failures, batch
):
    # 3 (Dask's default): the scheduler runs the lost batch again by itself. 0: the batch
    # comes back as KilledWorker, and the engine sends its files again one per task; a
    # single file that (as far as Dask can tell) killed its worker is listed as a failure.
    monkeypatch.setattr(client.cluster.scheduler, "allowed_failures", allowed_failures)
    killed: list[int] = []
    add = Collector.add

    def add_then_kill(self, index, res):
        add(self, index, res)
        if not killed:  # from the first result on: kill a worker while it featurises
            busy = [w for w, keys in client.processing().items() if keys and w in pids]
            if busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(pids[busy[0]])

    monkeypatch.setattr(Collector, "add", add_then_kill)
    # The scheduler's view of a worker's tasks can lag: the kill may land just after
    # its task finished, with nothing running to lose. Such a run must still lose
    # nothing (the local store); with allowed_failures=0 the recovery path (split or
    # blame) is then tried again, up to three runs, and must be seen once.
    blamed = False
    for attempt in range(3 if allowed_failures == 0 else 1):
        killed.clear()
        pids = client.run(os.getpid)  # worker address -> process id
        out = tmp_path / f"store-{attempt}"
        fd.prepare(
            data, out, engine="dask", client=client, batch_files=batch, progress=False, **OPTS
        )
        assert killed
        with pytest.raises(ProcessLookupError):
            os.kill(killed[0], 0)  # it really died
        client.wait_for_workers(2, timeout=60)  # the nanny restarts it for the next run
        if batch == 1 and allowed_failures == 0:
            meta = json.loads((out / "meta.json").read_text())
            # Every file the dead worker held (running, or queued on it) is blamed.
            n = meta["engine"]["crashed_files"]
            died = [f for f in meta["failures"] if "process featurising it died" in f["reason"]]
            assert n == len(died) and not {f["path"] for f in died} & set(REASONS)
            assert meta["counts"]["processed"] == 31 - n  # every other file is there
            if n == 0:
                _same_store(local, out)
                continue
            blamed = True
            break
        engine = _same_store(local, out)
        assert engine["crashed_files"] == 0
        if allowed_failures == 0 and engine["split"] == 0:
            continue  # the kill found the worker between batches
        blamed = True
        break
    assert blamed


def test_killed_client_resumes_to_the_same_store(data, local, client, tmp_path):
    out = tmp_path / "store"
    address = client.scheduler.address
    cmd = [sys.executable, "-m", "ferrosa", "prepare", str(data), str(out), "--engine", "dask"]
    cmd += ["--scheduler", address, "--feature", "mfcc", "--segment-seconds", "1"]
    cmd += ["--checkpoint-every", "4"]
    cmd += ["--batch-files", "2", "--no-progress"]
    env = dict(os.environ, **{KILL_ENV: "2"})
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert not out.exists()
    shards = sorted((tmp_path / "store.partial" / "shards").glob("shard-*.json"))
    assert len(shards) == 2
    done = sum(len(json.loads(s.read_text())["files"]) for s in shards)
    assert 8 <= done < 36
    # The resumed run (here in-process, through the client) computes only the rest.
    fd.prepare(data, out, engine="dask", client=client, resume=True, progress=False, **OPTS)
    engine = _same_store(local, out)
    assert engine["tasks"] == -(-(36 - done) // engine["batch_files"])
    assert not (tmp_path / "store.partial").exists()


def test_unreachable_scheduler_is_one_line(data, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", 1.0)
    out = tmp_path / "store"
    t0 = time.monotonic()
    code = cli(
        ["prepare", str(data), str(out), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"]
    )
    assert code == 2 and time.monotonic() - t0 < 30
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ferrosa prepare: error: cannot reach the Dask")
    assert "tcp://127.0.0.1:9" in err[0]
    assert not out.exists() and not (tmp_path / "store.partial").exists()


def test_workers_must_see_the_data_and_options_are_checked(data, client, tmp_path):
    found = fd.discover(data)
    run = dask_engine.DaskRun(client, [], client.scheduler.address)
    with pytest.raises(dask_engine.ClusterError, match="cannot see '/no/such/dir'"):
        run._check(found, "/no/such/dir")
    run._check(found, str(data))  # the real path: every worker sees it
    with pytest.raises(ParameterError, match="engine="):
        fd.prepare(data, tmp_path / "a", engine="spark", **OPTS)
    with pytest.raises(ParameterError, match="client="):
        fd.prepare(data, tmp_path / "a", client=client, **OPTS)
    with pytest.raises(ParameterError, match="batch_files"):
        fd.prepare(data, tmp_path / "a", engine="dask", client=client, batch_files=0, **OPTS)
    assert cli(["prepare", str(data), str(tmp_path / "a"), "--scheduler", "tcp://x:1"]) == 2
    assert not (tmp_path / "a").exists() and not (tmp_path / "a.partial").exists()


def test_batches_are_small_enough_to_balance_and_large_enough_to_amortise():
    assert dask_engine.auto_batch_files(36, 2) == 3  # 8 tasks per thread
    assert dask_engine.auto_batch_files(1, 16) == 1
    assert dask_engine.auto_batch_files(100_000, 16) == dask_engine.MAX_BATCH_FILES
    assert dask_engine.auto_batch_files(2000, 2) == dask_engine.MAX_BATCH_FILES


def test_dask_logspec_store_has_the_local_scaler(data, client, tmp_path):
    """A generation store: the Dask engine writes the same train-split scaler as the local one."""
    opts = {"feature": "logspec", "n_fft": 512, "hop_length": 256, "segment_seconds": 0.74}
    local = tmp_path / "local"
    fd.prepare(data, local, workers=2, progress=False, **opts)
    out = tmp_path / "dask"
    fd.prepare(data, out, engine="dask", client=client, progress=False, **opts)
    _same_store(local, out)
    meta = json.loads((out / "meta.json").read_text())
    X = np.load(out / "features.npy")
    train = np.array([row.split(",")[-1] == "train" for row in _files(out)[1].splitlines()[1:]])
    assert meta["scaler"]["fitted_on"] == "train" and train.any() and not train.all()
    assert meta["scaler"]["low"] == float(X[train].min())
    assert meta["scaler"]["high"] == float(X[train].max())

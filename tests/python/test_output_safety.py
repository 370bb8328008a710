"""Issue 9: no output can destroy a file it should not — the regression tests of each item,
through the `outcore` command and through the Python package (same C++ underneath).

The guard, temporaries and locks are described in doc/format.md, "Writing files safely".
"""

import hashlib
import os
import signal
import stat
import subprocess
import threading
import time

import pytest

import outcore as oc
from conftest import outcore_bin, run


def sha(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def hidden_temps(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A small dirty CSV (it has rejects) and its .oc."""
    folder = tmp_path_factory.mktemp("safety")
    csv = folder / "in.csv"
    run("gen", "--rows", 3000, "--seed", 3, "-o", csv)
    oc_path = folder / "in.oc"
    run("ingest", csv, "-o", oc_path, "-q")
    return csv, oc_path


# -- item 1: --reject could destroy the input or the output -----------------------------------


def test_issue9_reject_path_that_is_the_input_is_refused(small, tmp_path):
    csv, _ = small
    before = sha(csv)
    r = run("ingest", csv, "-o", tmp_path / "out.oc", "--reject", csv, check=False)
    assert r.returncode == 2
    assert f"the rejects file {csv} is also the input" in r.stderr
    assert sha(csv) == before
    assert not (tmp_path / "out.oc").exists()
    with pytest.raises(ValueError, match=r"the rejects file .* is also the input"):
        oc.ingest(csv, tmp_path / "out.oc", reject=csv)
    assert sha(csv) == before
    # The same file by another name is still the input.
    link = tmp_path / "link.csv"
    link.symlink_to(csv)
    assert run("ingest", csv, "-o", tmp_path / "out.oc", "--reject", link, check=False).returncode == 2
    assert sha(csv) == before


def test_issue9_reject_path_that_is_the_output_is_refused(small, tmp_path):
    csv, good = small
    same = tmp_path / "same.oc"
    r = run("ingest", csv, "-o", same, "--reject", same, check=False)
    assert r.returncode == 2 and f"the rejects file {same} is also the output" in r.stderr
    assert not same.exists()
    same.write_bytes(good.read_bytes())
    before = sha(same)
    with pytest.raises(ValueError, match="is also the output"):
        oc.ingest(csv, same, reject=same)
    assert sha(same) == before and oc.open(same).num_rows > 0


def test_issue9_output_path_that_is_the_input_is_refused(small, tmp_path):
    _, good = small
    copy = tmp_path / "c.oc"
    copy.write_bytes(good.read_bytes())
    before = sha(copy)
    for command in (["hash", copy, "--columns", "topic"], ["onehot", copy, "--columns", "topic"],
                    ["pca", copy, "--columns", "price,quantity"]):
        r = run(*command, "-o", copy, check=False)
        assert r.returncode == 2 and "is also the input" in r.stderr, (command, r.stderr)
    r = run("pca", copy, "--columns", "price,quantity", "--where", "price is not null and quantity is not null",
            "-o", tmp_path / "m.npz", "--transform", tmp_path / "m.npz", check=False)
    assert r.returncode == 2 and "is also the model" in r.stderr
    assert sha(copy) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.oc"]


# -- item 2: writers renamed over devices, FIFOs, folders and symlinks ------------------------


def writer_commands(csv, oc_path, target):
    return [
        ["ingest", csv, "-o", target],
        ["ingest", csv, "-o", oc_path.parent / "x.oc", "--reject", target],
        ["normalize", oc_path, "--columns", "price", "-o", target],
        ["index", oc_path, "--columns", "topic", "-o", target],
        ["hash", oc_path, "--columns", "topic", "-o", target],
        ["onehot", oc_path, "--columns", "topic", "-o", target],
        ["pca", oc_path, "--columns", "price", "--where", "price is not null", "-o", target],
        ["gen", "--rows", 10, "-o", target],
    ]


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_issue9_writers_refuse_devices_fifos_and_folders(small, tmp_path, kind):
    csv, good = small
    copy = tmp_path / "c.oc"
    copy.write_bytes(good.read_bytes())
    if kind == "device":
        target = "/dev/null"
        words = "is a character device"
    elif kind == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)
        words = "is a FIFO"
    else:
        target = tmp_path / "folder"
        target.mkdir()
        words = "is a folder"
    before = os.stat(target)
    for command in writer_commands(csv, copy, target):
        r = run(*command, check=False, timeout=60)
        assert r.returncode == 2, (command, r.stderr)
        assert f"{target} {words}" in r.stderr, (command, r.stderr)
    after = os.stat(target)
    assert (after.st_ino, stat.S_IFMT(after.st_mode)) == (before.st_ino, stat.S_IFMT(before.st_mode))
    with pytest.raises(ValueError, match=words):
        oc.ingest(csv, target)
    with pytest.raises(ValueError, match=words):
        oc.ingest(csv, tmp_path / "y.oc", reject=target)
    with pytest.raises(ValueError, match=words):
        oc.index(copy, columns=["topic"], output=target)
    with pytest.raises(ValueError, match=words):
        oc.normalize_(copy, "minmax", columns=["price"], out=target)
    assert not (tmp_path / "x.oc").exists() and not (tmp_path / "y.oc").exists()
    assert hidden_temps(tmp_path) == []


def test_issue9_normalize_and_index_through_a_symlink_rewrite_the_real_file(small, tmp_path):
    _, good = small
    real = tmp_path / "real"
    real.mkdir()
    (real / "d.oc").write_bytes(good.read_bytes())
    link = tmp_path / "link.oc"
    link.symlink_to("real/d.oc")
    run("normalize", link, "--columns", "price")
    assert link.is_symlink() and os.readlink(link) == "real/d.oc"
    price = oc.open(real / "d.oc").to_pandas(columns=["price"])["price"]
    assert abs(price.min()) < 1e-9 and abs(price.max() - 1) < 1e-9
    oc.index(link, columns=["topic"])
    assert link.is_symlink()
    assert [i["column"] for i in oc.open(real / "d.oc").indexes] == ["topic"]
    oc.normalize_(link, "zscore", columns=["quantity"])
    assert link.is_symlink()
    assert abs(oc.open(real / "d.oc").to_pandas(columns=["quantity"])["quantity"].mean()) < 1e-9
    assert hidden_temps(tmp_path) == [] and hidden_temps(real) == []


# -- item 3: output and rejects commit together or not at all ---------------------------------


def test_issue9_a_rejects_file_that_cannot_be_written_leaves_the_good_output(small, tmp_path):
    csv, good = small
    out = tmp_path / "out.oc"
    out.write_bytes(good.read_bytes())
    before = sha(out)
    folder = tmp_path / "rejects"
    folder.mkdir()
    r = run("ingest", csv, "-o", out, "--reject", folder, check=False)
    assert r.returncode == 2 and "is a folder" in r.stderr
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if not os.access(ro, os.W_OK):  # root writes anywhere: its case is ENOSPC, in test_faults.py
            r = run("ingest", csv, "-o", out, "--reject", ro / "r.csv", check=False)
            assert r.returncode == 1 and str(ro) in r.stderr
    finally:
        ro.chmod(0o700)
    assert sha(out) == before


# -- item 7: SIGKILL left hidden temporaries ---------------------------------------------------


def wait_for_temp(folder, proc, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        if hidden_temps(folder):
            return True
        time.sleep(0.005)
    return False


def test_issue9_a_killed_writers_temporary_is_removed_by_info_and_by_the_next_write(tmp_path):
    csv = tmp_path / "big.csv"
    for _ in range(3):
        proc = subprocess.Popen([outcore_bin(), "gen", "--rows", "2000000", "-o", str(csv)],
                                stderr=subprocess.DEVNULL)
        seen = wait_for_temp(tmp_path, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if seen:
            break
    else:
        pytest.skip("the writer finished before it could be killed")
    assert not csv.exists()
    temps = hidden_temps(tmp_path)
    assert len(temps) == 1 and temps[0].startswith(".big.csv.tmp-")
    run("gen", "--rows", 100, "-o", tmp_path / "small.csv")
    (tmp_path / "small.oc").unlink(missing_ok=True)
    run("ingest", tmp_path / "small.csv", "-o", tmp_path / "small.oc", "-q")
    assert hidden_temps(tmp_path) == []  # the next write in the folder removed it
    # `outcore info` does the same, and says so.
    proc = subprocess.Popen([outcore_bin(), "gen", "--rows", "2000000", "-o", str(csv)], stderr=subprocess.DEVNULL)
    if wait_for_temp(tmp_path, proc):
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        r = run("info", tmp_path / "small.oc")
        assert "removed" in r.stderr and ".big.csv.tmp-" in r.stderr and "which is gone" in r.stderr
    else:
        proc.wait()
    assert hidden_temps(tmp_path) == []


def test_issue9_a_live_writers_temporary_is_never_removed(tmp_path):
    csv = tmp_path / "big.csv"
    proc = subprocess.Popen([outcore_bin(), "gen", "--rows", "3000000", "-o", str(csv)], stderr=subprocess.DEVNULL)
    try:
        if not wait_for_temp(tmp_path, proc):
            pytest.skip("the writer finished before the check")
        run("gen", "--rows", 10, "-o", tmp_path / "other.csv")  # sweeps the folder
        assert proc.poll() is not None or hidden_temps(tmp_path), "a live temporary was removed"
    finally:
        assert proc.wait() == 0
    assert csv.exists() and hidden_temps(tmp_path) == []


# -- item 8: two concurrent in-place writers lost an update ------------------------------------


@pytest.fixture(scope="module")
def bigger(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lock")
    csv = folder / "b.csv"
    run("gen", "--rows", 200_000, "--seed", 5, "--no-dirt", "-o", csv)
    path = folder / "b.oc"
    run("ingest", csv, "-o", path, "-q")
    return path


def check_both_applied(path):
    d = oc.open(path)
    assert [i["column"] for i in d.indexes] == ["topic"], "the index was lost"
    price = d.to_pandas(columns=["price"])["price"]
    assert abs(price.min()) < 1e-9 and abs(price.max() - 1) < 1e-9, "the normalization was lost"


def test_issue9_concurrent_index_and_normalize_keep_both_updates(bigger, tmp_path):
    for trial in range(3):
        path = tmp_path / f"t{trial}.oc"
        path.write_bytes(bigger.read_bytes())
        a = subprocess.Popen([outcore_bin(), "index", str(path), "--columns", "topic"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        b = subprocess.Popen([outcore_bin(), "normalize", str(path), "--columns", "price"], stderr=subprocess.PIPE,
                             text=True)
        assert a.wait() == 0 and b.wait() == 0, (a.stderr.read(), b.stderr.read())
        check_both_applied(path)
        assert hidden_temps(tmp_path) == []


def test_issue9_concurrent_python_index_and_normalize_keep_both_updates(bigger, tmp_path):
    path = tmp_path / "p.oc"
    path.write_bytes(bigger.read_bytes())
    errors = []

    def job(fn):
        try:
            fn()
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=job, args=(lambda: oc.index(path, columns=["topic"]),)),
               threading.Thread(target=job, args=(lambda: oc.normalize_(path, "minmax", columns=["price"]),))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check_both_applied(path)


def test_issue9_no_wait_fails_at_once_naming_the_holder(bigger, tmp_path):
    path = tmp_path / "w.oc"
    path.write_bytes(bigger.read_bytes())
    holder = subprocess.Popen([outcore_bin(), "index", str(path), "--tokens", "passage"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        r = None
        # A normalize that ran before the holder took the lock succeeds; the first that meets it fails.
        while time.monotonic() < deadline and holder.poll() is None:
            r = run("normalize", path, "--columns", "quantity", "--no-wait", check=False)
            if r.returncode != 0:
                break
        if r is None or r.returncode == 0:
            pytest.skip("the holder finished before a second writer could meet its lock")
        assert r.returncode == 1, r.stderr
        assert f"{path} is being written by another process (pid {holder.pid})" in r.stderr
    finally:
        assert holder.wait() == 0
    assert [i["column"] for i in oc.open(path).indexes] == ["passage"]  # the holder's update went in

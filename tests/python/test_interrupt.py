"""Ctrl-C (SIGINT) during long calls: KeyboardInterrupt comes promptly, and nothing is changed.

Issue 9: oc.ingest ignored SIGINT (it ran to the end and replaced the output), oc.index
finished and rewrote the file before raising, and a scan ran through every chunk. Each
test runs the call in a child process, waits until the call is under way, sends SIGINT,
and checks that the child raised KeyboardInterrupt well before the call could have
finished, that the old output is byte for byte the same and that no temporary is left.
"""

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import outcore as oc
from conftest import run

# Copies of the generated CSV one ingest reads: long enough that it cannot end in the
# seconds the test waits (the whole run takes a multiple of that), cheap to make.
COPIES = 40
# SIGINT -> exit, at most. The uninterrupted calls take many times longer.
PROMPT_SECONDS = 5.0


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("interrupt") / "big.csv"
    run("gen", "--size", "16MiB", "--seed", 5, "--no-dirt", "-o", path)
    return path


@pytest.fixture(scope="module")
def big_oc(big_csv, tmp_path_factory):
    path = tmp_path_factory.mktemp("interrupt") / "big.oc"
    oc.ingest([big_csv] * 8, path, memory_limit="256MiB")
    return path


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def interrupt_child(code, wait_for):
    """Runs `code` in a child Python, waits until `wait_for()` is true (the call is under
    way), sends SIGINT; returns (what the child printed, seconds from SIGINT to its exit)."""
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout.readline().strip() == "calling"
        deadline = time.monotonic() + 60
        while not wait_for():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the call never got under way"
            time.sleep(0.02)
        time.sleep(0.3)  # well inside the engine's loop
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
        return out + err, time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def leftovers(folder, keep):
    return sorted(name for name in os.listdir(folder) if name not in keep)


CALL = """
    import sys, outcore as oc
    print("calling", flush=True)
    try:
        {call}
        print("finished")
    except KeyboardInterrupt as e:
        print("KeyboardInterrupt", e)
"""


def test_issue9_ctrl_c_stops_ingest_and_keeps_the_old_output(big_csv, tmp_path):
    out = tmp_path / "out.oc"
    oc.ingest(big_csv, out)  # the output that must survive
    before = sha256(out)

    def temp_exists():  # the writer's temporary beside the output: ingest is writing
        return leftovers(tmp_path, {"out.oc"}) != []

    call = f"oc.ingest([{str(big_csv)!r}] * {COPIES}, {str(out)!r}, threads=1)"
    printed, seconds = interrupt_child(CALL.format(call=call), temp_exists)
    assert "KeyboardInterrupt" in printed and "finished" not in printed, printed
    assert seconds < PROMPT_SECONDS
    assert sha256(out) == before
    assert leftovers(tmp_path, {"out.oc"}) == []


def test_issue9_ctrl_c_stops_index_and_keeps_the_file(big_oc, tmp_path):
    path = tmp_path / "data.oc"
    path.write_bytes(big_oc.read_bytes())
    before = sha256(path)
    ready = tmp_path / "ready"
    # Token indexes on the text column: tokenizing every chunk takes seconds.
    call = f"open({str(ready)!r}, 'w').close(); oc.index({str(path)!r}, tokens=['passage', 'word'])"
    printed, seconds = interrupt_child(CALL.format(call=call), ready.exists)
    assert "KeyboardInterrupt" in printed and "finished" not in printed, printed
    assert seconds < PROMPT_SECONDS
    assert sha256(path) == before
    assert leftovers(tmp_path, {"data.oc", "ready"}) == []
    assert oc.open(path).indexes == []


def test_issue9_ctrl_c_stops_a_scan_inside_one_call(big_oc, tmp_path):
    # No row matches and nothing is skipped: one count() reads every chunk in one engine
    # call, which only a cancel flag can stop before the end; the scan's counters say
    # how far it got.
    ready = tmp_path / "ready"
    code = f"""
        import outcore as oc
        ds = oc.open({str(big_oc)!r})
        scan = ds._scanner(None, 1 << 20, None, "passage contains 'no-such-word'", False, False, None,
                           count_only=True)
        print("calling", flush=True)
        open({str(ready)!r}, "w").close()
        try:
            scan.count()
            print("finished")
        except KeyboardInterrupt:
            c = scan.counters()
            print("KeyboardInterrupt", c["chunks_read"], c["chunks_total"])
    """
    printed, seconds = interrupt_child(code, ready.exists)
    assert "KeyboardInterrupt" in printed and "finished" not in printed, printed
    chunks_read, chunks_total = map(int, printed.split("KeyboardInterrupt")[1].split()[:2])
    assert chunks_read < chunks_total
    assert seconds < PROMPT_SECONDS


def test_ctrl_c_runs_the_users_sigint_handler(big_csv, tmp_path):
    # A handler of the user's own runs as Python would run it; its exception comes out.
    out = tmp_path / "out.oc"
    ready = tmp_path / "ready"
    code = f"""
        import signal, outcore as oc
        class Stop(Exception):
            pass
        def handler(signum, frame):
            raise Stop("handled")
        signal.signal(signal.SIGINT, handler)
        print("calling", flush=True)
        open({str(ready)!r}, "w").close()
        try:
            oc.ingest([{str(big_csv)!r}] * {COPIES}, {str(out)!r}, threads=1)
            print("finished")
        except Stop as e:
            print("Stop", e)
    """
    printed, seconds = interrupt_child(code, ready.exists)
    assert "Stop handled" in printed, printed
    assert seconds < PROMPT_SECONDS
    assert not out.exists()
    assert leftovers(tmp_path, {"ready"}) == []


def test_calls_work_again_after_an_interrupt(big_csv, tmp_path):
    # Python's handler is back after each call: a later SIGINT in plain Python code raises.
    code = f"""
        import os, signal, outcore as oc
        oc.ingest({str(big_csv)!r}, {str(tmp_path / "a.oc")!r})
        print("calling", flush=True)
        try:
            os.kill(os.getpid(), signal.SIGINT)
            print("finished")
        except KeyboardInterrupt:
            print("KeyboardInterrupt in Python")
    """
    child = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                           timeout=120)
    assert "KeyboardInterrupt in Python" in child.stdout, child.stdout + child.stderr

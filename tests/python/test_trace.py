"""`outcore trace --python` attributes a NumPy array to the line that created it.

Runs the `outcore` binary from $OUTCORE_BIN (or PATH) on small scripts with a
known peak, and checks the JSON report's figures and sites.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

np = pytest.importorskip("numpy")

OUTCORE = os.environ.get("OUTCORE_BIN") or shutil.which("outcore")
pytestmark = pytest.mark.skipif(not OUTCORE, reason="outcore binary not found (set OUTCORE_BIN)")

ARRAY_BYTES = 20_000_000 * 8

SCRIPT = textwrap.dedent(
    """
    import numpy as np


    def build():
        data = np.ones(20_000_000)  # PEAK_LINE
        total = float(data.sum())
        del data
        later = np.zeros(1000)
        return total + float(later.sum())


    print(build())
    """
)


def line_of(source, marker):
    for number, line in enumerate(source.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(marker)


def run_trace(tmp_path, script_text, *options):
    script = tmp_path / "job.py"
    script.write_text(script_text)
    report = tmp_path / "report.json"
    result = subprocess.run(
        [OUTCORE, "trace", "--quiet", "--json", str(report), *options, "--", sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result, json.loads(report.read_text()), script


def test_numpy_array_is_attributed_to_its_python_line(tmp_path):
    result, report, _ = run_trace(tmp_path, SCRIPT, "--python")
    assert result.returncode == 0, result.stderr
    process = report["processes"][0]
    assert process["python"]
    top = process["top_at_peak"][0]
    assert top["location"].endswith(f"job.py:{line_of(SCRIPT, 'PEAK_LINE')}"), top
    assert top["function"] == "build"
    assert abs(top["bytes"] - ARRAY_BYTES) <= ARRAY_BYTES * 0.01
    # The peak holds the array plus the interpreter's own baseline.
    assert process["peak_heap"] >= ARRAY_BYTES


def test_without_python_flag_sites_are_native(tmp_path):
    result, report, _ = run_trace(tmp_path, SCRIPT)
    assert result.returncode == 0, result.stderr
    process = report["processes"][0]
    assert not process["python"]
    assert all(".py:" not in site["location"] for site in process["top_at_peak"])
    assert process["peak_heap"] >= ARRAY_BYTES


def test_python_killed_by_signal_still_reports_its_peak(tmp_path):
    script_text = textwrap.dedent(
        """
        import os, signal
        import numpy as np
        held = np.ones(10_000_000)  # HELD_LINE
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    result, report, _ = run_trace(tmp_path, script_text, "--python")
    assert result.returncode == 128 + 9
    process = report["processes"][0]
    assert not process["exited"]
    locations = [site["location"] for site in process["top_at_peak"]]
    assert any(loc.endswith(f"job.py:{line_of(script_text, 'HELD_LINE')}") for loc in locations), locations


# --- how a program ends: the out-of-memory kill and failing allocations (issue 15) ---------

GROW_SCRIPT = textwrap.dedent(
    """
    import numpy as np
    held = []
    for _ in range(100):  # at most ~3 GiB: a limit that never stops it ends the loop (exit 3)
        held.append(np.ones(4_000_000))  # ALLOC_LINE
    raise SystemExit(3)
    """
)


def memory_cgroup(tmp_name, limit):
    """A new memory cgroup limited to `limit` bytes (swap included where it can be):
    (its folder, the file a pid is written to), or None where the machine allows none."""
    candidates = []
    with open("/proc/mounts") as mounts:
        for line in mounts:
            _, point, kind, options = line.split()[:4]
            if kind == "cgroup2":
                candidates.append(("v2", point))
            elif kind == "cgroup" and "memory" in options.split(","):
                candidates.append(("v1", point))
    for version, point in candidates:
        if version == "v2":
            try:
                with open(os.path.join(point, "cgroup.subtree_control")) as f:
                    if "memory" not in f.read().split():
                        continue
            except OSError:
                continue
        folder = os.path.join(point, tmp_name)
        try:
            os.mkdir(folder)
        except OSError:
            continue
        try:
            if version == "v2":
                limits = [("memory.max", limit), ("memory.swap.max", 0)]
            else:
                limits = [("memory.limit_in_bytes", limit), ("memory.memsw.limit_in_bytes", limit)]
            for name, value in limits:
                path = os.path.join(folder, name)
                if os.path.exists(path) or name in ("memory.max", "memory.limit_in_bytes"):
                    with open(path, "w") as f:
                        f.write(str(value))
            return folder, os.path.join(folder, "cgroup.procs")
        except OSError:
            os.rmdir(folder)
    return None


def memory_cgroup_or_skip(tmp_name, limit):
    cgroup = memory_cgroup(tmp_name, limit)
    if cgroup is None:
        pytest.skip("no memory cgroup can be made here (needs root and a writable cgroup v1 or v2 memory controller)")
    return cgroup


def test_python_killed_by_a_cgroup_memory_limit_reports_how_it_ended(tmp_path):
    limit = 200 << 20
    folder, procs = memory_cgroup_or_skip(f"outcore-test-{os.getpid()}", limit)
    script = tmp_path / "job.py"
    script.write_text(GROW_SCRIPT)
    report_path = tmp_path / "report.json"
    try:
        # The traced program moves itself into the cgroup, then becomes Python: the tracer stays outside.
        result = subprocess.run(
            [OUTCORE, "trace", "--json", str(report_path), "--python", "--", "sh", "-c",
             f'echo $$ > "{procs}" || exit 97; exec "{sys.executable}" "{script}"'],
            capture_output=True, text=True, timeout=300,
        )
    finally:
        os.rmdir(folder)
    if result.returncode == 97:
        pytest.skip(f"the cgroup {folder} was made but a process cannot join it here")
    if result.returncode == 3:
        pytest.skip("the cgroup's limit did not stop the child (swap not limited here)")
    assert result.returncode == 128 + 9, result.stderr
    report = json.loads(report_path.read_text())
    assert report["exit"]["description"].startswith("killed by signal 9")
    process = report["processes"][0]
    assert not process["exited"]
    # The report holds what the last snapshot saw: the line that grew, an RSS near the limit.
    locations = [site["location"] for site in process["top_at_peak"]]
    assert any(loc.endswith(f"job.py:{line_of(GROW_SCRIPT, 'ALLOC_LINE')}") for loc in locations), locations
    assert limit // 2 < process["peak_rss"] < limit + (64 << 20), process["peak_rss"]
    assert "killed by signal 9" in result.stderr and "at RSS" in result.stderr, result.stderr


def test_failing_allocations_under_an_address_space_limit_are_reported(tmp_path):
    # ulimit -v, set by the program itself (a limit on `outcore trace` would bind the tracer too).
    # NumPy (and OpenBLAS's per-thread buffers) is loaded before the limit, which then allows
    # 300 MiB more than is mapped.
    script_text = textwrap.dedent(
        """
        import resource
        import numpy
        with open("/proc/self/statm") as f:
            mapped = int(f.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (mapped + (300 << 20), resource.getrlimit(resource.RLIMIT_AS)[1]))
        """
    ) + GROW_SCRIPT
    result, report, _ = run_trace(tmp_path, script_text, "--python")
    assert result.returncode == 1  # NumPy's MemoryError, uncaught
    assert report["exit"]["description"] == "exited with status 1"
    process = report["processes"][0]
    assert process["exited"] and process["alloc_failed"] and process["failed_allocs"] >= 1
    locations = [site["location"] for site in process["top_at_peak"]]
    assert any(loc.endswith(f"job.py:{line_of(script_text, 'ALLOC_LINE')}") for loc in locations), locations


def test_log_prints_each_allocation_above_the_size_with_its_python_line(tmp_path):
    # The lecture's demo: `ltrace -e malloc` shows numpy's malloc(123000), --log names the line too.
    script_text = textwrap.dedent(
        """
        import numpy as np
        small = np.ones(1_000, dtype=np.uint8)
        a = np.ones(123_000, dtype=np.uint8)  # LOG_LINE
        b = np.zeros(50_000, dtype=np.uint8)
        """
    )
    result, report, _ = run_trace(tmp_path, script_text, "--python", "--log", "100KiB")
    assert result.returncode == 0, result.stderr
    lines = [line for line in report["log"]["lines"] if line["size"] == 123_000]
    assert len(lines) == 1, report["log"]
    line = lines[0]
    assert line["location"].endswith(f"job.py:{line_of(script_text, 'LOG_LINE')}"), line
    assert line["library"].startswith("_multiarray_umath") and line["call"] == "malloc", line
    assert all(entry["size"] >= 100 << 10 for entry in report["log"]["lines"])
    text = subprocess.run(
        [OUTCORE, "trace", "--quiet", "--python", "--log", "100KiB", "--", sys.executable, str(tmp_path / "job.py")],
        capture_output=True, text=True, timeout=300,
    ).stderr
    assert "->malloc(123000) = 0x" in text and f"job.py:{line_of(script_text, 'LOG_LINE')}" in text, text


# --- `outcore mem`: faults, pressure, and a working set squeezed by a memory limit (issue 15) ---

READ_BACK_SCRIPT = textwrap.dedent(
    """
    import mmap, sys
    with open(sys.argv[1], "rb") as f:
        view = memoryview(mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ))
    for _ in range(3):
        assert bytes(view[::4096]) == b"x" * (len(view) // 4096)  # one byte of every page
    """
)


def cold_file(tmp_path, size):
    """A file of `size` bytes whose pages are not in the page cache (written, synced, dropped)."""
    path = tmp_path / "data.bin"
    with open(path, "wb") as f:
        f.write(b"x" * size)
        f.flush()
        os.fsync(f.fileno())
        os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    return path


def run_mem(tmp_path, command):
    report_path = tmp_path / "mem.json"
    result = subprocess.run([OUTCORE, "mem", "--json", str(report_path), "--", *command],
                            capture_output=True, text=True, timeout=300)
    return result, json.loads(report_path.read_text())


def test_mem_reports_no_squeeze_for_a_file_read_that_fits(tmp_path):
    data = cold_file(tmp_path, 96 << 20)
    script = tmp_path / "read.py"
    script.write_text(READ_BACK_SCRIPT)
    result, report = run_mem(tmp_path, [sys.executable, str(script), str(data)])
    assert result.returncode == 0, result.stderr
    assert report["squeezed"] == [], report["squeezed"]
    # Fault-around maps up to 16 pages a fault: at least 1/32 of the pages counts faults.
    assert report["minor_faults"] + report["major_faults"] >= (96 << 20) // 4096 // 32
    assert "working set not squeezed" in result.stderr
    pressure = report["pressure"]
    if os.path.exists("/proc/pressure/memory"):
        assert pressure["available"] and "memory pressure of the machine" in result.stderr
    else:
        assert not pressure["available"] and "not measured" in result.stderr


def test_mem_says_when_a_memory_limit_squeezed_the_working_set(tmp_path):
    limit = 40 << 20
    folder, procs = memory_cgroup_or_skip(f"outcore-test-mem-{os.getpid()}", limit)
    data = cold_file(tmp_path, 96 << 20)  # read three times through a limit that holds less than half of it
    script = tmp_path / "read.py"
    script.write_text(READ_BACK_SCRIPT)
    try:
        result, report = run_mem(tmp_path, ["sh", "-c", f'echo $$ > "{procs}" || exit 97; '
                                                         f'exec "{sys.executable}" "{script}" "{data}"'])
    finally:
        os.rmdir(folder)
    if result.returncode == 97:
        pytest.skip(f"the cgroup {folder} was made but a process cannot join it here")
    assert result.returncode == 0, result.stderr
    assert report["squeezed"], result.stderr
    assert max(s["rss"] for s in report["timeline"]) < 96 << 20  # the file never fitted
    assert report["cgroup"]["own"] and report["cgroup"]["path"].endswith(os.path.basename(folder))
    # Every page beyond what the limit holds was evicted and read back on the later passes.
    refaults = sum(span["refaults"] + span["major_faults"] for span in report["squeezed"])
    assert refaults >= 2 * ((96 << 20) - limit) // 4096, (refaults, report["squeezed"])
    assert "working set SQUEEZED from" in result.stderr, result.stderr

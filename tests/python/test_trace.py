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

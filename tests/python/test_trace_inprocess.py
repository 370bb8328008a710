"""``with oc.trace() as t`` and the ``%%outcore_trace`` magic: the tracer on a block of code in the
running interpreter (issue 15). The block's lines must be named, its peak measured, and what it
left allocated listed."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

np = pytest.importorskip("numpy")
import outcore as oc  # noqa: E402
from outcore._trace import _malloc_is_libc  # noqa: E402

pytestmark = pytest.mark.skipif(
    not _malloc_is_libc(), reason="another allocator interposes malloc here (ASan's preload): oc.trace() refuses"
)


def line_of(marker):
    with open(__file__) as f:
        for number, line in enumerate(f, start=1):
            if marker in line and "line_of(" not in line:
                return number
    raise AssertionError(marker)


def test_block_is_traced_in_process_and_names_its_lines(tmp_path):
    with oc.trace(html=tmp_path / "r.html") as t:
        data = np.ones(5_000_000)  # BLOCK_PEAK
        kept = np.ones(1_000_000)  # BLOCK_KEPT
        del data
    here = os.path.basename(__file__)
    assert t.top[0]["location"].endswith(f"{here}:{line_of('BLOCK_PEAK')}"), t.top
    assert t.top[0]["function"] == "test_block_is_traced_in_process_and_names_its_lines"
    assert 48_000_000 <= t.peak < 60_000_000, t.peak
    kept_sites = {site["location"].rsplit("/", 1)[-1]: site["bytes"] for site in t.kept}
    assert kept_sites.get(f"{here}:{line_of('BLOCK_KEPT')}") == pytest.approx(8_000_000, rel=0.01), t.kept
    assert f"{here}:{line_of('BLOCK_PEAK')}" not in kept_sites  # freed in the block
    assert t.report["exit"]["description"] == "traced block ended"
    assert "still allocated at the end of the traced block" in t.text
    page = (tmp_path / "r.html").read_text()
    assert t.html_path == str(tmp_path / "r.html") and f"{here}:{line_of('BLOCK_PEAK')}" in page
    assert kept.sum() == 1_000_000  # allocations keep working after the block (the hooks are gone)
    assert "<iframe srcdoc=" in t._repr_html_()


def test_a_second_block_gets_its_own_trace_and_log(tmp_path):
    with oc.trace() as first:
        a = np.ones(2_000_000)  # FIRST_BLOCK
    with oc.trace(log="1MiB") as second:
        b = [np.ones(300_000) for _ in range(3)]  # SECOND_BLOCK
    del a, b
    assert first.top[0]["location"].endswith(f":{line_of('FIRST_BLOCK')}")
    assert second.top[0]["location"].endswith(f":{line_of('SECOND_BLOCK')}")
    assert 7_200_000 <= second.peak < 9_000_000, second.peak  # the first block's array is not the second's
    assert [line["size"] for line in second.log] == [2_400_000] * 3, second.log
    assert all(line["location"].endswith(f":{line_of('SECOND_BLOCK')}") for line in second.log)


def test_native_sites_without_python_frames():
    with oc.trace(python=False) as t:
        data = np.ones(3_000_000)
    del data
    assert t.top[0]["bytes"] >= 24_000_000
    assert ".py:" not in t.top[0]["location"], t.top[0]


def test_a_process_killed_inside_the_block_still_gets_its_report(tmp_path):
    # The watcher outlives the process: the report says it ended in the block, with the line held.
    script = tmp_path / "job.py"
    script.write_text(textwrap.dedent(
        f"""
        import os, signal
        import numpy as np
        import outcore as oc
        t = oc.trace(html={str(tmp_path / "r.html")!r}, json={str(tmp_path / "r.json")!r})
        with t:
            held = np.ones(4_000_000)  # HELD
            os.kill(os.getpid(), signal.SIGKILL)
        """))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == -9
    for _ in range(100):  # the watcher writes the report once it sees the process gone
        if (tmp_path / "r.json").exists() and (tmp_path / "r.json").stat().st_size:
            break
        time.sleep(0.1)
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["exit"]["description"] == "the process ended inside the traced block"
    process = report["processes"][0]
    assert not process["exited"]
    held_line = next(n for n, text in enumerate(script.read_text().splitlines(), 1) if "# HELD" in text)
    assert any(site["location"].endswith(f"job.py:{held_line}") for site in process["top_at_peak"]), process


MAGIC_SESSION = textwrap.dedent(
    """
    import json
    from IPython.testing.globalipapp import start_ipython
    from IPython.utils.capture import capture_output

    shell = start_ipython()
    # The test shell formats plain text only; a notebook's front end asks for HTML too.
    shell.display_formatter.active_types = ["text/plain", "text/html"]
    shell.run_line_magic("load_ext", "outcore")
    cell = "import numpy as np\\nbig = np.ones(2_500_000)\\ndel big\\n"
    with capture_output() as captured:
        shell.run_cell_magic("outcore_trace", "--top 3", cell)
    result = shell.user_ns["_outcore_trace"]
    print(json.dumps({"html": [o.data["text/html"] for o in captured.outputs if "text/html" in o.data],
                      "top": result.top, "count": shell.execution_count}))
    """
)


def test_ipython_magic_shows_the_report_inline(tmp_path):
    pytest.importorskip("IPython")
    # In a child: an IPython shell changes the interpreter's hooks for whatever runs after it.
    run = subprocess.run([sys.executable, "-c", MAGIC_SESSION], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    session = json.loads(run.stdout.strip().splitlines()[-1])
    html, top = session["html"], session["top"]
    assert len(html) == 1 and html[0].startswith("<iframe srcdoc="), html
    assert top[0]["location"].endswith(f"cell{session['count']}.py:2"), top
    assert top[0]["bytes"] == 20_000_000
    assert "big = np.ones(2_500_000)" in html[0]  # the cell's source text, in the report


def test_refuses_to_start_inside_outcore_trace(tmp_path):
    # Under `outcore trace` the preloaded tracer already owns malloc: a second one must not start.
    code = "import outcore as oc\ntry:\n    oc.trace().__enter__()\nexcept RuntimeError as e:\n    print(e)\n"
    outcore = os.environ.get("OUTCORE_BIN") or shutil.which("outcore")
    if not outcore:
        pytest.skip("outcore binary not found (set OUTCORE_BIN)")
    run = subprocess.run([outcore, "trace", "--quiet", "--", sys.executable, "-c", code],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "already runs under `outcore trace`" in run.stdout, run.stdout

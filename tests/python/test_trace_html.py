"""The HTML report of `outcore trace` opened in headless Chromium: the page's own
script runs without a console error, draws the flame graph, shows what was live
at a linked point of the timeline, and a screenshot is taken (kept in
$OUTCORE_TRACE_SCREENSHOT when set, to look at).

Skipped, with the reason, where Chromium is not installed (scripts/install-deps.sh
installs Debian's `chromium`).
"""

import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("numpy")

OUTCORE = os.environ.get("OUTCORE_BIN") or shutil.which("outcore")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(not OUTCORE, reason="outcore binary not found (set OUTCORE_BIN)"),
    pytest.mark.skipif(not CHROMIUM, reason="chromium not installed (apt-get install chromium)"),
]

SCRIPT = textwrap.dedent(
    """
    import numpy as np


    def load():
        return np.ones(6_000_000)  # PEAK_LINE


    def build():
        data = load()
        parts = [np.zeros(200_000) for _ in range(10)]
        return float(data.sum()) + len(parts)


    print(build())
    """
)


def chromium(*args, timeout=120):
    # --no-sandbox: we run as root in a container, where Chromium's sandbox cannot start.
    cmd = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--enable-logging=stderr", "--v=0", "--window-size=1200,1400", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("html")
    script = tmp / "job.py"
    script.write_text(SCRIPT)
    html = tmp / "report.html"
    result = subprocess.run(
        [OUTCORE, "trace", "--python", "--quiet", "--html", str(html), "--", sys.executable, str(script)],
        capture_output=True, text=True, timeout=300, cwd=tmp,
    )
    assert result.returncode == 0, result.stderr
    return html


def test_page_runs_its_script_without_errors_and_draws_the_flame_graph(report):
    text = report.read_text()
    peak_line = next(n for n, line in enumerate(SCRIPT.splitlines(), 1) if "PEAK_LINE" in line)
    # Source text of the peak line is in the page itself (read at report time).
    assert "np.ones(6_000_000)  # PEAK_LINE" in text
    peak_seconds = float(re.search(r"peak heap [^<]* at ([0-9.]+) s", text).group(1))
    result = chromium("--dump-dom", f"{report.as_uri()}#t={peak_seconds + 0.01}")
    assert result.returncode == 0, result.stderr
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console
    dom = result.stdout
    frames = re.findall(r'<div class="frame (\w+)"[^>]*>([^<]*)</div>', dom)
    assert len(frames) >= 3, dom[:2000]
    assert any(kind == "py" and name.endswith(f"job.py:{peak_line}") for kind, name in frames), frames[:20]
    # The #t= link showed what was live at the peak: the peak line in a table.
    at_time = dom[dom.index('id="oc-at-time"'):]
    at_time = at_time[: at_time.index("</table>")]
    assert "live at its last new peak before this point" in at_time
    assert f"job.py:{peak_line}</code>" in at_time


def test_screenshot_of_the_page(report, tmp_path):
    shot = os.environ.get("OUTCORE_TRACE_SCREENSHOT") or str(tmp_path / "report.png")
    result = chromium(f"--screenshot={shot}", report.as_uri())
    assert result.returncode == 0, result.stderr
    with open(shot, "rb") as png:
        data = png.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a drawn page, not a blank one

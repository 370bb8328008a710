"""The budget suite: peak RSS, read from the OS (os.wait4), stays under
--memory-limit for ingest and scan on several shapes of data — or the command
refuses with a clear message and a non-zero exit. Never exit 0 over the limit.

Each case is sized to take seconds. Cases that break the promise today are
marked xfail(strict=True) with the figure measured, so that a fix flags itself.
"""

import json
import random
import re
import subprocess
import sys
import tempfile

import pytest

from conftest import outcore_bin

# Every case here pins a peak RSS: none means anything under ASan (pyproject.toml, markers).
pytestmark = pytest.mark.rss

MiB = 1 << 20
LIMIT = "64MiB"


# The measured command is started by a small launcher process, not by pytest:
# a child's ru_maxrss includes the RSS of the process it was forked from (the
# kernel keeps the high-water mark across exec), and pytest with pandas and
# pyarrow loaded is ~200 MiB. The launcher forks from a ~10 MiB interpreter
# and reports the wait4 figures of its own child.
LAUNCHER = """
import json, os, sys
pid = os.fork()
if pid == 0:
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
    os.dup2(fd, 2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
print(json.dumps({"rc": os.waitstatus_to_exitcode(status), "maxrss_kib": usage.ru_maxrss}))
"""


def run_measured(*args):
    """Runs outcore with `args`; returns (exit code, stderr, peak RSS in bytes from wait4)."""
    with tempfile.NamedTemporaryFile("r", suffix=".stderr") as err:
        out = subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, err.name, outcore_bin(), *map(str, args)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(out.stdout)
        return figures["rc"], err.read(), figures["maxrss_kib"] * 1024  # Linux: KiB


def assert_within_or_refused(args, limit=64 * MiB, refusal_words=("needs", "too small", "longer than")):
    rc, stderr, peak = run_measured(*args)
    assert rc >= 0, f"killed by signal {-rc}: {stderr}"
    if rc == 0:
        assert peak <= limit, f"exit 0 with peak RSS {peak / MiB:.1f} MiB over {limit / MiB:.0f} MiB"
        assert "(OVER)" not in stderr
    else:
        assert any(w in stderr for w in refusal_words), f"refused without saying why: {stderr}"
    return rc, peak


def write_csv(path, header, rows):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


def ingest_wide(tmp_path, columns, rows, seed):
    """Ingests `columns` small-integer columns x `rows` rows at LIMIT, within or refused."""
    rng = random.Random(seed)
    csv = tmp_path / f"wide_{columns}x{rows}.csv"
    write_csv(
        csv, [f"c{i}" for i in range(columns)], ([str(rng.randrange(100)) for _ in range(columns)] for _ in range(rows))
    )
    assert_within_or_refused(["ingest", csv, "-o", tmp_path / "wide.oc", "--memory-limit", LIMIT])


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    d = tmp_path_factory.mktemp("budget")
    csv = d / "gen.csv"
    subprocess.run([outcore_bin(), "gen", "--size", "200M", "-o", csv], check=True, capture_output=True)
    return csv


def test_ingest_of_generated_data_stays_under_the_limit(generated, tmp_path):
    rc, _ = assert_within_or_refused(["ingest", generated, "-o", tmp_path / "g.oc", "--memory-limit", LIMIT])
    assert rc == 0


def test_scan_of_generated_data_stays_under_the_limit(generated, tmp_path):
    out = tmp_path / "g.oc"
    subprocess.run(
        [outcore_bin(), "ingest", generated, "-o", out, "--memory-limit", LIMIT], check=True, capture_output=True
    )
    rc, _ = assert_within_or_refused(["cat", out, "--memory-limit", LIMIT])
    assert rc == 0


def test_a_file_written_with_a_larger_budget_is_scanned_within_or_refused(generated, tmp_path):
    out = tmp_path / "big.oc"
    subprocess.run(
        [outcore_bin(), "ingest", generated, "-o", out, "--memory-limit", "4GiB"], check=True, capture_output=True
    )
    rc, _ = assert_within_or_refused(["cat", out, "--memory-limit", LIMIT])
    if rc != 0:
        # and a budget that holds its chunks reads it
        rc_big, _ = assert_within_or_refused(["cat", out, "--memory-limit", "512MiB"], limit=512 * MiB)
        assert rc_big == 0


def test_a_run_over_its_limit_says_so_and_does_not_exit_0(generated, tmp_path):
    # --block-size overrides the plan (a test hook): 64 MiB blocks cannot stay within 64 MiB.
    rc, stderr, peak = run_measured(
        "ingest", generated, "-o", tmp_path / "g.oc", "--memory-limit", LIMIT, "--block-size", "64MiB", "-q"
    )
    assert peak > 64 * MiB
    assert rc == 3, stderr
    assert "passed the 64.0 MiB limit: the output is complete" in stderr, stderr


def test_high_cardinality_strings_stay_under_the_limit(tmp_path):
    rng = random.Random(3)
    csv = tmp_path / "hex.csv"
    write_csv(csv, ["id", "key"], ([str(i), f"{rng.getrandbits(160):040x}"] for i in range(1_000_000)))
    rc, _ = assert_within_or_refused(["ingest", csv, "-o", tmp_path / "hex.oc", "--memory-limit", LIMIT])
    assert rc == 0


def test_2000_columns_stay_under_the_limit(tmp_path):
    ingest_wide(tmp_path, 2000, 8000, seed=5)


def test_20000_columns_are_refused_up_front_naming_a_limit_that_then_holds(tmp_path):
    # Each column keeps state (its distinct-count sketch, names, per-worker
    # buffers) before any block is read: 20,000 of them do not fit 64 MiB.
    rng = random.Random(7)
    csv = tmp_path / "wide.csv"
    rows = ([str(rng.randrange(100)) for _ in range(20000)] for _ in range(200))
    write_csv(csv, [f"c{i}" for i in range(20000)], rows)
    rc, stderr, peak = run_measured("ingest", csv, "-o", tmp_path / "wide.oc", "--memory-limit", LIMIT)
    assert rc == 2, stderr
    assert "20000 columns need" in stderr and "wide.csv" in stderr, stderr
    assert peak <= 64 * MiB and not (tmp_path / "wide.oc").exists()
    named = re.search(r"use --memory-limit (\d+)MiB or more", stderr)
    assert named, stderr
    limit = int(named.group(1))
    assert 64 < limit < 1024
    rc, peak = assert_within_or_refused(
        ["ingest", csv, "-o", tmp_path / "wide.oc", "--memory-limit", f"{limit}MiB"], limit=limit * MiB
    )
    assert rc == 0


def test_one_200mb_field_is_kept_within_the_limit_or_refused(tmp_path):
    csv = tmp_path / "long.csv"
    with open(csv, "w") as f:
        f.write("id,text\n1,short\n2,")
        chunk = "x" * (1 << 20)
        for _ in range(200):
            f.write(chunk)
        f.write("\n3,short\n")
    assert_within_or_refused(["ingest", csv, "-o", tmp_path / "long.oc", "--memory-limit", LIMIT])


def test_2000_columns_memory_does_not_grow_with_input_size(tmp_path):
    ingest_wide(tmp_path, 2000, 24000, seed=5)

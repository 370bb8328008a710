"""Issue 12: the delta encoding (12) for integers, dates and timestamps in or near order.

A time-ordered export with stray stamps years away goes in through the CLI; `info` must name
`delta` for those columns and every value must come back as pandas reads the CSV.
"""

import json

import numpy as np
import pandas as pd

import outcore as oc
from conftest import run

ROWS = 60_000


def write_ordered_csv(path, rows=ROWS, seed=3):
    rng = np.random.default_rng(seed)
    start = np.datetime64("2019-01-01T00:00:00", "s").astype(np.int64)
    pickup = start + np.cumsum(rng.exponential(0.8, rows).astype(np.int64))
    strays = rng.random(rows) < 2e-4
    pickup[strays] += rng.choice([-10, -3, 1, 8], strays.sum()) * 365 * 86400
    trip = np.arange(rows, dtype=np.int64) * 3 + 1_000_000 + rng.integers(0, 3, rows)
    day = (np.datetime64("2010-01-01", "D") + np.arange(rows) // 40).astype(str)
    stamps = np.char.replace(np.datetime_as_string(pickup.astype("datetime64[s]"), unit="s"), "T", " ")
    stamps = np.where(rng.random(rows) < 0.05, "", stamps)  # nulls inside the run of stamps
    stamps[:3] = ""  # and leading ones
    with open(path, "w") as out:
        out.write("trip_id,pickup,day\n")
        for row in range(rows):
            out.write(f"{trip[row]},{stamps[row]},{day[row]}\n")
    return int(strays.sum())


def test_ordered_stamps_with_strays_are_delta_and_read_back_exactly(tmp_path):
    csv = tmp_path / "trips.csv"
    assert write_ordered_csv(csv) > 0  # the shape has strays
    out = tmp_path / "trips.oc"
    run("ingest", csv, "-o", out, "-q")
    info = json.loads(run("info", out, "--json").stdout)
    encodings = {c["name"]: c["encoding"] for c in info["columns"]}
    for name in ("trip_id", "pickup", "day"):
        assert "delta" in encodings[name].split("+"), encodings
    assert "delta" in run("info", out).stdout

    want = pd.read_csv(csv, parse_dates=["pickup", "day"])
    got = oc.open(out).to_pandas()
    assert got["trip_id"].tolist() == want["trip_id"].tolist()
    missing = want["pickup"].isna().to_numpy()
    assert np.array_equal(pd.isna(got["pickup"]).to_numpy(), missing)
    assert missing[:3].all()
    as_seconds = lambda s: pd.Series(s)[~missing].to_numpy(dtype="datetime64[s]")  # noqa: E731
    assert np.array_equal(as_seconds(got["pickup"]), as_seconds(want["pickup"]))
    assert np.array_equal(pd.Series(got["day"]).to_numpy(dtype="datetime64[D]"),
                          want["day"].to_numpy(dtype="datetime64[D]"))


def test_a_where_on_a_delta_column_matches_pandas(tmp_path):
    csv = tmp_path / "trips.csv"
    write_ordered_csv(csv, rows=20_000, seed=5)
    out = tmp_path / "trips.oc"
    run("ingest", csv, "-o", out, "-q")
    want = pd.read_csv(csv)
    lo, hi = 1_020_000, 1_030_000
    got = oc.open(out).to_pandas(columns=["trip_id"], where=f"trip_id >= {lo} and trip_id < {hi}")
    expected = want["trip_id"][(want["trip_id"] >= lo) & (want["trip_id"] < hi)]
    assert got["trip_id"].tolist() == expected.tolist()


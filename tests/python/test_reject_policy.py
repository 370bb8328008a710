"""The rejection policy: --max-rejects / max_rejects, the default (every row rejected fails),
the >1% warning, and what is left on disk when it trips (issue 10, item 11)."""

import json
import warnings

import pytest

import outcore as oc
from conftest import run

FLOAT = {"price": "float64"}  # the decimal comma then does not parse: '12,50' is rejected


def write_prices(path, rows, bad_every):
    """id,price with a decimal comma ('12,50') in one row of `bad_every`."""
    lines = ["id,price"]
    for i in range(rows):
        lines.append(f'{i},"{i},50"' if i % bad_every == 0 else f"{i},{i}.25")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_wrong_schema_that_rejects_every_row_fails_and_keeps_the_old_output(tmp_path):
    csv = write_prices(tmp_path / "p.csv", 50, 1)
    out, rej = tmp_path / "p.oc", tmp_path / "rej.csv"
    run("ingest", write_prices(tmp_path / "good.csv", 10, 1000), "-o", out, "-q")
    before = out.read_bytes()
    p = run("ingest", csv, "-o", out, "--schema", "price:float64", "--reject", rej, "-q", check=False)
    assert p.returncode == 1, p.stderr
    assert "every row was rejected (50 of 50)" in p.stderr
    assert "price: 50 rows unparsable, e.g. line 2: '0,50' is not a float64" in p.stderr
    assert "try --schema price:string" in p.stderr
    assert out.read_bytes() == before  # not replaced
    assert len(rej.read_text().splitlines()) == 51  # header + every row, to see why
    fresh = tmp_path / "fresh.oc"
    assert run("ingest", csv, "-o", fresh, "--schema", "price:float64", "-q", check=False).returncode == 1
    assert not fresh.exists()
    assert sorted(f.name for f in tmp_path.iterdir()) == ["good.csv", "p.csv", "p.oc", "rej.csv"]


def test_max_rejects_share_and_count_on_the_command_line(tmp_path):
    csv = write_prices(tmp_path / "p.csv", 400, 20)  # 20 of 400 rows: 5%
    out = tmp_path / "p.oc"
    typed = ["--schema", "price:float64"]
    tripped = run("ingest", csv, "-o", out, *typed, "--max-rejects", "1%", "--json", "-q", check=False)
    assert tripped.returncode == 1
    assert "20 rows of 400 were rejected (5%), more than --max-rejects 1% allows" in tripped.stderr
    report = json.loads(tripped.stdout)  # --json still says what happened
    assert report["rows_read"] == report["rows_kept"] + report["rows_rejected"] == 400
    assert report["rows_rejected"] == 20 and "more than --max-rejects 1%" in report["error"]
    assert report["rejects_by_column"] == [
        {"column": "price", "reason": "unparsable", "rows": 20, "first_line": 2,
         "example": "'0,50' is not a float64"}]
    assert not out.exists()
    assert run("ingest", csv, "-o", out, *typed, "--max-rejects", "19", "-q", check=False).returncode == 1
    ok = run("ingest", csv, "-o", out, *typed, "--max-rejects", "20", "-q")
    assert "warning: 20 rows of 400 (5%) were rejected" in ok.stderr
    assert "try --schema price:string" in ok.stderr
    assert out.exists()
    quiet = run("ingest", write_prices(tmp_path / "q.csv", 400, 400), "-o", out, *typed, "-q")  # 0.25%: no warning
    assert "warning" not in quiet.stderr


def test_max_rejects_usage_errors(tmp_path):
    csv = write_prices(tmp_path / "p.csv", 10, 1000)
    for bad in ["1.5", "150%", "lots", "-3"]:
        p = run("ingest", csv, "-o", tmp_path / "x.oc", "--max-rejects", bad, check=False)
        assert p.returncode == 2 and "--max-rejects is a number of rows (e.g. 1000) or a share" in p.stderr
        assert f"not '{bad}'" in p.stderr
    both = run("ingest", csv, "-o", tmp_path / "x.oc", "--on-error", "fail", "--max-rejects", "5", check=False)
    assert both.returncode == 2 and "cannot be combined with --max-rejects 5" in both.stderr
    helptext = run("ingest", "--help").stdout
    assert "--max-rejects" in helptext and "--max-rejects 1% --reject rejects.csv" in helptext


def test_python_raises_a_value_error_with_the_report_attached(tmp_path):
    csv = write_prices(tmp_path / "p.csv", 200, 10)  # 10%
    out = tmp_path / "p.oc"
    with pytest.raises(oc.RejectLimitError, match=r"more than --max-rejects 1% allows") as caught:
        oc.ingest(csv, out, schema=FLOAT, max_rejects="1%", reject=tmp_path / "rej.csv")
    assert isinstance(caught.value, ValueError)
    report = caught.value.report
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (200, 180, 20)
    assert report["rejects_by_column"][0]["column"] == "price"
    assert report["rejects_by_column"][0]["rows"] == 20
    assert "error" not in report
    assert not out.exists() and (tmp_path / "rej.csv").exists()
    with pytest.raises(oc.RejectLimitError):
        oc.ingest(csv, out, schema=FLOAT, max_rejects=19)
    with pytest.raises(oc.RejectLimitError, match="every row was rejected"):
        oc.ingest(csv, out, schema={"price": "int64"})
    with pytest.raises(ValueError, match="max_rejects is a number of rows"):
        oc.ingest(csv, out, max_rejects="ten")


def test_python_warns_past_one_percent(tmp_path):
    csv = write_prices(tmp_path / "p.csv", 200, 10)
    with pytest.warns(oc.RejectWarning, match=r"price: 20 rows unparsable.*try --schema price:string"):
        report = oc.ingest(csv, tmp_path / "p.oc", schema=FLOAT)
    assert report["warning"].startswith("20 rows of 200 (10%) were rejected")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = oc.ingest(write_prices(tmp_path / "q.csv", 200, 1000), tmp_path / "q.oc", schema=FLOAT)
    assert report["warning"] is None and report["rows_rejected"] == 1

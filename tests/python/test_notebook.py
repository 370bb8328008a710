"""Dataset._repr_html_ and Dataset.info(): what a notebook shows of a .oc file (issue 11)."""

import json

import pytest

import outcore as oc
from conftest import run

HOSTILE = "<script>alert(1)</script>"


def test_info_is_what_outcore_info_json_prints(dirty_csv, tmp_path):
    out = tmp_path / "d.oc"
    oc.ingest(dirty_csv, out, index=["topic"])
    ours, theirs = oc.open(out).info(), json.loads(run("info", out, "--json").stdout)
    share = [index.pop("share_of_file") for index in ours["indexes"]]
    assert share == pytest.approx([index.pop("share_of_file") for index in theirs["indexes"]]) and share[0] > 0
    assert ours == theirs


def test_html_shows_schema_encodings_sizes_rows_and_indexes(dirty_csv, tmp_path):
    out = tmp_path / "d.oc"
    report = oc.ingest(dirty_csv, out)
    ds = oc.open(out)
    html = ds._repr_html_()
    info = ds.info()
    for column in info["columns"]:
        assert f"<td>{column['name']}</td><td>{column['type']}</td><td>{column['encoding']}</td>" in html
        assert f"<td>{oc.memory.format_size(column['stored_bytes'])}</td>" in html
    assert f"rows read {report['rows_read']:,} = kept {report['rows_kept']:,} + rejected " \
           f"{report['rows_rejected']:,}" in html
    assert report["rows_rejected"] > 0 and "field_count" in html
    assert "no indexes" in html
    oc.index(out, columns=["topic"], tokens=["passage"])
    html = oc.open(out)._repr_html_()
    assert "topic (value, 12 keys" in html and "passage (token," in html and "no indexes" not in html


def test_html_escapes_what_the_file_holds(tmp_path):
    csv = tmp_path / "<b>hostile&.csv"
    csv.write_text(f'"{HOSTILE}",a&b,"x""y"\n"<img src=x>",1,q\n"<i>",2,r\n')
    out = tmp_path / "<i>h.oc"
    oc.ingest(csv, out)
    html = oc.open(out)._repr_html_()
    assert "<script" not in html and "<img" not in html and "<i>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the column name, escaped
    assert "<td>&lt;i&gt;</td><td>&lt;img src=x&gt;</td>" in html  # the value bounds, escaped
    assert "a&amp;b" in html and "x&quot;y" in html and "&lt;i&gt;h.oc" in html
    assert "&lt;b&gt;hostile&amp;.csv" in html               # the source file's name

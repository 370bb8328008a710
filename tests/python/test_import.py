"""`import outcore` is light: the engine only (issue 11, "Light import").

NumPy loads with the first NumPy result; scikit-learn, SciPy, pandas, pyarrow (and tqdm) load
when first used. Each check runs in a fresh
interpreter, since this test process has imported them already. The time and memory the import
costs are measured in bench/ (bench/import_bench.py), not here.
"""

import json
import subprocess
import sys
import textwrap

HEAVY = ["sklearn", "scipy", "pandas", "pyarrow", "polars", "duckdb", "tqdm"]


def loaded_after(code):
    """Runs `code` in a new interpreter; the HEAVY top-level packages loaded afterwards."""
    probe = textwrap.dedent(code) + textwrap.dedent(f"""
        import json, sys
        print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))))
    """)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.splitlines()[-1])


def test_import_outcore_loads_no_heavy_package():
    assert loaded_after("import outcore") == []


def test_an_arrow_consumer_never_loads_numpy(tmp_path):
    # pl.DataFrame(ds) and duckdb only take the stream: ingest, info, count and the Arrow export
    # must not cost a NumPy import. A scanned batch's columns are NumPy arrays, so a scan loads it.
    csv = tmp_path / "t.csv"
    csv.write_text("id,topic,price,day\n1,a,1.5,2020-01-01\n2,b,,2020-01-02\n3,a,2.0,\n")
    probe = f"""
        import sys
        import outcore as oc
        oc.ingest({str(csv)!r}, {str(tmp_path / "t.oc")!r})
        ds = oc.open({str(tmp_path / "t.oc")!r})
        ds.info(); ds.count("topic == 'a'"); ds._repr_html_(); repr(ds)
        ds.__arrow_c_stream__(); ds.scan(where="price > 1").__arrow_c_stream__()
        assert ds.count(chunks=(0, -1)) == 3
        before = "numpy" in sys.modules
        batch = next(iter(ds.scan()))
        print(before, "numpy" in sys.modules, int(batch["id"].sum()))
    """
    code = textwrap.dedent(probe)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "6"]


def test_chunk_spans_take_numpy_ints_and_refuse_bools():
    import numpy as np
    import pytest

    from outcore._args import _chunk_span

    assert _chunk_span((np.int64(1), np.int32(-1))) == (1, -1)
    assert _chunk_span(None) is None
    for bad in ((True, 2), (0, np.True_), (0.0, 1), (1,), "ab"):
        with pytest.raises(TypeError, match="chunks must be"):
            _chunk_span(bad)


def test_opening_and_scanning_a_dataset_loads_no_heavy_package(tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text("id,topic,price\n1,a,1.5\n2,b,\n3,a,2.0\n")
    assert loaded_after(f"""
        import outcore as oc
        oc.ingest({str(csv)!r}, {str(tmp_path / "t.oc")!r})
        ds = oc.open({str(tmp_path / "t.oc")!r})
        rows = sum(len(b["id"]) for b in ds.scan())
        assert rows == 3 and ds.count("topic == 'a'") == 2
        ds.info(); ds._repr_html_(); repr(ds)
    """) == []


def test_the_estimators_load_on_first_use():
    # The lazy names are real attributes once asked for, and the module the estimators live in.
    assert {"sklearn", "scipy"} <= set(loaded_after("""
        import outcore as oc
        from outcore import IncrementalPCA
        assert oc.IncrementalPCA is IncrementalPCA
        assert oc.transform.IncrementalPCA is IncrementalPCA and oc.normalize_ is oc.transform.normalize_
        assert {"IncrementalPCA", "OneHotEncoder", "FeatureHasher", "column_stats"} <= set(dir(oc))
        assert set(oc.__all__) <= set(dir(oc))
    """))


def test_an_unknown_attribute_is_still_an_attribute_error():
    code = "import outcore as oc\ntry:\n    oc.nope\nexcept AttributeError as e:\n    print(e)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "has no attribute 'nope'" in out

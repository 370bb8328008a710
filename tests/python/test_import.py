"""`import outcore` is light: NumPy and the engine only (issue 11, "Light import").

scikit-learn, SciPy, pandas, pyarrow (and tqdm) load when first used. Each check runs in a fresh
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

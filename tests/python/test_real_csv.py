"""Real-world CSV exports as a test (issue 10): every file comes in intact.

Two corpora, both checked cell by cell against pandas by the corpus's own checker
(shared/real-csv/check_real.py: typed and all-string ingest, pandas with dtype=str as the
text oracle; findings are classed (a) data lost or changed, (b) rows rejected that pandas
reads, (c) ingest failed where pandas succeeds, (d) documented differences):

* the real-csv corpus next to the repository (../shared/real-csv, or $OUTCORE_REAL_CSV);
* the data files that installed packages ship (scripts/collect_corpus.py), copied into a
  temporary folder at test time.

A file fails on any (a) or (c) finding and whenever rows read != kept + rejected. Files
that fail today are listed below as strict expected failures, with the reason: when a fix
lands the file passes, the strict xfail turns that into a failure, and the entry must go.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("OUTCORE_REAL_CSV") or ROOT.parent / "shared" / "real-csv")
CHECKER = CORPUS / "check_real.py"
NO_CORPUS = f"no real-csv corpus at {CORPUS} (set OUTCORE_REAL_CSV or put shared/real-csv next to the repo)"

# File name -> why it fails today, e.g. "(c) every row rejected: ...". Remove an entry
# when its fix lands. None fails today.
REAL_CSV_XFAIL: dict[str, str] = {}

# Collected name (scripts/collect_corpus.py) -> why it fails today.
PACKAGED_CSV_XFAIL: dict[str, str] = {}


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def checker():
    if not CHECKER.exists():
        pytest.skip(NO_CORPUS)
    return _load("check_real", CHECKER)


def _corpus_files() -> list[str]:
    if not CHECKER.exists():
        return []
    from_checker = (".csv", ".tsv", ".psv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
    return sorted(f for f in os.listdir(CORPUS) if f.lower().endswith(from_checker))


def _collector():
    return _load("collect_corpus", ROOT / "scripts" / "collect_corpus.py")


def _params(names, xfails):
    out = []
    for name in names:
        marks = [pytest.mark.xfail(strict=True, reason=xfails[name])] if name in xfails else []
        out.append(pytest.param(name, marks=marks, id=name))
    return out


def check_one(checker, path: Path, options: dict, work: Path):
    """Runs the checker on one file; fails with its (a)/(c) findings and the accounting."""
    res, fnd = checker.check_file(str(path), options, str(work))
    problems = [f"({cls}) [{mode}] {what}" + (f"  e.g. {ex}" if ex else "")
                for cls, mode, what, _count, ex in fnd.items if cls in ("a", "c")]
    for mode in ("typed", "string"):
        counts = res.get(mode, {})
        if "read" in counts and counts["read"] != counts["kept"] + counts["rejected"]:
            problems.append(f"[{mode}] rows read {counts['read']} != kept {counts['kept']} "
                            f"+ rejected {counts['rejected']}")
    rejects = [f"({cls}) [{mode}] {what}" for cls, mode, what, _n, _e in fnd.items if cls == "b"]
    if rejects:
        print("\n".join(rejects))  # shown with -rA / on failure: rows pandas reads, rejected here
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


# What a user passes for files that need it — the encoding of files that are not UTF-8,
# backslash escapes, title lines, a publisher's missing-value marker, a metadata first
# line — added to the corpus's own options.json: the same to pandas (read_csv keywords)
# and to outcore (ingest options). Kept here, not in the shared corpus; the packaged
# files take their entries from here alone.
OUR_OPTIONS = Path(__file__).with_name("real_csv_options.json")


def file_options(name: str) -> dict:
    options_path = CORPUS / "options.json"
    shared = json.loads(options_path.read_text()).get(name, {}) if options_path.exists() else {}
    ours = json.loads(OUR_OPTIONS.read_text()).get(name, {})
    merged = dict(shared)
    merged["pandas"] = {**shared.get("pandas", {}), **ours.get("pandas", {})}
    merged["outcore"] = list(shared.get("outcore", [])) + list(ours.get("outcore", []))
    return merged


@pytest.mark.parametrize("name", _params(_corpus_files(), REAL_CSV_XFAIL) or
                         [pytest.param(None, marks=pytest.mark.skip(reason=NO_CORPUS), id="no-corpus")])
def test_real_csv(name, checker, tmp_path):
    check_one(checker, CORPUS / name, file_options(name), tmp_path)


def _packaged_files() -> list[str]:
    return [name for name, _path in _collector().find_files()]


@pytest.fixture(scope="module")
def packaged_corpus(tmp_path_factory):
    """The packaged data files, copied at test time into a temporary folder."""
    dest = tmp_path_factory.mktemp("packaged-csv")
    names = _collector().collect(str(dest))
    print(f"collected {len(names)} packaged data files into {dest}")
    return dest


@pytest.mark.parametrize("name", _params(_packaged_files(), PACKAGED_CSV_XFAIL) or
                         [pytest.param(None, marks=pytest.mark.skip(
                             reason="no installed package ships CSV data (scripts/install-deps.sh installs some)"),
                             id="none-found")])
def test_packaged_csv(name, checker, packaged_corpus, tmp_path):
    check_one(checker, packaged_corpus / name, json.loads(OUR_OPTIONS.read_text()).get(name, {}), tmp_path)

#!/usr/bin/env python3
"""collect_corpus.py -- gather real CSV/TSV data files that installed packages ship.

Usage:
    python3 scripts/collect_corpus.py DEST        # copies them into DEST, prints one line each
    python3 scripts/collect_corpus.py --list      # only lists what would be copied

Nothing is downloaded: the files come from packages installed on this machine
(scripts/install-deps.sh installs the test ones), and nothing of them is kept in the
repository. Where they come from:

  scikit-learn     sklearn/datasets/data/*.csv(.gz)
  statsmodels      statsmodels/datasets/*/*.csv
  vega_datasets    vega_datasets/local_datasets/*.csv, *.tsv
  pandas           pandas/tests/io/data/csv/* (only when pandas ships its tests)
  numpy            numpy/**/tests/data/*.csv (ufunc validation sets, RNG test vectors)
  distro-info-data /usr/share/distro-info/*.csv (Debian package)
  R packages       /usr/lib/R/site-library/*/extdata/*.csv (Debian r-cran-*, when present)

Each copy is named SOURCE__RELATIVE_PATH with '/' turned into '__', so that names are
stable from machine to machine (tests key expected failures on them). The checker
(shared/real-csv/check_real.py) then runs over DEST as over any corpus folder.
"""
from __future__ import annotations

import argparse
import glob
import importlib.util
import os
import shutil
import sys

EXTS = (".csv", ".tsv", ".psv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
MAX_BYTES = 20 << 20  # a corpus for a test run: skip anything larger


def _package_dir(name: str) -> str | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return next(iter(spec.submodule_search_locations))


def _python_sources():
    """(source name, package folder, glob patterns relative to it)."""
    return [
        ("sklearn", "sklearn", ["datasets/data/*"]),
        ("statsmodels", "statsmodels", ["datasets/*/*"]),
        ("vega_datasets", "vega_datasets", ["local_datasets/*", "_data/*"]),
        ("pandas", "pandas", ["tests/io/data/csv/*"]),
        ("numpy", "numpy", ["**/tests/data/*"]),
    ]


def _system_sources():
    """(source name, root folder, glob patterns relative to it)."""
    return [
        ("distro-info", "/usr/share/distro-info", ["*"]),
        ("R", "/usr/lib/R/site-library", ["*/extdata/*"]),
        ("R", "/usr/share/R/library", ["*/extdata/*"]),
    ]


def find_files() -> list[tuple[str, str]]:
    """(stable name, path) of every data file found, sorted by name."""
    roots = []
    for source, package, patterns in _python_sources():
        folder = _package_dir(package)
        if folder:
            roots.append((source, folder, patterns))
    roots += [(s, root, p) for s, root, p in _system_sources() if os.path.isdir(root)]
    found = {}
    for source, root, patterns in roots:
        for pattern in patterns:
            for path in glob.glob(os.path.join(root, pattern), recursive=True):
                if not os.path.isfile(path) or not path.lower().endswith(EXTS) or "README" in path:
                    continue
                if os.path.getsize(path) == 0 or os.path.getsize(path) > MAX_BYTES:
                    continue
                rel = os.path.relpath(path, root).replace(os.sep, "__")
                found.setdefault(f"{source}__{rel}", path)
    return sorted(found.items())


def collect(dest: str) -> list[str]:
    """Copies every file found into `dest`; returns the names copied."""
    os.makedirs(dest, exist_ok=True)
    names = []
    for name, path in find_files():
        shutil.copyfile(path, os.path.join(dest, name))
        names.append(name)
    return names


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dest", nargs="?", help="folder to copy the files into")
    ap.add_argument("--list", action="store_true", help="list the files, copy nothing")
    a = ap.parse_args(argv)
    if a.list or not a.dest:
        for name, path in find_files():
            print(f"{name}\t{path}")
        return 0
    names = collect(a.dest)
    for name in names:
        print(name)
    print(f"{len(names)} files collected into {a.dest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

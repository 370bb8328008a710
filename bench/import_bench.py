"""What `import outcore` costs over `import numpy`: CPU time, wall time and peak RSS of a fresh
interpreter that imports each, side by side, medians of --repeat runs (interleaved, A B A B).

    python bench/import_bench.py --repeat 15 [--write-results]

Target (issue 11, "Light import"): under 150 ms and under 40 MiB of peak RSS above a bare
`python -c "import numpy"`. Also shown, for scale: the peers a user imports beside it.
CPU (user + sys) and peak RSS are the child's, from os.wait4 (bench/measure.py); wall includes the
interpreter's start, the same for every row.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import append_results, median, run_measured

CASES = [
    ("python (no import)", "pass"),
    ("import numpy", "import numpy"),
    ("import numpy, outcore", "import numpy, outcore"),
    ("import outcore (NumPy not loaded)", "import outcore"),
    ("import outcore; oc.open + scan", None),  # filled in main(): needs a file
    ("import pandas", "import pandas"),
    ("import pyarrow", "import pyarrow"),
    ("import sklearn", "import sklearn"),
    ("import polars", "import polars"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--data", default="bench/out", help="folder for the small .oc the scan case opens")
    parser.add_argument("--write-results", action="store_true", help="append a section to bench/RESULTS.md")
    args = parser.parse_args()
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    csv, oc_path = data / "import-bench.csv", data / "import-bench.oc"
    csv.write_text("id,topic,price\n" + "".join(f"{i},t{i % 7},{i * 0.5}\n" for i in range(1000)))
    subprocess.run([sys.executable, "-c", f"import outcore; outcore.ingest({str(csv)!r}, {str(oc_path)!r})"],
                   check=True)
    cases = []
    for label, code in CASES:
        if code is None:
            code = f"import outcore as oc\nfor b in oc.open({str(oc_path)!r}).scan(): pass"
        module = code.split()[1].rstrip(",") if code.startswith("import ") else None
        if module and importlib.util.find_spec(module) is None:
            continue
        cases.append({"label": label, "code": code, "walls": [], "cpus": [], "peaks": []})
    for _ in range(args.repeat):  # interleaved: a slow moment of the machine hits every case alike
        for case in cases:
            run = run_measured([sys.executable, "-c", case["code"]])
            if not run.ok:
                sys.exit(f"{case['label']}: failed: {run.error_tail()}")
            case["walls"].append(run.wall)
            case["cpus"].append(run.cpu)
            case["peaks"].append(run.max_rss)
    numpy_case = next(c for c in cases if c["label"] == "import numpy")
    base_cpu, base_peak = median(numpy_case["cpus"]), median(numpy_case["peaks"])
    for c in cases:
        c["wall_ms"], c["cpu_ms"] = median(c["walls"]) * 1000, median(c["cpus"]) * 1000
        c["peak_mib"] = median(c["peaks"]) / (1 << 20)
        c["over_cpu_ms"] = c["cpu_ms"] - base_cpu * 1000
        c["over_peak_mib"] = c["peak_mib"] - base_peak / (1 << 20)
        print(f"{c['label']:34} CPU {c['cpu_ms']:7.1f} ms ({c['over_cpu_ms']:+7.1f} over numpy)  "
              f"wall {c['wall_ms']:7.1f} ms  peak {c['peak_mib']:6.1f} MiB ({c['over_peak_mib']:+6.1f} over numpy)")
    if args.write_results:
        write_results(cases, args)


def write_results(cases, args):
    append_results(
        "What `import outcore` costs (issue 11, light import)",
        f"python bench/import_bench.py --repeat {args.repeat} --write-results",
        f"Python {sys.version.split()[0]}. Each run is a fresh interpreter, the cases interleaved; medians. "
        "Target: `import numpy, outcore` under 150 ms and 40 MiB above `import numpy`.",
        "CPU: the child's user + sys time, steadier than wall on a shared machine; peak RSS: its "
        "`ru_maxrss`; both from `os.wait4`.",
        ["case", "CPU ms", "over numpy ms", "wall ms", "peak RSS MiB", "over numpy MiB"],
        [[c["label"], f"{c['cpu_ms']:.0f}", f"{c['over_cpu_ms']:+.0f}", f"{c['wall_ms']:.0f}",
          f"{c['peak_mib']:.1f}", f"{c['over_peak_mib']:+.1f}"] for c in cases],
    )


if __name__ == "__main__":
    main()

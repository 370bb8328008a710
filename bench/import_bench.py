"""What `import outcore` costs over `import numpy`: wall time and peak RSS of a fresh
interpreter that imports each, side by side, medians of --repeat runs (interleaved, A B A B).

    python bench/import_bench.py --repeat 15 [--write-results]

Target (issue 11, "Light import"): under 150 ms and under 40 MiB of peak RSS above a bare
`python -c "import numpy"`. Also shown, for scale: the peers a user imports beside it.
Peak RSS is the child's ru_maxrss from os.wait4 (bench/measure.py); wall includes the
interpreter's start, the same for every row.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import machine_description, median, run_measured

CASES = [
    ("python (no import)", "pass"),
    ("import numpy", "import numpy"),
    ("import numpy, outcore", "import numpy, outcore"),
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
        cases.append({"label": label, "code": code, "walls": [], "peaks": []})
    for _ in range(args.repeat):  # interleaved: a slow moment of the machine hits every case alike
        for case in cases:
            run = run_measured([sys.executable, "-c", case["code"]])
            if not run.ok:
                sys.exit(f"{case['label']}: failed: {run.error_tail()}")
            case["walls"].append(run.wall)
            case["peaks"].append(run.max_rss)
    numpy_case = next(c for c in cases if c["label"] == "import numpy")
    base_wall, base_peak = median(numpy_case["walls"]), median(numpy_case["peaks"])
    for c in cases:
        c["wall_ms"], c["peak_mib"] = median(c["walls"]) * 1000, median(c["peaks"]) / (1 << 20)
        c["over_wall_ms"] = c["wall_ms"] - base_wall * 1000
        c["over_peak_mib"] = c["peak_mib"] - base_peak / (1 << 20)
        print(f"{c['label']:34} wall {c['wall_ms']:7.1f} ms ({c['over_wall_ms']:+7.1f} over numpy)  "
              f"peak {c['peak_mib']:6.1f} MiB ({c['over_peak_mib']:+6.1f} over numpy)")
    if args.write_results:
        write_results(cases, args)


def write_results(cases, args):
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        "## What `import outcore` costs (issue 11, light import)",
        "",
        f"Produced by `python bench/import_bench.py --repeat {args.repeat} --write-results` on {now} "
        f"(outcore commit {commit}), python {sys.version.split()[0]}. Each run is a fresh interpreter; "
        "the cases interleaved; medians. Peak RSS is the child's `ru_maxrss` from `os.wait4`. "
        "Target: `import numpy, outcore` under 150 ms and 40 MiB above `import numpy`.",
        "",
        "Machine:",
        "```",
        *machine_description(),
        "```",
        "",
        "| case | wall ms | over numpy ms | peak RSS MiB | over numpy MiB |",
        "|---|---:|---:|---:|---:|",
    ]
    for c in cases:
        lines.append(f"| {c['label']} | {c['wall_ms']:.1f} | {c['over_wall_ms']:+.1f} | {c['peak_mib']:.1f} | "
                     f"{c['over_peak_mib']:+.1f} |")
    results = Path(__file__).resolve().parent / "RESULTS.md"
    with open(results, "a") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

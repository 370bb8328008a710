"""Tracer benchmark: slowdown of `outcore trace` (and of `oc.trace()` in process) next to memray and
heaptrack on an allocation-heavy C++ program and an allocation-heavy Python program, and the report
size of a run of about a minute. Appends a section to bench/RESULTS.md (bench/measure.py).

    python3 bench/trace/run_bench.py --outcore "$(command -v outcore)" [--repeat 3] [--long-seconds 60]

memray and heaptrack are the benchmark's, not outcore's: memray is pip-installed into a folder of
the work directory (on PYTHONPATH of its rows only), heaptrack from Debian when it is missing.
CPU seconds are user + system of the measured command and every child it waited for (os.wait4),
steadier than wall time on a shared machine. Each cell is the median of --repeat runs, the tools
interleaved (A B C A B C ...) so that a burst of other work on the machine hits them alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from measure import append_results, median, run_measured  # noqa: E402

# oc.trace() around the whole workload: the in-process tracer, measured like the others.
IN_PROCESS = (
    "import runpy, sys\n"
    "import outcore as oc\n"
    "script, sys.argv = sys.argv[1], sys.argv[1:]\n"
    "with oc.trace():\n"
    "    runpy.run_path(script, run_name='__main__')\n"
)


def memray_site(work: Path) -> str | None:
    """A folder holding memray (pip install --target), or None when pip cannot get it."""
    site = work / "memray-site"
    result = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                             "--target", str(site), "memray"], capture_output=True, text=True)
    if result.returncode != 0:
        print(f"memray: pip install failed: {result.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return str(site)


def heaptrack_binary() -> str | None:
    if not shutil.which("heaptrack"):
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "heaptrack"], capture_output=True)
    return shutil.which("heaptrack")


def tool_version(argv, env=None) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unavailable"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outcore", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpp-rounds", default="16")
    parser.add_argument("--py-rounds", default="20")
    parser.add_argument("--long-seconds", type=float, default=60, help="length of the traced run for report size")
    args = parser.parse_args()
    outcore = str(Path(args.outcore).resolve())
    work = Path(tempfile.mkdtemp(prefix="outcore-trace-bench-"))
    binary = work / "alloc_heavy"
    subprocess.run(["g++", "-O2", "-g", "-fno-omit-frame-pointer", str(HERE / "alloc_heavy.cpp"), "-o", str(binary)],
                   check=True)
    script = str(HERE / "alloc_heavy.py")
    py = sys.executable
    site = memray_site(work)
    memray_env = {**os.environ, "PYTHONPATH": site + os.pathsep + os.environ.get("PYTHONPATH", "")} if site else None
    heaptrack = heaptrack_binary()
    cpp, pyr = args.cpp_rounds, args.py_rounds
    cases = {
        "C++ (alloc_heavy.cpp)": {
            "baseline": ([str(binary), cpp], None),
            "outcore trace": ([outcore, "trace", "--quiet", "--", str(binary), cpp], None),
            "heaptrack": ([heaptrack, "-o", str(work / "hc"), str(binary), cpp], None) if heaptrack else None,
        },
        "Python (alloc_heavy.py)": {
            "baseline": ([py, script, pyr], None),
            "outcore trace --python": ([outcore, "trace", "--quiet", "--python", "--", py, script, pyr], None),
            "oc.trace() in process": ([py, "-c", IN_PROCESS, script, pyr], None),
            "memray run": ([py, "-m", "memray", "run", "-q", "-f", "-o", str(work / "m.bin"), script, pyr],
                           memray_env) if site else None,
            "memray run --native": ([py, "-m", "memray", "run", "-q", "-f", "--native", "-o", str(work / "mn.bin"),
                                     script, pyr], memray_env) if site else None,
            "heaptrack": ([heaptrack, "-o", str(work / "hp"), py, script, pyr], None) if heaptrack else None,
        },
    }
    rows = []
    for workload, tools in cases.items():
        runs = {tool: [] for tool, case in tools.items() if case}
        for _ in range(args.repeat):  # interleaved
            for tool in runs:
                argv, env = tools[tool]
                run = run_measured(argv, env=env, stdout="devnull")
                if not run.ok:
                    raise SystemExit(f"{workload} / {tool} failed: {run.error_tail()}")
                runs[tool].append(run)
        base_cpu = median([r.cpu for r in runs["baseline"]])
        base_wall = median([r.wall for r in runs["baseline"]])
        for tool, case in tools.items():
            if not case:
                rows.append([workload, tool, "n/a", "", "", ""])
                continue
            cpu, wall = median([r.cpu for r in runs[tool]]), median([r.wall for r in runs[tool]])
            rows.append([workload, tool, f"{cpu:.2f}", f"{cpu / base_cpu:.2f}x", f"{wall:.2f}",
                         f"{wall / base_wall:.2f}x"])
            print(" | ".join(rows[-1]), flush=True)

    # Report size of a long run: the timeline is capped at 500 samples and the sites by --top, so a
    # minute's report is the size of a few seconds'. Rounds scaled from the traced run's speed.
    traced_seconds = median([r.wall for r in runs["outcore trace --python"]])
    long_rounds = str(max(int(pyr), int(float(pyr) * args.long_seconds / traced_seconds)))
    sizes = []
    for rounds in ("2", long_rounds):
        json_path, html_path = work / f"r{rounds}.json", work / f"r{rounds}.html"
        run = run_measured([outcore, "trace", "--quiet", "--python", "--json", str(json_path), "--html",
                            str(html_path), "--", py, script, rounds], stdout="devnull")
        if not run.ok:
            raise SystemExit(f"report size run failed: {run.error_tail()}")
        sizes.append((rounds, run.wall, json_path.stat().st_size, html_path.stat().st_size))
        print(sizes[-1], flush=True)
    for rounds, wall, json_bytes, html_bytes in sizes:
        rows.append([f"report size, alloc_heavy.py {rounds} rounds", f"{wall:.1f} s run", f"JSON {json_bytes:,} B",
                     "", f"HTML {html_bytes:,} B", ""])

    memray_version = tool_version([py, "-m", "memray", "--version"], memray_env) if site else "unavailable"
    append_results(
        "outcore trace against memray and heaptrack (issue 15)",
        f"python3 bench/trace/run_bench.py --outcore outcore --repeat {args.repeat} --long-seconds "
        f"{args.long_seconds:.0f}",
        f"Python {sys.version.split()[0]}; memray {memray_version}; "
        f"{tool_version([heaptrack, '--version']) if heaptrack else 'heaptrack unavailable'}. Workloads: "
        "bench/trace/alloc_heavy.cpp and alloc_heavy.py. memray traces Python only (no C++ row). "
        "Target: under 2x CPU; a report under 1 MB for a minute's run.",
        f"Medians of {args.repeat} interleaved runs. CPU: user + sys of the command and its children "
        "(os.wait4); slowdown = traced / baseline. The last rows: report sizes of a short and a long run.",
        ["workload", "tool", "CPU s", "slowdown (CPU)", "wall s", "slowdown (wall)"],
        rows,
        text_columns=2,
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

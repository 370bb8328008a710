"""Tracer benchmark: slowdown of `outcore trace` next to memray and heaptrack
on an allocation-heavy C++ program and an allocation-heavy Python program,
and the report size of a short vs a 10x longer run. Writes RESULTS.md here.

    python3 bench/trace/run_bench.py --outcore build-trace/outcore [--repeat 3]

Times are CPU seconds (user + system of the traced command and its children,
from rusage) and wall seconds; the machine is shared, so CPU time is the
steadier figure. Each cell is the median of --repeat runs.
"""

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(cmd, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def median_of(cmd, cwd, repeat):
    runs = [measure(cmd, cwd) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def tool_version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unavailable"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--outcore", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpp-rounds", default="16")
    parser.add_argument("--py-rounds", default="20")
    args = parser.parse_args()
    outcore = str(Path(args.outcore).resolve())
    work = Path(tempfile.mkdtemp(prefix="outcore-trace-bench-"))
    binary = work / "alloc_heavy"
    subprocess.run(["g++", "-O2", "-g", "-fno-omit-frame-pointer", str(HERE / "alloc_heavy.cpp"), "-o", str(binary)],
                   check=True)
    script = str(HERE / "alloc_heavy.py")
    py = sys.executable
    heaptrack = shutil.which("heaptrack")
    cases = {
        "C++ (alloc_heavy.cpp)": {
            "baseline": [str(binary), args.cpp_rounds],
            "outcore trace": [outcore, "trace", "--quiet", "--", str(binary), args.cpp_rounds],
            "heaptrack": [heaptrack, "-o", str(work / "hc"), str(binary), args.cpp_rounds] if heaptrack else None,
        },
        "Python (alloc_heavy.py)": {
            "baseline": [py, script, args.py_rounds],
            "outcore trace --python": [outcore, "trace", "--quiet", "--python", "--", py, script, args.py_rounds],
            "memray run": [py, "-m", "memray", "run", "-q", "-f", "-o", str(work / "m.bin"), script, args.py_rounds],
            "memray run --native": [py, "-m", "memray", "run", "-q", "-f", "--native", "-o", str(work / "mn.bin"),
                                    script, args.py_rounds],
            "heaptrack": [heaptrack, "-o", str(work / "hp"), py, script, args.py_rounds] if heaptrack else None,
        },
    }
    lines = [
        "# outcore trace: overhead next to memray and heaptrack",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with other work while measuring), "
        f"{platform.platform()}; Python {platform.python_version()}.",
        f"Tools: {tool_version([py, '-m', 'memray', '--version'])} (memray); "
        f"{tool_version([heaptrack, '--version']) if heaptrack else 'heaptrack unavailable'}.",
        f"Each figure is the median of {args.repeat} runs. Slowdown = traced / baseline; CPU seconds are user + "
        "system of the command and its children (steadier on a shared machine than wall time).",
        "Reproduce: `python3 bench/trace/run_bench.py --outcore build-trace/outcore`.",
        "",
        "| workload | tool | CPU s | slowdown (CPU) | wall s | slowdown (wall) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for workload, tools in cases.items():
        base_cpu = base_wall = None
        for tool, cmd in tools.items():
            if cmd is None:
                lines.append(f"| {workload} | {tool} | n/a | | | |")
                continue
            cpu, wall = median_of(cmd, work, args.repeat)
            if tool == "baseline":
                base_cpu, base_wall = cpu, wall
            lines.append(f"| {workload} | {tool} | {cpu:.2f} | {cpu / base_cpu:.2f}x | {wall:.2f} | "
                         f"{wall / base_wall:.2f}x |")
            print(lines[-1], flush=True)
    lines += ["", "memray traces Python programs only, so it has no C++ row.", ""]

    # Report size: the timeline is capped at 500 samples (10 s at the default
    # 20 ms interval), so any run longer than that gives a report of one size.
    lines += ["## Report size does not grow with run length", "",
              "The timeline keeps at most 500 samples (10 s at the 20 ms default interval) by merging neighbours; "
              "sites are capped by --top. Past 10 s the report stops growing:", "",
              "| run | wall s | JSON bytes | HTML bytes |", "|---|---:|---:|---:|"]
    for rounds in ("2", str(int(args.py_rounds) * 4), str(int(args.py_rounds) * 8)):
        json_path, html_path = work / f"r{rounds}.json", work / f"r{rounds}.html"
        _, wall = measure([outcore, "trace", "--quiet", "--python", "--json", str(json_path), "--html", str(html_path),
                           "--", py, script, rounds], work)
        lines.append(f"| alloc_heavy.py {rounds} rounds | {wall:.1f} | {json_path.stat().st_size} | "
                     f"{html_path.stat().st_size} |")
        print(lines[-1], flush=True)
    lines.append("")
    (HERE / "RESULTS.md").write_text("\n".join(lines))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

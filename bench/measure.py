"""What every benchmark here shares: run a child process directly (no shell) and
measure that child alone -- wall time, and peak RSS from os.wait4's ru_maxrss --
plus the machine description the results carry.

Imports nothing heavy on purpose: on Linux a child's ru_maxrss starts at the
parent's peak RSS (it is carried through fork/exec), so the parent stays lean.
"""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


class Run:
    """One child process: wall seconds, peak RSS bytes, exit code, output, CPU seconds (user + sys)."""

    def __init__(self, wall, max_rss, code, stdout, stderr, cpu=0.0):
        self.wall, self.max_rss, self.code, self.stdout, self.stderr = wall, max_rss, code, stdout, stderr
        self.cpu = cpu

    @property
    def ok(self):
        return self.code == 0

    def text(self):
        return self.stdout.decode(errors="replace")

    def json(self):
        for line in reversed(self.text().strip().splitlines()):
            line = line.strip()
            if line.startswith("{"):
                try:
                    return json.loads(line)
                except ValueError:
                    pass
        return {}

    def error_tail(self):
        """The exception line of a Python traceback (and the line after it), else the last line."""
        text = [line for line in self.stderr.decode(errors="replace").strip().splitlines() if line.strip()]
        for i, line in enumerate(text):
            if re.match(r"[A-Za-z_][\w.]*(Error|Exception)\b.*:", line):
                return " / ".join(text[i : i + 3])[:200]
        tail = text[-1] if text else f"exit code {self.code}"
        return tail[:200]


def run_measured(argv, env=None, stdout="capture", timeout=None):
    """Runs argv directly (no shell) and measures that child alone via os.wait4.

    stdout: "capture" (read into the Run), "devnull", or a Path to write to.
    """
    out_file = None
    with tempfile.TemporaryFile() as stderr_file:
        if stdout == "capture":
            target = subprocess.PIPE
        elif stdout == "devnull":
            target = subprocess.DEVNULL
        else:
            out_file = open(stdout, "wb")  # noqa: SIM115 - the child writes to it; closed on both paths below
            target = out_file
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(argv, stdout=target, stderr=stderr_file, env=env)
        except OSError as error:
            if out_file:
                out_file.close()
            return Run(0.0, 0, 127, b"", str(error).encode())
        timer = None
        if timeout:
            timer = threading.Timer(timeout, lambda: os.kill(proc.pid, signal.SIGKILL))
            timer.start()
        data = proc.stdout.read() if proc.stdout else b""
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if timer:
            timer.cancel()
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code  # reaped here; keep Popen from waiting again
        if proc.stdout:
            proc.stdout.close()
        if out_file:
            out_file.close()
        stderr_file.seek(0)
        stderr = stderr_file.read()
    if code < 0 and timeout and wall >= timeout:
        stderr += f"\nkilled after the {timeout:.0f} s timeout".encode()
    return Run(wall, usage.ru_maxrss * 1024, code, data, stderr, usage.ru_utime + usage.ru_stime)


def median(values):
    return statistics.median(values) if values else None


def machine_description():
    lines = []
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        keep = (
            "Architecture",
            "Model name",
            "CPU(s)",
            "Thread(s) per core",
            "Core(s) per socket",
            "CPU max MHz",
            "L2 cache",
            "L3 cache",
        )
        lines += [line for line in lscpu.splitlines() if line.split(":")[0].strip() in keep]
    except OSError:
        lines.append("lscpu: not available")
    try:
        free = subprocess.run(["free", "-g"], capture_output=True, text=True, check=False).stdout
        lines += free.rstrip().splitlines()
    except OSError:
        lines.append("free: not available")
    return lines


def repeated_child(argv, repeat, label):
    """Runs argv `repeat` times, each a fresh measured child -> [(Run, its JSON line)]; stops at
    the first failure (said on stderr under `label`), so the list may be short or empty."""
    runs = []
    for _ in range(repeat):
        run = run_measured(argv)
        if not run.ok:
            print(f"{label}: failed: {run.error_tail()}", file=sys.stderr)
            break
        runs.append((run, run.json()))
    return runs


def interleaved_children(cases, repeat):
    """Runs each of `cases` ([(label, argv)]) `repeat` times, interleaved (A B A B: a slow moment
    of the machine hits every case alike), each a fresh measured child -> {label: [(Run, its JSON
    line)]}. A case that fails is said on stderr under its label and not run again."""
    runs = {label: [] for label, _ in cases}
    failed = set()
    for _ in range(repeat):
        for label, argv in cases:
            if label in failed:
                continue
            run = run_measured(argv)
            if not run.ok:
                print(f"{label}: failed: {run.error_tail()}", file=sys.stderr)
                failed.add(label)
                continue
            runs[label].append((run, run.json()))
    return runs


def append_results(title, produced_by, about, legend, header, rows, text_columns=1):
    """Appends a section to bench/RESULTS.md: `title`, the command that produced it (`produced_by`)
    with the UTC time and the commit, `about` (data, versions), the machine, `legend` and a table
    of `rows` under `header` (numbers right-aligned after the first `text_columns` columns)."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    align = ["---"] * text_columns + ["---:"] * (len(header) - text_columns)
    lines = [
        "",
        f"## {title}",
        "",
        f"Produced by `{produced_by}` on {now} (outcore commit {commit}). {about}",
        "",
        "Machine:",
        "```",
        *machine_description(),
        "```",
        "",
        legend,
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join(align) + "|",
        *("| " + " | ".join(map(str, row)) + " |" for row in rows),
    ]
    with open(Path(__file__).resolve().parent / "RESULTS.md", "a") as f:
        f.write("\n".join(lines) + "\n")


def generator_prefix_matches(outcore, path, seed, rows=3000):
    """True when `path` starts with exactly what the current `outcore gen` writes for this seed.

    The generator is deterministic and --size stops at a row boundary of the same row
    stream, so a few thousand rows made with --rows must be a byte prefix of the file:
    a CSV cached by an older generator is not silently reused.
    """
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.csv"
        run = run_measured([outcore, "gen", "--rows", str(rows), "--seed", str(seed), "-o", str(probe), "--json"])
        if not run.ok:
            sys.exit(f"outcore gen failed: {run.error_tail()}")
        expected = probe.read_bytes()
    with open(path, "rb") as f:
        return f.read(len(expected)) == expected


def generated_csv(outcore, size, seed, threads, data_dir):
    """The benchmarks' input: bench/data/gen-<size>-seed<seed>.csv from `outcore gen`, reused
    when the current generator made it, with its `gen --json` counts beside it.

    Returns (path, gen stats, the gen Run or None when cached, notes).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"gen-{size}-seed{seed}.csv"
    stats_path = path.with_suffix(".json")
    notes = []
    if path.exists() and stats_path.exists():
        if generator_prefix_matches(outcore, path, seed):
            return path, json.loads(stats_path.read_text()), None, notes
        notes.append(f"{path.name} was cached by another generator version: made again")
    print(f"generating {path.name} with outcore gen --size {size} ...", file=sys.stderr)
    run = run_measured(
        [outcore, "gen", "--size", size, "--seed", str(seed), "--threads", str(threads), "-o", str(path), "--json"]
    )
    if not run.ok:
        sys.exit(f"outcore gen failed: {run.error_tail()}")
    stats = run.json()
    stats_path.write_text(json.dumps(stats, indent=1))
    return path, stats, run, notes

"""A filtered read of every column, in-process: ``ds.to_arrow(where=...)`` on queries that the
zone maps cannot rule out chunk by chunk (the matching rows are few and scattered), which is
where decoding the predicate's columns first and the rest only for chunks with a match (late
materialization) pays.

    python bench/filtered_read_bench.py FILE.oc [--runs 5]

Run it once per build to compare (e.g. the installed package of two trees, alternately); it
prints one line per query with the rows matched and the median wall time of --runs reads.
The file is any .oc file; the queries below are for ``outcore gen``'s columns (score, price,
quantity, created).
"""

from __future__ import annotations

import argparse
import statistics
import time

import outcore

QUERIES = [
    "score > 4.5",
    "quantity == 7 and price > 4900",
    "price between 1234.5 and 1234.6",
    "created between '2020-03-01 00:00:00' and '2020-03-01 06:00:00'",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ds = outcore.open(args.path)
    for query in QUERIES:
        times, rows = [], 0
        for _ in range(args.runs):
            start = time.perf_counter()
            rows = ds.to_arrow(where=query).num_rows
            times.append(time.perf_counter() - start)
        print(f"| `{query}` | {rows} | {statistics.median(times):.3f} s |")


if __name__ == "__main__":
    main()

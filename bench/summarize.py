#!/usr/bin/env python3
"""Prints the table of a bench/engine.sh CSV: per suite and connection count, each tool's median over the
repetitions (min-max of req/s in brackets) and its ratios to wrk's medians.

    summarize.py RESULTS.csv [--markdown]
"""
import csv
import math
import statistics
import sys
from collections import defaultdict


def main():
    path = sys.argv[1]
    markdown = "--markdown" in sys.argv[2:]
    groups = defaultdict(list)
    for row in csv.DictReader(open(path)):
        groups[(row["suite"], int(row["connections"]), row["tool"])].append(row)

    def med(rows, key):
        values = [float(r[key]) for r in rows if r[key] != ""]
        return statistics.median(values) if values else float("nan")

    def ms(value, sign=""):  # "-" for tools that measure no latency (curlfloor)
        return "-" if math.isnan(value) else f"{value:{sign}.3f}"

    suites = sorted({k[0] for k in groups}, key=lambda s: (s != "nginx", s))
    tools = ["preflight", "preflight-raw", "wrk", "hey", "curlfloor"]
    header = ["suite", "conns", "tool", "req/s (median)", "req/s min-max", "P50 ms", "P99 ms", "CPU us/req",
              "x wrk req/s", "x hey req/s", "P50 - wrk ms", "CPU x wrk", "errors"]
    lines = []
    for suite in suites:
        for c in sorted({k[1] for k in groups if k[0] == suite}):
            wrk = groups.get((suite, c, "wrk"))
            hey = groups.get((suite, c, "hey"))
            for tool in tools:
                rows = groups.get((suite, c, tool))
                if not rows:
                    continue
                rps = med(rows, "rps")
                lo = min(float(r["rps"]) for r in rows)
                hi = max(float(r["rps"]) for r in rows)
                cpu = med(rows, "cpu_us_per_request")
                p50 = med(rows, "p50_ms")
                lines.append([
                    suite, str(c), tool, f"{rps:,.0f}", f"{lo:,.0f}-{hi:,.0f}", ms(p50), ms(med(rows, "p99_ms")),
                    f"{cpu:.2f}",
                    f"{rps / med(wrk, 'rps'):.2f}" if wrk else "-",
                    f"{rps / med(hey, 'rps'):.2f}" if hey else "-",
                    ms(p50 - med(wrk, "p50_ms"), "+") if wrk else "-",
                    f"{cpu / med(wrk, 'cpu_us_per_request'):.2f}" if wrk and med(wrk, 'cpu_us_per_request') > 0 else "-",
                    str(int(sum(float(r["errors"]) for r in rows))),
                ])
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for line in lines:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(h), *(len(l[i]) for l in lines)) if lines else len(h) for i, h in enumerate(header)]
        print("  ".join(h.rjust(w) for h, w in zip(header, widths)))
        for line in lines:
            print("  ".join(v.rjust(w) for v, w in zip(line, widths)))
    loads = [float(r["loadavg_1m"]) for rows in groups.values() for r in rows]
    if loads:
        print(f"\nload average (1 min) at the start of runs: min {min(loads):.2f}, median "
              f"{statistics.median(loads):.2f}, max {max(loads):.2f}")


if __name__ == "__main__":
    main()

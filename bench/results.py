#!/usr/bin/python3
"""Runs seglog's benchmark tools and writes the results page's numbers and charts.

Run through bench/run-all.sh, which builds the tools first. This script:
  1. runs `seglog-compare` (seglog, raw write(), RocksDB, LMDB and SQLite, interleaved over rounds);
  2. runs `seglog-perf produce`, `consume` on what it produced, and `e2e` at several rates;
  3. renders the charts with gnuplot;
  4. rewrites the part of bench/README.md between the `results:begin` and `results:end` markers with the
     machine, the tables and the chart links.
Every number on the page comes from the tools' JSON output; none is typed in.

Standard library only (Debian's /usr/bin/python3).
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BEGIN = "<!-- results:begin (written by bench/results.py; do not edit by hand) -->"
END = "<!-- results:end -->"

# (label, seglog-perf e2e --throughput): the end-to-end latency chart's series.
E2E_RATES = [("1,000 rec/s", 1000), ("10,000 rec/s", 10000), ("100,000 rec/s", 100000)]


def run(cmd, **kwargs):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, check=True, **kwargs)


def run_json(cmd):
    out = run(cmd, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)


def fmt_int(x):
    return f"{x:,.0f}"


def fmt_ms(x):
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def perf_table(produce, consume, e2e):
    lines = [
        "| run | records | records/s | MB/s | p50 ms | p95 ms | p99 ms | p99.9 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def row(name, r):
        lat = r["latencyMs"]
        lines.append(
            f"| {name} | {fmt_int(r['records'])} | {fmt_int(r['recordsPerSec'])} | {r['mbPerSec']:.1f} | "
            f"{fmt_ms(lat['p50'])} | {fmt_ms(lat['p95'])} | {fmt_ms(lat['p99'])} | {fmt_ms(lat['p999'])} | "
            f"{fmt_ms(lat['max'])} |")

    row("`produce` (latency: Send → acknowledgement)", produce)
    row("`consume` (latency: one Poll)", consume)
    for label, r in e2e:
        row(f"`e2e` at {label} (latency: Send → consumer)", r)
    return "\n".join(lines)


def e2e_chart(e2e, out_dir):
    gnuplot = shutil.which("gnuplot")
    if gnuplot is None:
        print("results: gnuplot not found; no latency chart", file=sys.stderr)
        return None
    dat = os.path.join(out_dir, "e2e-latency.dat")
    with open(dat, "w") as f:
        f.write("percentile " + " ".join(f'"{label}"' for label, _ in e2e) + "\n")
        for name, key in [("p50", "p50"), ("p95", "p95"), ("p99", "p99"), ("p99.9", "p999"), ("max", "max")]:
            f.write(name + " " + " ".join(str(r["latencyMs"][key]) for _, r in e2e) + "\n")
    png = os.path.join(out_dir, "e2e-latency.png")
    run([gnuplot, "-e", f"datafile='{dat}'; outfile='{png}'; series={len(e2e)}",
         os.path.join(HERE, "e2e_latency.gp")])
    os.remove(dat)
    return os.path.basename(png)


def rewrite_readme(section):
    path = os.path.join(HERE, "README.md")
    with open(path) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit(f"results: {path} has no results markers")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w") as f:
        f.write(head + BEGIN + "\n" + section.strip() + "\n" + END + tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "default"), help="the build directory")
    ap.add_argument("--dir", default=os.environ.get("TMPDIR", "/tmp"), help="where the benchmarks write")
    ap.add_argument("--quick", action="store_true", help="small sizes, to try the pipeline (not for the page)")
    ap.add_argument("--no-readme", action="store_true", help="write bench/results/ but leave README.md alone")
    args = ap.parse_args()

    perf = os.path.join(args.build, "bench", "perf", "seglog-perf")
    compare = os.path.join(args.build, "bench", "compare", "seglog-compare")
    for tool in (perf, compare):
        if not os.access(tool, os.X_OK):
            sys.exit(f"results: {tool} is missing: run bench/run-all.sh (it builds the tools)")
    out_dir = os.path.join(HERE, "results")
    os.makedirs(out_dir, exist_ok=True)

    records = 100_000 if args.quick else 10_000_000
    cmp_args = ["--records", "200000", "--durable-records", "2000", "--rounds", "2"] if args.quick else []
    scratch = tempfile.mkdtemp(prefix="seglog-results.", dir=args.dir)
    try:
        # 1. The peer comparison.
        cmp_json = os.path.join(out_dir, "compare.json")
        cmp_md = os.path.join(scratch, "compare.md")
        charts = os.path.join(scratch, "charts")
        run([compare, "--dir", scratch, "--json", cmp_json, "--markdown", cmp_md, "--gnuplot-dir", charts]
            + cmp_args)
        with open(cmp_md) as f:
            compare_md = f.read()
        with open(cmp_json) as f:  # the machine, as seglog-compare describes it
            info = {"date": datetime.date.today().isoformat(), **json.load(f).get("machine", {})}
        compare_chart = None
        if os.path.exists(os.path.join(charts, "compare.png")):
            shutil.copy(os.path.join(charts, "compare.png"), os.path.join(out_dir, "compare.png"))
            compare_chart = "compare.png"

        # 2. seglog-perf: produce, consume what was produced, then end-to-end latency at several rates.
        store = os.path.join(scratch, "perf-store")
        common = ["--record-size", "100", "--partitions", "1", "--json"]
        produce = run_json([perf, "produce", "--dir", store, "--records", str(records), "--acks", "1"] + common)
        consume = run_json([perf, "consume", "--dir", store, "--records", str(records), "--json"])
        shutil.rmtree(store, ignore_errors=True)
        e2e = []
        for label, rate in E2E_RATES:
            n = max(rate * (2 if args.quick else 10), 1000)
            e2e.append((label, run_json([perf, "e2e", "--dir", os.path.join(scratch, f"e2e-{rate}"), "--records",
                                         str(n), "--throughput", str(rate), "--acks", "1"] + common)))
        with open(os.path.join(out_dir, "perf.json"), "w") as f:
            json.dump({"machine": info, "produce": produce, "consume": consume,
                       "e2e": [{"rate": label, **r} for label, r in e2e]}, f, indent=2)
        chart = e2e_chart(e2e, out_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    section = [
        f"Measured on {info['date']} by `bench/run-all.sh` (the machine and versions: below)."
        + (" **Quick run (small sizes): not for quoting.**" if args.quick else ""),
        "",
        "### Peer comparison (`seglog-compare`)",
        "",
        compare_md.strip(),
        "",
    ]
    if compare_chart:
        section += [f"![records/s per system: append, read, durable append](results/{compare_chart})", ""]
    section += [
        "### `seglog-perf`",
        "",
        f"{records:,} records of 100-byte values, null keys, one partition, acks=1, linger.ms=5 (the defaults); "
        f"e2e: linger.ms=0, {2 if args.quick else 10} s at each rate.",
        "",
        perf_table(produce, consume, e2e),
        "",
        f"For context only (other hardware and year, a network between the processes): this `produce` run is "
        f"{produce['recordsPerSec'] / 821557:.1f}x Kafka's published single-producer figure of 821,557 "
        f"records/s (2014; the issue's target is 10x); Kafka reported 2 ms median and 3 ms p99 end-to-end.",
    ]
    if chart:
        section += ["", f"![end-to-end latency percentiles](results/{chart})"]
    text = "\n".join(section)
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(text + "\n")
    if not args.no_readme:
        rewrite_readme(text)
    print(text)


if __name__ == "__main__":
    main()

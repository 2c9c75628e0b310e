#!/usr/bin/python3
"""Smoke test of seglog-perf (bench/perf): tiny runs of produce, consume and e2e with --json.

Usage: perf_smoke_test.py /path/to/seglog-perf

Checks that each run prints exactly one parseable JSON object with the summary fields, that records equals
what was asked, that rates are positive and the latency percentiles are ordered (p50 <= p95 <= p99 <= p999
<= max), and that bad flag values and a missing data directory exit non-zero with a message on stderr.
No timing assertions. Standard library only.
"""
import json
import os
import subprocess
import sys
import tempfile

FAILURES = []
# Every run's environment: TMPDIR is the test's own temporary directory, so a tool that crashes or times out
# leaves no seglog-perf.* directory behind in /tmp (the test's directory is removed at the end).
RUN_ENV = dict(os.environ)


def check(condition, what):
    if not condition:
        FAILURES.append(what)
        print("FAIL: " + what, file=sys.stderr)


def run(tool, args, timeout=120):
    return subprocess.run([tool] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, env=RUN_ENV)


def run_json(tool, args, records):
    """Runs `tool args`, expecting success and one JSON summary of `records` records; returns it."""
    name = " ".join(args)
    proc = run(tool, args)
    check(proc.returncode == 0, f"{name}: exit code {proc.returncode}, stderr: {proc.stderr.strip()}")
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    check(len(lines) == 1, f"{name}: expected one line on stdout, got {len(lines)}: {proc.stdout!r}")
    try:
        summary = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        check(False, f"{name}: stdout is not one JSON object ({e}): {proc.stdout!r}")
        return None
    check(isinstance(summary, dict), f"{name}: the JSON is not an object")
    for field in ("records", "bytes", "seconds", "recordsPerSec", "mbPerSec", "latencyMs"):
        check(field in summary, f"{name}: no field {field}")
    if FAILURES:
        return summary
    check(summary["records"] == records, f"{name}: records {summary['records']} != {records}")
    check(summary["bytes"] > 0, f"{name}: bytes {summary['bytes']} not > 0")
    check(summary["seconds"] > 0, f"{name}: seconds {summary['seconds']} not > 0")
    check(summary["recordsPerSec"] > 0, f"{name}: recordsPerSec not > 0")
    check(summary["mbPerSec"] > 0, f"{name}: mbPerSec not > 0")
    check(summary.get("interrupted") is False, f"{name}: interrupted is not false")
    latency = summary["latencyMs"]
    keys = ("p50", "p95", "p99", "p999", "max")
    for key in keys:
        check(isinstance(latency.get(key), (int, float)), f"{name}: latencyMs.{key} missing or not a number")
    if all(isinstance(latency.get(k), (int, float)) for k in keys):
        values = [latency[k] for k in keys]
        check(values[0] >= 0, f"{name}: latencyMs.p50 negative")
        check(values == sorted(values), f"{name}: percentiles not ordered: {values}")
    return summary


def expect_usage_failure(tool, args, what, code=None):
    proc = run(tool, args)
    name = " ".join(args)
    check(proc.returncode != 0, f"{what} ({name}): exit code 0")
    if code is not None:
        check(proc.returncode == code, f"{what} ({name}): exit code {proc.returncode} != {code}")
    check(proc.stderr.strip() != "", f"{what} ({name}): nothing on stderr")
    check(proc.stdout.strip() == "", f"{what} ({name}): unexpected stdout {proc.stdout!r}")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    tool = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="seglog-perf-smoke.") as tmp:
        RUN_ENV["TMPDIR"] = tmp
        data = os.path.join(tmp, "data")
        produced = run_json(tool, ["produce", "--records", "2000", "--record-size", "100", "--partitions", "2",
                                   "--json", "--dir", data], 2000)
        if produced is not None:
            check(produced.get("bytes") == 2000 * 100, f"produce: bytes {produced.get('bytes')} != 200000")
        consumed = run_json(tool, ["consume", "--dir", data, "--json"], 2000)
        if consumed is not None:
            check(consumed.get("config", {}).get("partitions") == 2, "consume: config.partitions != 2")
        run_json(tool, ["consume", "--dir", data, "--json", "--records", "1500"], 1500)
        run_json(tool, ["consume", "--dir", data, "--json", "--batches"], 2000)
        run_json(tool, ["e2e", "--records", "500", "--throughput", "-1", "--json"], 500)
        run_json(tool, ["produce", "--records", "3000", "--compression", "lz4", "--producers", "2", "--key-size",
                        "8", "--json"], 3000)
        run_json(tool, ["produce", "--records", "1000", "--producers", "2", "--shared-producer", "--json",
                        "--throughput", "20000"], 1000)
        payload = os.path.join(tmp, "payload.txt")
        with open(payload, "w") as f:
            f.write("first line\nsecond, longer line\n\nthird\n")
        from_file = run_json(tool, ["produce", "--records", "300", "--payload-file", payload, "--json"], 300)
        if from_file is not None:
            check(from_file.get("payloadLines") == 3, f"payload file: payloadLines {from_file.get('payloadLines')} != 3")
        # CRLF lines lose their '\r'; a line longer than the default --record-size must fit max.request.size.
        crlf = os.path.join(tmp, "crlf.txt")
        with open(crlf, "wb") as f:
            f.write(b"ab\r\ncd\r\n\r\n" + b"x" * 3000 + b"\r\n")
        from_crlf = run_json(tool, ["produce", "--records", "50", "--payload-file", crlf, "--json"], 50)
        if from_crlf is not None:
            check(from_crlf.get("payloadLines") == 3, f"CRLF payload: payloadLines {from_crlf.get('payloadLines')} != 3")
            # Values of 2 or 3000 bytes: bytes == 2 * 50 + 2998 * (long ones); a kept '\r' breaks this.
            check((from_crlf.get("bytes", 0) - 2 * 50) % 2998 == 0,
                  f"CRLF payload: bytes {from_crlf.get('bytes')} not made of 2- and 3000-byte values")
        empty = os.path.join(tmp, "empty.txt")
        open(empty, "w").close()
        expect_usage_failure(tool, ["produce", "--records", "10", "--payload-file", empty], "empty payload file", 2)
        expect_usage_failure(tool, ["produce", "--records", "10", "--payload-file", tmp], "payload file is a dir", 2)
        expect_usage_failure(tool, ["produce", "--records", "10", "--payload-file", os.path.join(tmp, "nope")],
                             "missing payload file", 2)
        expect_usage_failure(tool, ["produce", "--records", "10", "--throughput", "0.0001"], "--throughput < 0.001", 2)
        expect_usage_failure(tool, ["produce", "--records", "10", "--throughput", "0"], "--throughput 0", 2)

        expect_usage_failure(tool, ["produce", "--records", "10", "--acks", "7"], "bad --acks")
        expect_usage_failure(tool, ["produce", "--records", "10", "--record-size", "0"], "--record-size 0")
        expect_usage_failure(tool, ["produce", "--records", "0"], "--records 0")
        expect_usage_failure(tool, ["produce", "--records", "10", "--compression", "brotli"], "bad --compression")
        expect_usage_failure(tool, ["e2e", "--records", "10", "--record-size", "4"], "e2e --record-size < 8")
        expect_usage_failure(tool, ["consume", "--dir", os.path.join(tmp, "missing"), "--json"], "missing dir")
        expect_usage_failure(tool, ["consume", "--dir", data, "--topic", "nope", "--json"], "unknown topic")
        expect_usage_failure(tool, ["produce", "--records", "10", "--dir", data, "--partitions", "3", "--json"],
                             "partition count mismatch")
        expect_usage_failure(tool, [], "no command")

    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    print("perf smoke test: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Smoke test of seglog-compare (bench/compare): a tiny run of every system, its JSON and Markdown, bad usage.

Usage: compare_smoke_test.py <path to seglog-compare>

Runs with 2,000 records (200 durable) and one round (TMPDIR and --dir inside the test's own temporary
directories, SEGLOG_COMPARE_NO_SYNCFS=1), and checks that the JSON has every system and workload
with the records asked for, records/s > 0 and seglog-partition's ratio exactly 1; that the Markdown names every
system; that the run left nothing behind in --dir; and that bad input (flags, unwritable outputs, sizes that
cannot fit in memory or on disk) exits 2 with a message. No timing
assertions. Standard library only.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

SYSTEMS = ["seglog-partition", "seglog-batches", "seglog-producer", "raw-write", "rocksdb", "lmdb", "sqlite"]
WORKLOADS = {"append": 2000, "read": 2000, "durable": 200}

BINARY = None


def run(tmp, *args, timeout=120):
    """Runs seglog-compare with TMPDIR set to the test's own temporary directory `tmp` (and no syncfs after
    each run: faster under ctest -j, figures less repeatable, which a smoke test does not mind)."""
    env = dict(os.environ, TMPDIR=tmp, SEGLOG_COMPARE_NO_SYNCFS="1")
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout, env=env)


class CompareSmokeTest(unittest.TestCase):
    def test_tiny_run_reports_every_system_and_workload(self):
        with tempfile.TemporaryDirectory(prefix="compare_smoke.") as tmp:
            data_dir = os.path.join(tmp, "data")
            out_json = os.path.join(tmp, "out.json")
            out_md = os.path.join(tmp, "out.md")
            result = run(tmp, "--records", "2000", "--durable-records", "200", "--rounds", "1", "--batch", "100",
                         "--dir", data_dir, "--json", out_json, "--markdown", out_md)
            self.assertEqual(result.returncode, 0, msg=f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
            self.assertIn("seglog-partition", result.stdout)
            self.assertIn("targets", result.stdout)

            with open(out_json, encoding="utf-8") as f:
                report = json.load(f)
            self.assertEqual(report["config"]["records"], 2000)
            self.assertEqual(report["config"]["durableRecords"], 200)
            self.assertEqual(report["config"]["batch"], 100)
            self.assertEqual(set(report["workloads"]), set(WORKLOADS))
            for workload, records in WORKLOADS.items():
                entry = report["workloads"][workload]
                self.assertEqual(entry["records"], records, msg=workload)
                self.assertEqual(list(entry["systems"]), SYSTEMS, msg=workload)
                for name, figures in entry["systems"].items():
                    where = f"{workload}/{name}"
                    self.assertGreater(figures["recordsPerSec"], 0, msg=where)
                    self.assertGreater(figures["mbPerSec"], 0, msg=where)
                    self.assertGreater(figures["ratioToSeglog"], 0, msg=where)
                    self.assertEqual(len(figures["roundsRecordsPerSec"]), 1, msg=where)
                    self.assertLessEqual(figures["minRecordsPerSec"], figures["maxRecordsPerSec"], msg=where)
                self.assertEqual(entry["systems"]["seglog-partition"]["ratioToSeglog"], 1, msg=workload)
            for key in ("cpu", "cores", "kernel", "filesystem"):
                self.assertTrue(report["machine"][key], msg=key)
            for library in ("seglog", "RocksDB", "LMDB", "SQLite"):
                self.assertRegex(report["versions"][library], r"^\d+\.\d+", msg=library)
            self.assertEqual(len(report["targets"]), 8)
            for target in report["targets"]:
                self.assertIsInstance(target["met"], bool)
                self.assertGreater(target["ratio"], 0)

            with open(out_md, encoding="utf-8") as f:
                markdown = f.read()
            self.assertTrue(markdown.strip())
            for name in SYSTEMS:
                self.assertIn(f"| {name} |", markdown)
            self.assertIn("Machine:", markdown)

            # The temporary work directory is gone; only what the test made is left.
            self.assertEqual(os.listdir(data_dir), [])

    def test_system_filter_runs_only_those(self):
        with tempfile.TemporaryDirectory(prefix="compare_smoke.") as tmp:
            out_json = os.path.join(tmp, "out.json")
            result = run(tmp, "--records", "500", "--durable-records", "0", "--rounds", "2", "--systems", "lmdb,raw-write",
                         "--dir", tmp, "--json", out_json)
            self.assertEqual(result.returncode, 0, msg=result.stderr)
            with open(out_json, encoding="utf-8") as f:
                report = json.load(f)
            self.assertEqual(set(report["workloads"]), {"append", "read"})
            systems = report["workloads"]["append"]["systems"]
            self.assertEqual(list(systems), ["raw-write", "lmdb"])
            self.assertIsNone(systems["lmdb"]["ratioToSeglog"])  # no seglog-partition to compare with
            self.assertEqual(len(systems["lmdb"]["roundsRecordsPerSec"]), 2)
            self.assertEqual(report["targets"], [])

    def test_bad_input_exits_2_with_a_message(self):
        # Tiny sizes unless the case sets them, so a check that stopped failing could not start a long run.
        small = {"--records": "10", "--durable-records": "0", "--rounds": "1"}
        huge = str(1 << 40)  # --records' maximum: too much for any memory or disk
        for args, expected in [
            (["--batch", "0"], "--batch"),
            (["--systems", "nosuch"], "unknown system 'nosuch'"),
            (["--records", "0"], "--records"),
            (["--rounds", "x"], "--rounds"),
            (["--no-such-flag"], "no-such-flag"),
            (["--json", "{tmp}/no/such/dir/out.json"], "--json"),
            (["--markdown", "{tmp}"], "--markdown"),
            (["--gnuplot-dir", "{tmp}/file"], "--gnuplot-dir"),
            (["--batch", "1", "--records", huge, "--value-size", "67108864"], "overflow"),
            (["--batch", "1", "--records", huge, "--value-size", "1000000", "--systems", "raw-write"], "MemAvailable"),
            (["--batch", "1", "--records", huge, "--value-size", "1000000", "--systems", "lmdb"], "free"),
        ]:
            with self.subTest(args=args), tempfile.TemporaryDirectory(prefix="compare_smoke.") as tmp:
                with open(os.path.join(tmp, "file"), "w", encoding="utf-8"):
                    pass
                args = [a.replace("{tmp}", tmp) for a in args]
                defaults = [x for flag, value in small.items() if flag not in args for x in (flag, value)]
                result = run(tmp, *args, *defaults, "--dir", os.path.join(tmp, "data"), timeout=30)
                self.assertEqual(result.returncode, 2, msg=f"{args}: {result.stderr}")
                self.assertIn(expected, result.stderr)
                self.assertEqual(result.stdout, "")
                self.assertFalse(os.path.exists(os.path.join(tmp, "data")) and os.listdir(os.path.join(tmp, "data")),
                                 msg=f"{args}: left files behind")

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: compare_smoke_test.py <seglog-compare>")
    BINARY = sys.argv.pop(1)
    unittest.main(verbosity=2)

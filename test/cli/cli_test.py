#!/usr/bin/python3
"""End-to-end tests of the `seglog` command-line tool: drives the built binary as a user would.

Run by ctest as:
    /usr/bin/python3 cli_test.py SEGLOG_BINARY SCRATCH_DIR TESTDATA_DIR GENERATED_TESTDATA_DIR [TestCaseClass ...]
TESTDATA_DIR is test/data; GENERATED_TESTDATA_DIR holds the fixtures the build generates (the kafka-python
segment).
Each test works in its own fresh directory under SCRATCH_DIR, removed afterwards unless SEGLOG_CLI_TEST_KEEP
is set in the environment.
"""
import base64
import hashlib
import json
import os
import pty
import shutil
import subprocess
import sys
import tempfile
import unittest

SEGLOG = None
SCRATCH = None
TESTDATA = None
GENERATED_TESTDATA = None
CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
SEGMENT = "00000000000000000000"


class CliTestCase(unittest.TestCase):
    def setUp(self):
        os.makedirs(SCRATCH, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix=self.id().split(".")[-1] + "-", dir=SCRATCH)
        self.data = os.path.join(self.tmp, "data")
        self.env = dict(os.environ, SEGLOG_DIR=self.data)

    def tearDown(self):
        if not os.environ.get("SEGLOG_CLI_TEST_KEEP"):
            shutil.rmtree(self.tmp, ignore_errors=True)

    def run_seglog(self, *args, stdin=None, check=True, env=None, text=True):
        """Runs seglog; with check, asserts exit 0 and an empty stderr. Returns the CompletedProcess."""
        p = subprocess.run([SEGLOG] + list(args), input=stdin, capture_output=True, env=env or self.env,
                           text=text, timeout=60)
        if check:
            self.assertEqual(p.returncode, 0, "seglog %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr))
            self.assertEqual(p.stderr, "" if text else b"", "stderr of seglog %s" % " ".join(args))
        return p

    def out(self, *args, **kwargs):
        return self.run_seglog(*args, **kwargs).stdout

    def assert_fails(self, args, code, message, stdin=None):
        """Runs seglog expecting exit `code`, nothing on stdout, and `message` on stderr after 'seglog: '."""
        p = self.run_seglog(*args, stdin=stdin, check=False)
        self.assertEqual(p.returncode, code, "seglog %s: stdout %r stderr %r" % (" ".join(args), p.stdout, p.stderr))
        self.assertTrue(p.stderr.startswith("seglog: "), p.stderr)
        self.assertIn(message, p.stderr)
        return p

    def create(self, topic, partitions=1, *configs):
        args = ["topic", "create", topic, "-p", str(partitions)]
        for c in configs:
            args += ["-c", c]
        self.out(*args)

    def log_path(self, topic, partition=0):
        return os.path.join(self.data, "%s-%d" % (topic, partition), SEGMENT + ".log")

    def dump_json(self, *args):
        return [json.loads(line) for line in self.out("dump", "--json", *args).splitlines()]


class TopicTest(CliTestCase):
    def test_create_list_describe_delete(self):
        self.assertEqual(self.out("topic", "create", "orders", "-p", "3", "-c", "retention.ms=3600000",
                                  "-c", "compression.type=zstd"),
                         "Created topic orders with 3 partitions.\n")
        self.assertEqual(self.out("topic", "create", "a.b_c-1"), "Created topic a.b_c-1 with 1 partition.\n")
        self.assertEqual(self.out("topic", "list"), "NAME     PARTITIONS\na.b_c-1  1\norders   3\n")
        describe = self.out("topic", "describe", "orders")
        self.assertTrue(describe.startswith("NAME        orders\nPARTITIONS  3\n\nCONFIGS\n"), describe)
        self.assertRegex(describe, r"\nretention\.ms +3600000 +topic\n")
        self.assertRegex(describe, r"\ncompression\.type +zstd +topic\n")
        self.assertRegex(describe, r"\nsegment\.bytes +1073741824 +default\n")
        self.assertRegex(describe, r"\ncleanup\.policy +delete +default\n")
        self.assertTrue(describe.endswith(
            "\nPARTITIONS\n"
            "PARTITION  LOG-START-OFFSET  LOG-END-OFFSET  HIGH-WATERMARK  SIZE  SEGMENTS\n"
            "0          0                 0               0               0     1\n"
            "1          0                 0               0               0     1\n"
            "2          0                 0               0               0     1\n"), describe)
        self.assertEqual(self.out("topic", "delete", "a.b_c-1"), "Deleted topic a.b_c-1.\n")
        self.assertFalse(os.path.exists(os.path.join(self.data, "a.b_c-1-0")))
        self.assertEqual(self.out("topic", "list"), "NAME    PARTITIONS\norders  3\n")

    def test_describe_shows_offsets_sizes_and_segments(self):
        self.create("t", 2, "segment.bytes=1024")
        for i in range(5):  # five batches of about 300 bytes: more than one 1 KiB segment
            self.out("produce", "t", "-p", "1", stdin="".join("%d\n" % j for j in range(40 * i, 40 * i + 40)))
        rows = self.out("topic", "describe", "t").split("PARTITIONS\n")[-1].splitlines()
        p0, p1 = rows[1].split(), rows[2].split()
        self.assertEqual(p0, ["0", "0", "0", "0", "0", "1"])
        self.assertEqual(p1[:4], ["1", "0", "200", "200"])
        log_bytes = sum(os.path.getsize(os.path.join(self.data, "t-1", f))
                        for f in os.listdir(os.path.join(self.data, "t-1")) if f.endswith(".log"))
        self.assertEqual(int(p1[4]), log_bytes)
        segments = [f for f in os.listdir(os.path.join(self.data, "t-1")) if f.endswith(".log")]
        self.assertGreater(len(segments), 1)
        self.assertEqual(int(p1[5]), len(segments))

    def test_add_partitions(self):
        self.create("t", 2)
        self.assertEqual(self.out("topic", "add-partitions", "t", "-n", "3"),
                         "Added 3 partitions to topic t: it now has 5.\n")
        self.assertEqual(self.out("topic", "list"), "NAME  PARTITIONS\nt     5\n")
        self.assertTrue(os.path.isdir(os.path.join(self.data, "t-4")))
        self.assertEqual(self.out("offsets", "t"), "".join("t:%d:0\n" % p for p in range(5)))

    def test_dir_flag_overrides_environment(self):
        other = os.path.join(self.tmp, "other")
        self.out("--dir", other, "topic", "create", "x")
        self.assertEqual(self.out("topic", "list", "--dir", other), "NAME  PARTITIONS\nx     1\n")
        self.assertFalse(os.path.exists(self.data))

    def test_topics_and_data_survive_restart(self):
        self.create("t", 1, "retention.bytes=100000")
        self.out("produce", "t", stdin="a\nb\n")
        self.out("produce", "t", stdin="c\n")
        self.assertEqual(self.out("consume", "t", "-b", "-e"), "a\nb\nc\n")
        self.assertRegex(self.out("topic", "describe", "t"), r"\nretention\.bytes +100000 +topic\n")


class ProduceConsumeTest(CliTestCase):
    def test_keyed_records_round_trip_with_format_placeholders(self):
        self.create("t", 1)
        p = self.run_seglog("produce", "t", "--key-separator", "=>", "-H", "trace=abc", "-H", "empty=",
                            stdin="k1=>hello\nk2=>wor=>ld\n=>no key\n")
        self.assertEqual(p.stdout, "Produced 3 records to topic t:\n  partition 0: 3 records, offsets 0-2\n")
        out = self.out("consume", "t", "--from-beginning", "--exit-at-end",
                       "--format", r"%t|%p|%o|%k|%v|%h|%K|%S|%%\t\\\n")
        self.assertEqual(out, "t|0|0|k1|hello|trace=abc,empty=|2|5|%\t\\\n"
                              "t|0|1|k2|wor=>ld|trace=abc,empty=|2|7|%\t\\\n"
                              "t|0|2||no key|trace=abc,empty=|0|6|%\t\\\n")
        stamps = self.out("consume", "t", "-b", "-e", "-f", r"%T\n").split()
        self.assertEqual(len(stamps), 3)
        for s in stamps:
            self.assertGreater(int(s), 1500000000000)

    def test_default_format_null_keys_and_base64(self):
        self.create("t", 1)
        self.out("produce", "t", stdin="plain\n\nlast-without-newline")
        self.assertEqual(self.out("consume", "t", "-b", "-e"), "plain\n\nlast-without-newline\n")
        self.assertEqual(self.out("consume", "t", "-b", "-e", "-f", r"[%k]%K %v\n"),
                         "[]-1 plain\n[]-1 \n[]-1 last-without-newline\n")
        self.assertEqual(self.out("consume", "t", "-b", "-e", "--base64", "-f", r"%v\n"),
                         "cGxhaW4=\n\nbGFzdC13aXRob3V0LW5ld2xpbmU=\n")

    def test_num_offset_and_partition(self):
        self.create("t", 3)
        self.out("produce", "t", "--partition", "2", stdin="".join("r%d\n" % i for i in range(10)))
        self.assertEqual(self.out("consume", "t", "-b", "--num", "3"), "r0\nr1\nr2\n")
        self.assertEqual(self.out("consume", "t", "--offset", "7", "-e", "-f", r"%p:%o:%v\n"),
                         "2:7:r7\n2:8:r8\n2:9:r9\n")
        self.assertEqual(self.out("consume", "t", "--offset", "-2", "-e"), "r8\nr9\n")
        self.assertEqual(self.out("consume", "t", "--offset", "5", "--num", "2", "-p", "2"), "r5\nr6\n")
        self.assertEqual(self.out("consume", "t", "-b", "-e", "-p", "0"), "")
        self.assertEqual(self.out("consume", "t", "-e"), "")  # default: from the end

    def test_keyed_records_land_on_kafkas_murmur2_partitions(self):
        vectors = []
        with open(os.path.join(TESTDATA, "partitioner", "murmur2.jsonl")) as f:
            for line in f:
                v = json.loads(line)
                key = bytes.fromhex(v["key_hex"])
                if 0 < len(key) and all(0x21 <= b < 0x7f and b != ord("|") for b in key):
                    vectors.append((key.decode(), v["partition"]["12"]))
        self.assertGreaterEqual(len(vectors), 5)
        vectors = vectors[:40]
        self.create("m", 12)
        self.out("produce", "m", "-k", "|", stdin="".join("%s|v\n" % k for k, _ in vectors))
        got = dict(line.split(" ") for line in self.out("consume", "m", "-b", "-e", "-f", r"%k %p\n").splitlines())
        self.assertEqual(got, {k: str(p) for k, p in vectors})

    def test_produce_reports_each_partition(self):
        self.create("t", 3)
        out = self.out("produce", "t", "-k", ",", stdin="a,1\nb,2\nc,3\nd,4\n")
        # murmur2 with 3 partitions: a -> 1, b -> 2, c -> 1, d -> 2 (Kafka's DefaultPartitioner).
        self.assertEqual(out, "Produced 4 records to topic t:\n"
                              "  partition 1: 2 records, offsets 0-1\n"
                              "  partition 2: 2 records, offsets 0-1\n")
        self.assertEqual(self.out("produce", "t", stdin=""), "Produced 0 records to topic t.\n")

    def test_every_codec_and_ack_level_round_trips(self):
        self.create("t", 1)
        expected = []
        for i, codec in enumerate(CODECS):
            for acks in ["0", "1", "all"]:
                lines = ["%s-%s-%d-%s" % (codec, acks, j, "x" * j) for j in range(20)]
                expected += lines
                self.out("produce", "t", "--compression", codec, "--acks", acks, "--linger-ms", str(i),
                         stdin="\n".join(lines) + "\n")
        self.assertEqual(self.out("consume", "t", "-b", "-e").splitlines(), expected)
        codecs = [b["codec"] for b in self.dump_json(self.log_path("t"))]
        self.assertEqual(sorted(set(codecs)), sorted(CODECS))

    def test_consume_stops_on_sigterm(self):
        self.create("t", 1)
        self.out("produce", "t", stdin="one\n")
        p = subprocess.Popen([SEGLOG, "consume", "t", "-b"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=self.env, text=True)
        self.assertEqual(p.stdout.readline(), "one\n")  # it printed the data, then waits for more
        p.terminate()
        out, err = p.communicate(timeout=30)
        self.assertEqual((p.returncode, out, err), (0, "", ""))

    def test_consume_notes_the_snapshot_on_a_terminal_only(self):
        self.create("t", 1)
        self.out("produce", "t", stdin="one\n")

        def run_with_stderr_on_a_pty(*args):
            """Starts seglog with stderr on a new pseudo-terminal; returns (process, pty master fd)."""
            master, slave = pty.openpty()
            p = subprocess.Popen([SEGLOG] + list(args), stdout=subprocess.PIPE, stderr=slave, env=self.env, text=True)
            os.close(slave)
            self.addCleanup(os.close, master)
            return p, master

        def read_all(master):
            """What the pty received, until its last writer closed it."""
            data = b""
            while True:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: no writer is left
                    return data
                if not chunk:
                    return data
                data += chunk

        # Waiting until Ctrl-C: one line on the terminal says why nothing more comes (printed before any record).
        p, master = run_with_stderr_on_a_pty("consume", "t", "-b")
        self.assertEqual(p.stdout.readline(), "one\n")
        p.terminate()
        out, _ = p.communicate(timeout=30)
        self.assertEqual((p.returncode, out), (0, ""))
        note = read_all(master).decode()
        self.assertEqual(len(note.splitlines()), 1, note)
        self.assertIn("records appended later by another process are not shown", note)
        self.assertIn("Ctrl-C", note)
        # Not with --exit-at-end or --num, and never when stderr is piped (the other tests check an empty stderr).
        for args in (["-e"], ["-n", "1"]):
            p, master = run_with_stderr_on_a_pty("consume", "t", "-b", *args)
            out, _ = p.communicate(timeout=30)
            self.assertEqual((p.returncode, out, read_all(master)), (0, "one\n", b""), args)

    def test_output_to_a_closed_pipe_ends_quietly(self):
        self.create("t", 1)
        self.out("produce", "t", stdin="".join("line %d\n" % i for i in range(20000)))
        p = subprocess.Popen([SEGLOG, "consume", "t", "-b", "-e"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=self.env)
        self.assertEqual(p.stdout.readline(), b"line 0\n")
        p.stdout.close()
        err = p.stderr.read()
        p.wait(timeout=30)
        p.stderr.close()
        self.assertEqual((p.returncode, err), (0, b""))


class OffsetsTest(CliTestCase):
    def test_earliest_latest_and_time(self):
        self.create("t", 2)
        self.assertEqual(self.out("offsets", "t"), "t:0:0\nt:1:0\n")
        self.out("produce", "t", "-p", "1", stdin="a\nb\nc\n")
        self.assertEqual(self.out("offsets", "t"), "t:0:0\nt:1:3\n")
        self.assertEqual(self.out("offsets", "t", "--time", "latest"), "t:0:0\nt:1:3\n")
        self.assertEqual(self.out("offsets", "t", "--time=-1"), "t:0:0\nt:1:3\n")
        self.assertEqual(self.out("offsets", "t", "--time", "earliest"), "t:0:0\nt:1:0\n")
        self.assertEqual(self.out("offsets", "t", "--time=-2", "-p", "1"), "t:1:0\n")
        stamps = [int(s) for s in self.out("consume", "t", "-b", "-e", "-f", r"%T\n").split()]
        self.assertEqual(self.out("offsets", "t", "--time", "0"), "t:0:-1\nt:1:0\n")
        self.assertEqual(self.out("offsets", "t", "--time", str(stamps[-1]), "-p", "1"), "t:1:%d\n" %
                         next(i for i, s in enumerate(stamps) if s >= stamps[-1]))
        self.assertEqual(self.out("offsets", "t", "--time", str(stamps[-1] + 1), "-p", "1"), "t:1:-1\n")

    def test_earliest_moves_with_retention(self):
        self.create("t", 1, "segment.bytes=200", "retention.bytes=200", "retention.ms=-1")
        self.out("produce", "t", stdin="".join("%030d\n" % i for i in range(100)))
        self.assertEqual(self.out("offsets", "t", "--time", "latest"), "t:0:100\n")
        # The next writer's housekeeping enforces retention.bytes (or this stays 0 if it has not run yet).
        earliest = int(self.out("offsets", "t", "--time", "earliest").split(":")[2])
        first = self.out("consume", "t", "-b", "-e", "-f", r"%o\n").split()[0]
        self.assertEqual(int(first), earliest)


class DumpTest(CliTestCase):
    def kafka(self, *parts):
        return os.path.join(TESTDATA, "kafka", *parts)

    def test_dumps_a_kafka_written_segment(self):
        path = self.kafka("real", "TestTopicPatient-0", SEGMENT + ".log")
        lines = self.out("dump", path).splitlines()
        self.assertEqual(lines[:2], ["Dumping " + path, "Log starting offset: 0"])
        self.assertEqual(len(lines), 2 + 3)
        for i, line in enumerate(lines[2:]):
            self.assertTrue(line.startswith("baseOffset: %d lastOffset: %d count: 1 position: " % (i, i)), line)
            self.assertIn(" codec: none crcValid: true ", line)
        batches = self.dump_json("--print-data-log", path)
        self.assertEqual([b["baseOffset"] for b in batches], [0, 1, 2])
        self.assertEqual([b["position"] for b in batches], [0, batches[0]["size"], batches[0]["size"] + batches[1]["size"]])
        self.assertEqual(sum(b["size"] for b in batches), os.path.getsize(path))
        for b in batches:
            self.assertEqual(len(b["records"]), 1)
            self.assertTrue(b["records"][0]["value"].startswith('{\r\n  "resourceType"'))  # FHIR JSON, ~1 KB

    def test_dumps_the_kafka_python_codecs_segment_exactly(self):
        path = os.path.join(GENERATED_TESTDATA, "kafka-python", "codecs-0", SEGMENT + ".log")
        with open(os.path.join(GENERATED_TESTDATA, "kafka-python", "codecs-0", "expected.jsonl")) as f:
            expected = [json.loads(line) for line in f]
        batches = self.dump_json("--print-data-log", "--base64", path)
        self.assertEqual(len(batches), 10)
        self.assertEqual(sum(b["count"] for b in batches), 70)
        self.assertEqual((batches[0]["baseOffset"], batches[-1]["lastOffset"]), (0, 69))
        self.assertTrue(all(b["crcValid"] for b in batches))
        got = []
        for b in batches:
            for i, r in enumerate(b["records"]):
                value = None if r["value"] is None else base64.b64decode(r["value"])
                got.append({
                    "codec": b["codec"], "offset": r["offset"], "timestamp": r["timestamp"],
                    "key": None if r["key"] is None else base64.b64decode(r["key"]).hex(),
                    "value_len": None if value is None else len(value),
                    "value_sha256": None if value is None else hashlib.sha256(value).hexdigest(),
                    "headers": [[h["key"],  # header keys are strings: text even with --base64
                                 None if h["value"] is None else base64.b64decode(h["value"]).hex()]
                                for h in r["headers"]],
                    "producer_id": b["producerId"], "producer_epoch": b["producerEpoch"],
                    "sequence": -1 if b["baseSequence"] < 0 else b["baseSequence"] + i,
                    "transactional": b["isTransactional"],
                })
        self.assertEqual(got, expected)
        # Text output of the same file: one line per batch and one per record.
        text = self.out("dump", "--print-data-log", path).splitlines()
        self.assertEqual(sum(1 for line in text if line.startswith("baseOffset: ")), 10)
        self.assertEqual(sum(1 for line in text if line.startswith("| offset: ")), 70)

    def test_json_fields_and_text_of_our_own_files(self):
        self.create("t", 1)
        self.out("produce", "t", "-k", ":", "-H", "h=1", "--compression", "lz4", stdin="k:caf\u00e9\n")
        [batch] = self.dump_json("--print-data-log", self.log_path("t"))
        for field in ["baseOffset", "lastOffset", "count", "position", "size", "codec", "crcValid", "producerId",
                      "producerEpoch", "baseSequence", "isTransactional", "isControl", "records"]:
            self.assertIn(field, batch)
        self.assertEqual((batch["baseOffset"], batch["lastOffset"], batch["count"], batch["position"]), (0, 0, 1, 0))
        self.assertEqual((batch["codec"], batch["crcValid"], batch["baseSequence"]), ("lz4", True, 0))
        self.assertGreaterEqual(batch["producerId"], 0)
        self.assertEqual((batch["isTransactional"], batch["isControl"]), (False, False))
        [record] = batch["records"]
        self.assertEqual({k: record[k] for k in ["offset", "key", "value", "headers"]},
                         {"offset": 0, "key": "k", "value": "caf\u00e9", "headers": [{"key": "h", "value": "1"}]})
        self.assertNotIn("records", self.dump_json(self.log_path("t"))[0])
        text = self.out("dump", "--print-data-log", self.log_path("t"))
        self.assertIn("| offset: 0 CreateTime: ", text)
        self.assertIn(" keySize: 1 valueSize: 5 sequence: 0 headers: [h=1] key: k payload: caf\u00e9\n", text)

    def test_base64_encodes_bytes_but_not_header_keys(self):
        # Header keys are Kafka strings: text (escaped as without --base64); keys and values are bytes.
        b64 = lambda s: base64.b64encode(s.encode()).decode()
        self.create("t", 1)
        self.out("produce", "t", "-k", ":", "-H", "h\tk=v1", "-H", "caf\u00e9=\u00e9", stdin="k:v\n")
        [batch] = self.dump_json("--print-data-log", "--base64", self.log_path("t"))
        [record] = batch["records"]
        self.assertEqual((record["key"], record["value"]), (b64("k"), b64("v")))
        self.assertEqual(record["headers"], [{"key": "h\tk", "value": b64("v1")},
                                             {"key": "caf\u00e9", "value": b64("\u00e9")}])
        text = self.out("dump", "--print-data-log", "--base64", self.log_path("t"))
        self.assertIn(" headers: [h\\tk=%s,caf\u00e9=%s] key: %s payload: %s\n" % (b64("v1"), b64("\u00e9"), b64("k"), b64("v")),
                      text)

    def test_invalid_utf8_is_escaped_in_json(self):
        self.create("t", 1)
        self.run_seglog("produce", "t", stdin=b"ok\xff\xfe\n", text=False)
        [batch] = self.dump_json("--print-data-log", self.log_path("t"))
        self.assertEqual(batch["records"][0]["value"], "ok\\xff\\xfe")
        [batch] = self.dump_json("--print-data-log", "--base64", self.log_path("t"))
        self.assertEqual(base64.b64decode(batch["records"][0]["value"]), b"ok\xff\xfe")

    def test_index_entries_past_the_largest_offset_are_errors_not_overflow(self):
        # A file named near INT64_MAX: base + relative offset overflowed an int64 and printed garbage.
        base = 2**63 - 1 - 5
        index = os.path.join(self.tmp, "%020d.index" % base)
        with open(index, "wb") as f:
            f.write(bytes.fromhex("00000000 00000000 00000005 00000040 00000006 00000080"))
        self.assert_fails(["dump", index], 1, "entry 2: base offset %d + relative offset 6 is past the largest offset" % base)
        with open(index, "wb") as f:
            f.write(bytes.fromhex("00000000 00000000 00000005 00000040"))
        self.assertEqual(self.out("dump", index).splitlines()[1:],
                         ["offset: %d position: 0" % base, "offset: %d position: 64" % (base + 5)])

    def test_file_names_that_are_not_utf8_give_valid_json(self):
        self.create("t", 1, "index.interval.bytes=1")
        self.out("produce", "t", stdin="a\n")
        self.out("produce", "t", stdin="b\n")  # a second batch, so the index has an entry
        copy = os.fsdecode(os.path.join(os.fsencode(self.tmp), b"copy\xff"))  # the byte survives as-is
        shutil.copytree(os.path.dirname(self.log_path("t")), copy)
        escaped = "copy\\xff/" + SEGMENT
        p = self.run_seglog("dump", "--json", "--print-data-log", os.path.join(copy, SEGMENT + ".log"))
        batches = [json.loads(line) for line in p.stdout.splitlines()]
        self.assertEqual([b["records"][0]["value"] for b in batches], ["a", "b"])
        self.assertTrue(batches[0]["file"].endswith(escaped + ".log"), batches[0]["file"])
        for suffix in [".index", ".timeindex"]:
            p = self.run_seglog("dump", "--json", os.path.join(copy, SEGMENT + suffix))
            entries = [json.loads(line) for line in p.stdout.splitlines()]
            self.assertTrue(entries, suffix)
            self.assertTrue(entries[0]["file"].endswith(escaped + suffix), entries[0]["file"])

    def test_verify_checks_index_entries_against_the_log(self):
        self.create("t", 1, "index.interval.bytes=100", "segment.bytes=100000")
        for i in range(30):
            self.out("produce", "t", stdin="".join("record %d-%d %s\n" % (i, j, "y" * 40) for j in range(5)))
        directory = os.path.join(self.data, "t-0")
        index, timeindex = (os.path.join(directory, SEGMENT + s) for s in (".index", ".timeindex"))
        entries = self.dump_json(index)
        self.assertGreater(len(entries), 5)
        self.assertEqual(len(entries), os.path.getsize(index) // 8)
        out = self.out("dump", "--verify", index, timeindex)
        self.assertIn("%s: %d entries verified against %s\n" % (index, len(entries), self.log_path("t")), out)
        self.assertIn("entries verified against", out.split(timeindex + ":")[-1])
        batches = len(self.dump_json(self.log_path("t")))
        self.assertIn("%s: %d batches, 150 records: verified\n" % (self.log_path("t"), batches),
                      self.out("dump", "--verify", self.log_path("t")))
        # Corrupt the position of the third entry: --verify names it and exits 1.
        bad = os.path.join(self.tmp, "bad")
        os.makedirs(bad)
        shutil.copy(self.log_path("t"), bad)
        with open(index, "rb") as f:
            data = bytearray(f.read())
        data[2 * 8 + 7] ^= 0x01
        with open(os.path.join(bad, SEGMENT + ".index"), "wb") as f:
            f.write(data)
        p = self.assert_fails(["dump", "--verify", os.path.join(bad, SEGMENT + ".index")], 1,
                              "%s.index: entry 2 (offset %d, position %d): position %d is not the start of a batch"
                              % (os.path.join(bad, SEGMENT), entries[2]["offset"], entries[2]["position"] ^ 1,
                                 entries[2]["position"] ^ 1))
        self.assertIn("1 of %d entries do not match" % len(entries), p.stdout)

    def test_corrupt_batches_are_reported_not_fatal(self):
        self.create("t", 1)
        for i in range(3):
            self.out("produce", "t", stdin="batch %d\n" % i)
        batches = self.dump_json(self.log_path("t"))
        with open(self.log_path("t"), "rb") as f:
            data = bytearray(f.read())
        data[batches[1]["position"] + 70] ^= 0xFF  # a byte of the second batch's records
        path = os.path.join(self.tmp, SEGMENT + ".log")
        with open(path, "wb") as f:
            f.write(data + b"\x00\x00\x00\x00\x00")  # and a torn tail
        p = self.run_seglog("dump", "--json", path, check=False)
        self.assertEqual(p.returncode, 1)
        got = [json.loads(line) for line in p.stdout.splitlines()]
        self.assertEqual([b["crcValid"] for b in got], [True, False, True])
        self.assertIn("seglog: %s: position %d: CRC mismatch in the batch at offset 1" % (path, batches[1]["position"]),
                      p.stderr)
        self.assertIn("seglog: %s: position %d: 5 trailing bytes, too few for a batch header" % (path, len(data)),
                      p.stderr)

    def test_bad_files(self):
        self.assert_fails(["dump", os.path.join(self.tmp, "missing.log")], 1, "cannot open")
        notes = os.path.join(self.tmp, "notes.txt")
        open(notes, "w").close()
        self.assert_fails(["dump", notes], 1, "notes.txt: not a .log, .index or .timeindex file")
        self.assert_fails(["dump"], 2, "files is required")


class ConcurrentAccessTest(CliTestCase):
    def test_readers_work_while_a_producer_holds_the_lock(self):
        self.create("t", 2)
        self.out("produce", "t", "-p", "0", stdin="before\n")
        producer = subprocess.Popen([SEGLOG, "produce", "t", "-p", "1", "--acks", "1"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env)
        try:
            # The pipe holds 64 KiB: once 1 MiB is written, the producer has opened the data directory (taking
            # its lock) and is reading stdin. It keeps the lock while stdin stays open.
            chunk = b"".join(b"%07d\n" % i for i in range(131072))
            producer.stdin.write(chunk)
            producer.stdin.flush()
            self.assertEqual(self.out("topic", "list"), "NAME  PARTITIONS\nt     2\n")
            self.assertIn("\nPARTITIONS\n", self.out("topic", "describe", "t"))
            self.assertEqual(self.out("consume", "t", "-b", "-e", "-p", "0"), "before\n")
            # Each reader sees a snapshot taken when it opened: a prefix of the records, in order, that never
            # shrinks (the producer is still appending what it has read).
            end = int(self.out("offsets", "t", "-p", "1").split(":")[2])
            seen = self.out("consume", "t", "-b", "-e", "-p", "1").splitlines()
            self.assertEqual(seen, ["%07d" % i for i in range(len(seen))])
            self.assertGreaterEqual(len(seen), end)
            for args in (["topic", "create", "u"], ["produce", "t"], ["topic", "delete", "t"]):
                p = self.assert_fails(args, 1, self.data, stdin="x\n")
                self.assertIn("lock", p.stderr.lower())
        finally:
            producer.stdin.close()
            out, err = producer.stdout.read(), producer.stderr.read()
            producer.wait(timeout=60)
            producer.stdout.close()
            producer.stderr.close()
        self.assertEqual((producer.returncode, err), (0, b""))
        self.assertEqual(out, b"Produced 131072 records to topic t:\n  partition 1: 131072 records, offsets 0-131071\n")
        self.assertEqual(self.out("offsets", "t"), "t:0:1\nt:1:131072\n")


class BadInputTest(CliTestCase):
    def test_unknown_topic(self):
        self.create("t", 1)
        for args in (["topic", "describe", "nope"], ["topic", "delete", "nope"], ["topic", "add-partitions", "nope", "-n", "1"],
                     ["produce", "nope"], ["consume", "nope", "-e"], ["offsets", "nope"]):
            self.assert_fails(args, 1, "unknown topic nope", stdin="x\n")

    def test_missing_data_directory(self):
        for args in (["topic", "list"], ["consume", "t", "-e"], ["offsets", "t"]):
            self.assert_fails(args, 1, "data directory %s does not exist" % self.data)

    def test_bad_topic_name_and_existing_topic(self):
        self.create("t", 1)
        self.assert_fails(["topic", "create", "bad/name"], 1, 'topic name "bad/name" has a character outside')
        self.assert_fails(["topic", "create", "x" * 250], 1, "249")
        self.assert_fails(["topic", "create", "t"], 1, "topic t already exists")

    def test_bad_config(self):
        self.assert_fails(["topic", "create", "t", "-c", "no.such.key=1"], 1, 'unknown topic config "no.such.key"')
        self.assert_fails(["topic", "create", "t", "-c", "retention.ms=soon"], 1,
                          'invalid value "soon" for topic config retention.ms')
        self.assert_fails(["topic", "create", "t", "-c", "segment.bytes=-5"], 1, "segment.bytes")
        self.assert_fails(["topic", "create", "t", "-c", "retention.ms"], 2,
                          '--config "retention.ms" is not key=value')
        self.assert_fails(["topic", "create", "t", "-c", "a=1", "-c", "a=2"], 2, "--config key a is given twice")
        self.assertFalse(os.path.exists(os.path.join(self.data, "t-0")))

    def test_bad_flags_are_usage_errors(self):
        self.create("t", 1)
        cases = [
            (["topic", "list", "--no-such-flag"], "--no-such-flag"),
            ([], "A subcommand is required"),
            (["topic"], "A subcommand is required"),
            (["topic", "create"], "name is required"),
            (["topic", "create", "x", "-p", "0"], "--partitions"),
            (["topic", "create", "x", "-p", "many"], "--partitions"),
            (["topic", "add-partitions", "t"], "--num is required"),
            (["topic", "add-partitions", "t", "-n", "0"], "--num"),
            (["produce", "t", "--acks", "2"], "--acks"),
            (["produce", "t", "--compression", "brotli"], "--compression"),
            (["consume", "t", "--format", "%x"], "unknown placeholder %x at position 0"),
            (["consume", "t", "--format", r"\q"], "unknown escape \\q"),
            (["consume", "t", "--offset", "soon"], "--offset soon is not"),
            (["consume", "t", "--offset", "1", "--from-beginning"], "excludes"),
            (["consume", "t", "--num", "0"], "--num"),
            (["offsets", "t", "--time", "yesterday"], "--time yesterday is not earliest, latest or a timestamp"),
            (["dump", "x.log", "--no-such"], "--no-such"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                self.assert_fails(args, 2, message)
        self.assertEqual(self.run_seglog("--help").returncode, 0)
        self.assertIn("Usage:", self.out("produce", "--help"))
        self.assertEqual(self.out("--version").strip(), "0.1.0")

    def test_bad_partition(self):
        self.create("t", 3)
        for args in (["produce", "t", "-p", "3"], ["consume", "t", "-p", "7", "-e"], ["offsets", "t", "-p", "3"]):
            self.assert_fails(args, 1, "topic t has no partition %s (it has 3 partitions)" % args[3], stdin="x\n")

    def test_missing_key_separator_names_the_line(self):
        self.create("t", 1)
        p = self.assert_fails(["produce", "t", "-k", "|"], 1, 'line 3 has no key separator "|"',
                              stdin="a|1\nb|2\nno separator\nc|3\n")
        self.assertEqual(p.stdout, "Produced 2 records to topic t:\n  partition 0: 2 records, offsets 0-1\n")
        self.assertEqual(self.out("consume", "t", "-b", "-e", "-f", r"%k=%v\n"), "a=1\nb=2\n")

    def test_record_too_large(self):
        self.create("t", 1, "max.message.bytes=1000")
        p = self.run_seglog("produce", "t", stdin="small\n" + "x" * 5000 + "\n", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("seglog: line 2: ", p.stderr)


class KafkaPythonCrossCheckTest(CliTestCase):
    def test_kafka_python_decodes_what_seglog_produce_wrote(self):
        from kafka.record.default_records import DefaultRecordBatch

        lines = ["key-%d|%s" % (i, ("value %d " % i) * (i % 7)) for i in range(50)]
        for codec in CODECS:
            topic = "cc-" + codec
            self.create(topic, 1)
            self.out("produce", topic, "-k", "|", "--compression", codec, "-H", "origin=cli",
                     stdin="\n".join(lines[:25]) + "\n")
            self.out("produce", topic, "-k", "|", "--compression", codec, stdin="\n".join(lines[25:]) + "\n")
            with open(self.log_path(topic), "rb") as f:
                data = f.read()
            pos, got, batches = 0, [], 0
            while pos < len(data):
                size = 12 + int.from_bytes(data[pos + 8:pos + 12], "big")
                batch = DefaultRecordBatch(data[pos:pos + size])
                self.assertTrue(batch.validate_crc(), "%s: batch at %d" % (codec, pos))
                self.assertEqual(batch.compression_type, CODECS.index(codec))
                for record in batch:
                    got.append((record.offset, record.key.decode(), record.value.decode(),
                                [(k, v.decode()) for k, v in record.headers]))
                pos += size
                batches += 1
            self.assertGreaterEqual(batches, 2)
            want = [(i, line.split("|", 1)[0], line.split("|", 1)[1], [("origin", "cli")] if i < 25 else [])
                    for i, line in enumerate(lines)]
            self.assertEqual(got, want, codec)


def main():
    global SEGLOG, SCRATCH, TESTDATA, GENERATED_TESTDATA
    if len(sys.argv) < 5:
        sys.exit("usage: cli_test.py SEGLOG_BINARY SCRATCH_DIR TESTDATA_DIR GENERATED_TESTDATA_DIR [TestCase ...]")
    SEGLOG, SCRATCH, TESTDATA, GENERATED_TESTDATA = (os.path.abspath(a) for a in sys.argv[1:5])
    unittest.main(argv=[sys.argv[0]] + sys.argv[5:], verbosity=2)


if __name__ == "__main__":
    main()

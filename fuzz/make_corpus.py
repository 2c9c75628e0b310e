#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ (fuzz/README.md, doc/fuzzing.md) from the Kafka test fixtures.

    fuzz/make_corpus.py [TESTDATA_DIR] [OUT_DIR]

TESTDATA_DIR holds kafka/kafka-python/codecs-0/ and kafka/real/TestTopicPatient-0/ (default: test/data when
the repository has it, else ../shared/testdata). OUT_DIR defaults to fuzz/corpus. Each seed starts with the
mode byte(s) its fuzzer reads (the comment at the top of fuzz/<target>_fuzzer.cc). Seeds are rewritten, not
appended to: files of crashing inputs kept beside them (named crash-*) are left alone.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]


def default_testdata():
    for d in (os.path.join(REPO, "test", "data"), os.path.join(REPO, "..", "shared", "testdata")):
        if os.path.isdir(os.path.join(d, "kafka")):
            return d
    sys.exit("no testdata directory found; pass one")


def batches(log):
    """(position, bytes, header dict) of each RecordBatch v2 in a .log."""
    pos = 0
    while pos + 61 <= len(log):
        (length,) = struct.unpack_from(">i", log, pos + 8)
        data = log[pos:pos + 12 + length]
        attributes, last_delta, base_ts, max_ts = struct.unpack_from(">hiqq", data, 21)
        (base,) = struct.unpack_from(">q", data, 0)
        (count,) = struct.unpack_from(">i", data, 57)
        yield pos, data, {"base": base, "last": base + last_delta, "attributes": attributes, "max_ts": max_ts,
                          "count": count}
        pos += len(data)


def index_files(log, interval=0):
    """Kafka-style .index and .timeindex contents for a base-offset-0 log (an entry every `interval` bytes)."""
    index, timeindex, since, max_ts = b"", b"", interval + 1, -1
    for pos, data, h in batches(log):
        max_ts = max(max_ts, h["max_ts"])
        if since > interval:
            index += struct.pack(">II", h["last"], pos)
            if not timeindex or max_ts > struct.unpack_from(">q", timeindex, len(timeindex) - 12)[0]:
                timeindex += struct.pack(">qI", max_ts, h["last"])
            since = 0
        since += len(data)
    return index, timeindex


def write(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def record_batch(out, codecs_log, patient_log):
    for i, (_, data, h) in enumerate(batches(codecs_log)):
        codec = h["attributes"] & 7
        records = data[61:]
        write(out, "record_batch", f"raw-{i}-{CODECS[codec]}", b"\x00" + data)
        selector = codec | (h["attributes"] & 0x08)
        write(out, "record_batch", f"wrapped-{i}-{CODECS[codec]}",
              b"\x01" + bytes([selector]) + struct.pack(">H", h["count"]) + records)
        if codec != 0:
            write(out, "record_batch", f"codec-{i}-{CODECS[codec]}", b"\x02" + bytes([codec]) + records)
    write(out, "record_batch", "raw-kafka-written-log", b"\x00" + patient_log)


def index(out, codecs_log, patient_log):
    idx, tidx = index_files(codecs_log)
    write(out, "index", "offset-index", b"\x00\x00" + idx)
    write(out, "index", "time-index", b"\x00\x01" + tidx)
    write(out, "index", "offset-index-base-100", b"\x04\x00" + idx)

    def segment(name, log, idx, tidx, rebuild):
        write(out, "index", name, b"\x01" + bytes([rebuild]) + struct.pack(">HH", len(idx), len(tidx)) + idx + tidx + log)

    segment("segment-kafka-python", codecs_log, idx, tidx, 0)
    segment("segment-kafka-python-rebuild", codecs_log, idx, tidx, 1)
    segment("segment-kafka-written-no-indexes", patient_log, b"", b"", 0)
    torn = codecs_log[:-7]
    segment("segment-torn-tail", torn, idx, tidx, 0)


def checkpoint(out):
    write(out, "checkpoint", "decode", b"\x00" + b"0\n2\norders 0 368770\norders 1 12\n")
    write(out, "checkpoint", "decode-empty", b"\x00" + b"0\n0\n")
    write(out, "checkpoint", "partition-clean", b"\x01\x01" + b"0\n1\nt 0 24\n\x000\n1\nt 0 0\n")
    write(out, "checkpoint", "partition-unclean", b"\x01\x00" + b"0\n1\nt 0 10\n\x000\n1\nt 0 4\n")
    write(out, "checkpoint", "partition-no-log-start", b"\x01\x00" + b"0\n1\nt 0 10\n")
    write(out, "checkpoint", "store-clean", b"\x02\x01" + b"0\n2\nt 0 24\nt 1 6\n\x000\n2\nt 0 0\nt 1 0\n")
    write(out, "checkpoint", "store-unclean", b"\x02\x00" + b"0\n2\nt 0 10\nt 1 3\n\x000\n2\nt 0 2\nt 1 0\n")


def topics_json(out):
    doc = (b'{\n  "version": 1,\n  "topics": [{"name": "orders", "partitions": 3, "config": {"retention.ms": '
           b'"86400000", "compression.type": "zstd"}}],\n  "deleting": [{"name": "old", "partitions": 2}],\n'
           b'  "producer_id_block_end": 2000\n}\n')
    write(out, "topics_json", "decode", b"\x00" + doc)
    write(out, "topics_json", "store", b"\x02" + doc)
    write(out, "topics_json", "store-two-topics",
          b'\x02{"version": 1, "topics": [{"name": "a", "partitions": 1}, {"name": "b.c_d", "partitions": 2, '
          b'"config": {"segment.bytes": "1024", "cleanup.policy": "delete"}}], "producer_id_block_end": 0}')
    write(out, "topics_json", "config",
          b"\x01retention.ms=3600000\ncompression.type=lz4\nsegment.bytes=1048576\nmessage.timestamp.type=LogAppendTime\n"
          b"max.message.bytes=1000000\nsegment.jitter.ms=10\nflush.messages=1\nretention.bytes=-1\n")


def main():
    testdata = sys.argv[1] if len(sys.argv) > 1 else default_testdata()
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "corpus")
    with open(os.path.join(testdata, "kafka/kafka-python/codecs-0/00000000000000000000.log"), "rb") as f:
        codecs_log = f.read()
    with open(os.path.join(testdata, "kafka/real/TestTopicPatient-0/00000000000000000000.log"), "rb") as f:
        patient_log = f.read()
    record_batch(out, codecs_log, patient_log)
    index(out, codecs_log, patient_log)
    checkpoint(out)
    topics_json(out)


if __name__ == "__main__":
    main()

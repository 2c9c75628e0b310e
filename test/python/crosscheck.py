#!/usr/bin/python3
"""Decodes batches that seglog encoded with kafka-python's independent decoder and compares every field.

Run by ctest as: /usr/bin/python3 crosscheck.py ENCODER WORKDIR
(Debian's python3-kafka, -snappy, -lz4 and -zstandard are visible to /usr/bin/python3 only.)
"""
import json
import os
import subprocess
import sys

from kafka.record.memory_records import MemoryRecords


def hexval(b):
    return None if b is None else bytes(b).hex()


def main():
    encoder, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    subprocess.run([encoder, workdir], check=True)
    with open(os.path.join(workdir, "seglog.log"), "rb") as f:
        data = f.read()
    with open(os.path.join(workdir, "expected.json")) as f:
        expected = json.load(f)

    passed = failed = 0
    failures = []
    records = MemoryRecords(data)
    for exp in expected:
        batch = records.next_batch()
        name = exp["name"]
        problems = []
        if batch is None:
            problems.append("kafka-python found no batch")
        else:
            if not batch.validate_crc():
                problems.append("kafka-python says the CRC is invalid")
            # kafka-python 2.0.2 exposes no producer properties; _header_data is its own parse of the
            # header (struct ">qiibIhiqqqhii": ..., 9 producer id, 10 producer epoch, 11 base sequence).
            header = batch._header_data
            checks = {
                "base_offset": batch.base_offset,
                "codec": batch.compression_type,
                "producer_id": header[9],
                "producer_epoch": header[10],
                "base_sequence": header[11],
                "last_offset_delta": batch.last_offset_delta,
                "max_timestamp": batch.max_timestamp,
                "transactional": bool(batch.is_transactional),
                "timestamp_type": batch.timestamp_type,
            }
            for field, got in checks.items():
                if got != exp[field]:
                    problems.append("%s: kafka-python read %r, seglog wrote %r" % (field, got, exp[field]))
            got_records = list(batch)
            if len(got_records) != len(exp["records"]):
                problems.append("record count %d != %d" % (len(got_records), len(exp["records"])))
            for got, want in zip(got_records, exp["records"]):
                decoded = {
                    "offset": got.offset,
                    "timestamp": got.timestamp,
                    "key": hexval(got.key),
                    "value": hexval(got.value),
                    "headers": [[k, hexval(v)] for k, v in got.headers],
                }
                if decoded != want:
                    problems.append("record %d: kafka-python read %r, seglog wrote %r" % (want["offset"], decoded, want))
        if problems:
            failed += 1
            failures.append((name, problems))
        else:
            passed += 1
    if records.has_next():
        failed += 1
        failures.append(("trailing", ["kafka-python found more batches than seglog wrote"]))
    for name, problems in failures:
        print("FAIL %s:" % name)
        for p in problems[:5]:
            print("  " + p)
    print("kafka-python decoded %d seglog batches" % len(expected))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())

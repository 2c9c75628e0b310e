#!/usr/bin/python3
"""Writes kafka-python-encoded RecordBatch v2 fixtures: a segment file and the records it must decode to.

    /usr/bin/python3 kafka_python_codecs.py OUT_DIR

OUT_DIR receives 00000000000000000000.log (10 batches, 70 records, offsets 0-69) and expected.jsonl (one line
per record, in offset order). The batches are built by kafka-python's DefaultRecordBatchBuilder (Debian's
python3-kafka), an encoder independent of seglog and of Apache Kafka's Java code, so a decoder that turns the
.log back into expected.jsonl agrees with kafka-python byte for byte. expected.jsonl is written from the inputs
given to the builder, never by decoding its output.

The batches:
  - one batch per codec: none, gzip, snappy, lz4, zstd (10 records each);
  - an idempotent producer (id 1000, epoch 3) in two batches, sequences 0-4 (none) and 5-8 (zstd);
  - a transactional batch (producer id 1001, epoch 0, 3 records);
  - a zstd batch whose first value is 100,000 bytes (2 records);
  - an lz4 batch with null values (tombstones) in its odd records (6 records).
Keys are null for every third offset; records at odd offsets carry two headers (one with an empty value).
Everything is deterministic: the same inputs every run (compressed bytes may differ between library versions,
the decoded records never do).
"""
import hashlib
import json
import os
import random
import struct
import sys

from kafka.record.default_records import DefaultRecordBatchBuilder as Builder

BASE_TIMESTAMP = 1700000000000

# (codec, codec name, records, producer id, epoch, base sequence, transactional, tombstones, big first value)
BATCHES = [
    (Builder.CODEC_NONE, "none", 10, -1, -1, -1, False, False, False),
    (Builder.CODEC_GZIP, "gzip", 10, -1, -1, -1, False, False, False),
    (Builder.CODEC_SNAPPY, "snappy", 10, -1, -1, -1, False, False, False),
    (Builder.CODEC_LZ4, "lz4", 10, -1, -1, -1, False, False, False),
    (Builder.CODEC_ZSTD, "zstd", 10, -1, -1, -1, False, False, False),
    (Builder.CODEC_NONE, "none", 5, 1000, 3, 0, False, False, False),
    (Builder.CODEC_ZSTD, "zstd", 4, 1000, 3, 5, False, False, False),
    (Builder.CODEC_NONE, "none", 3, 1001, 0, 0, True, False, False),
    (Builder.CODEC_ZSTD, "zstd", 2, -1, -1, -1, False, False, True),
    (Builder.CODEC_LZ4, "lz4", 6, -1, -1, -1, False, True, False),
]


def text(rng, n):
    """n bytes of compressible text: words from a small vocabulary, chosen at random."""
    words = [b"seglog ", b"kafka ", b"batch ", b"record ", b"offset ", b"segment ", b"\x00\xff "]
    out = bytearray()
    while len(out) < n:
        out += rng.choice(words)
    return bytes(out[:n])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: kafka_python_codecs.py OUT_DIR")
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(20231114)
    log = bytearray()
    expected = []
    offset = 0
    for b, (codec, name, count, pid, epoch, base_seq, txn, tombstones, big) in enumerate(BATCHES):
        builder = Builder(magic=2, compression_type=codec, is_transactional=txn, producer_id=pid,
                          producer_epoch=epoch, base_sequence=base_seq, batch_size=1 << 30)
        first_timestamp = BASE_TIMESTAMP + 7 * offset + b
        for j in range(count):
            o = offset + j
            timestamp = first_timestamp + 5 * j
            key = None if o % 3 == 0 else f"key-{o}".encode()
            if big and j == 0:
                value = text(rng, 100000)
            elif tombstones and j % 2 == 1:
                value = None
            else:
                value = text(rng, (13 * j) % 97)
            headers = []
            if o % 2 == 1:
                headers = [("trace", hashlib.sha256(str(o).encode()).hexdigest()[:8].encode()), ("empty", b"")]
            if builder.append(j, timestamp, key, value, headers) is None:
                sys.exit(f"kafka-python refused record {o}")
            expected.append({
                "offset": o, "timestamp": timestamp, "codec": name,
                "key": None if key is None else key.hex(),
                "value_len": None if value is None else len(value),
                "value_sha256": None if value is None else hashlib.sha256(value).hexdigest(),
                "headers": [[k, v.hex()] for k, v in headers],
                "producer_id": pid, "producer_epoch": epoch,
                "sequence": -1 if base_seq < 0 else base_seq + j, "transactional": txn,
            })
        batch = builder.build()
        # kafka-python stores a batch uncompressed when compressing does not make it smaller; the values are
        # compressible, so every batch must carry the codec asked for.
        attributes = struct.unpack_from(">h", batch, 21)[0]
        if attributes & 0x07 != codec:
            sys.exit(f"kafka-python stored batch {b} with codec {attributes & 0x07}, not {codec}")
        struct.pack_into(">q", batch, 0, offset)  # the base offset; the CRC does not cover it
        log += batch
        offset += count
    with open(os.path.join(out_dir, "00000000000000000000.log"), "wb") as f:
        f.write(log)
    with open(os.path.join(out_dir, "expected.jsonl"), "w") as f:
        for e in expected:
            f.write(json.dumps(e, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()

// Byte surgery on valid batches: every kind of bad input is a clear error (kDataLoss for checksums,
// kInvalidArgument for structure), never a crash or an endless loop. Messages name the batch and the place.
#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "codec/varint.h"
#include "seglog/batch_builder.h"
#include "seglog/batch_view.h"
#include "support/test_util.h"
#include "util/coding.h"

namespace seglog {
namespace {

namespace bf = batch_format;

// Fixes Length and CRC after surgery so the structural checks (not the checksum) are what is tested.
void Reseal(std::string* b) {
  internal::StoreBigEndian32(b->data() + bf::kLengthOffset, static_cast<uint32_t>(b->size() - bf::kLogOverhead));
  internal::StoreBigEndian32(b->data() + bf::kCrcOffset, ComputeBatchCrc(*b));
}

// A batch whose records area is `records` verbatim (uncompressed), declaring `count` records.
std::string RawBatch(const std::string& records, int32_t count, int32_t last_offset_delta) {
  BatchBuilder builder;
  REQUIRE(builder.Append(0, "k", "v").ok());
  std::string b(*builder.Build());
  b.resize(bf::kHeaderSize);
  b += records;
  internal::StoreBigEndian32(b.data() + bf::kRecordsCountOffset, static_cast<uint32_t>(count));
  internal::StoreBigEndian32(b.data() + bf::kLastOffsetDeltaOffset, static_cast<uint32_t>(last_offset_delta));
  Reseal(&b);
  return b;
}

std::string V(int32_t v) {
  char buf[internal::kMaxVarintBytes];
  return std::string(buf, internal::EncodeVarint(buf, v));
}

// A record body from parts: attributes 0, ts delta 0, then `rest`.
std::string Record(int32_t offset_delta, const std::string& rest) {
  std::string body = std::string(1, '\0') + V(0) + V(offset_delta) + rest;
  return V(static_cast<int32_t>(body.size())) + body;
}

absl::Status DecodeStatus(const std::string& bytes) { return test::DecodeBatch(bytes).status(); }

void ExpectInvalid(const std::string& bytes, const std::string& fragment) {
  absl::Status s = DecodeStatus(bytes);
  INFO(s.ToString());
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(s.message()).find(fragment) != std::string::npos);
  CHECK(std::string(s.message()).find("batch") != std::string::npos);
}

std::string Valid(CompressionType codec = CompressionType::kNone) {
  BatchBuilder builder({.base_offset = 500, .compression = codec, .producer_id = 3, .producer_epoch = 1,
                        .base_sequence = 0});
  const RecordHeader headers[] = {{"h", "v"}};
  for (int i = 0; i < 20; ++i) {
    REQUIRE(builder.Append(1700000000000 + i, absl::StrCat("key", i), std::string(100, 'a' + i % 26), headers).ok());
  }
  return std::string(*builder.Build());
}

TEST_CASE("EveryTruncationIsInvalidArgument", "[corruption]") {
  const std::string good = Valid();
  for (size_t n = 0; n < good.size(); ++n) {
    absl::Status s = BatchView::Parse(std::string_view(good).substr(0, n)).status();
    INFO("prefix of " << n << " bytes: " << s.ToString());
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("WrongMagicIsInvalidArgument", "[corruption]") {
  for (int magic : {0, 1, 3, 255}) {
    std::string b = Valid();
    b[bf::kMagicOffset] = static_cast<char>(magic);
    absl::Status s = BatchView::Parse(b).status();
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(s.message()).find("magic") != std::string::npos);
    CHECK(std::string(s.message()).find("offset 500") != std::string::npos);
  }
}

TEST_CASE("ChecksumMismatchIsDataLoss", "[corruption]") {
  const std::string good = Valid();
  // Any flipped bit from Attributes to the end, or in the CRC itself, is caught.
  for (size_t at : {bf::kCrcOffset, bf::kAttributesOffset, bf::kMaxTimestampOffset + 3, bf::kRecordsCountOffset,
                    bf::kRecordsOffset, good.size() / 2, good.size() - 1}) {
    std::string b = good;
    b[at] ^= 0x10;
    absl::Status s = BatchView::Parse(b).status();
    INFO("flipped byte " << at << ": " << s.ToString());
    CHECK(s.code() == absl::StatusCode::kDataLoss);
    CHECK(std::string(s.message()).find("CRC") != std::string::npos);
  }
  // The base offset and leader epoch are outside the CRC (Kafka rewrites them), so flips there pass.
  std::string b = good;
  b[bf::kPartitionLeaderEpochOffset] ^= 1;
  CHECK(BatchView::Parse(b).ok());
}

TEST_CASE("BadLengthFieldIsInvalidArgument", "[corruption]") {
  std::string b = Valid();
  internal::StoreBigEndian32(b.data() + bf::kLengthOffset, 10);
  CHECK(BatchView::Parse(b).status().code() == absl::StatusCode::kInvalidArgument);
  internal::StoreBigEndian32(b.data() + bf::kLengthOffset, static_cast<uint32_t>(-5));
  CHECK(BatchView::Parse(b).status().code() == absl::StatusCode::kInvalidArgument);
  internal::StoreBigEndian32(b.data() + bf::kLengthOffset, static_cast<uint32_t>(b.size()));  // 12 too many
  absl::Status s = BatchView::Parse(b).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(s.message()).find("truncated") != std::string::npos);
}

TEST_CASE("BadHeaderFieldsAreInvalidArgument", "[corruption]") {
  std::string b = Valid();
  b[bf::kAttributesOffset + 1] = 5;  // codec id 5
  Reseal(&b);
  CHECK(BatchView::Parse(b).status().code() == absl::StatusCode::kInvalidArgument);

  b = Valid();
  internal::StoreBigEndian32(b.data() + bf::kRecordsCountOffset, static_cast<uint32_t>(-1));
  Reseal(&b);
  CHECK(BatchView::Parse(b).status().code() == absl::StatusCode::kInvalidArgument);

  b = Valid();
  internal::StoreBigEndian32(b.data() + bf::kLastOffsetDeltaOffset, static_cast<uint32_t>(-1));
  Reseal(&b);
  CHECK(BatchView::Parse(b).status().code() == absl::StatusCode::kInvalidArgument);

  b = Valid();
  internal::StoreBigEndian64(b.data() + bf::kBaseOffsetOffset, INT64_MAX - 5);
  CHECK(BatchView::Parse(b).status().code() == absl::StatusCode::kInvalidArgument);  // last offset overflows

  // A records count that cannot fit in the bytes is refused before any record is read.
  b = Valid();
  internal::StoreBigEndian32(b.data() + bf::kRecordsCountOffset, 1'000'000'000);
  internal::StoreBigEndian32(b.data() + bf::kLastOffsetDeltaOffset, 1'000'000'000);
  Reseal(&b);
  CHECK(BatchView::Parse(b).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("RecordCountMismatchIsInvalidArgument", "[corruption]") {
  const std::string one = Record(0, V(-1) + V(-1) + V(0));
  const std::string two = one + Record(1, V(-1) + V(-1) + V(0));
  CHECK(DecodeStatus(RawBatch(two, 2, 1)).ok());
  ExpectInvalid(RawBatch(one + std::string(7, '\0'), 2, 1), "");          // fewer records than declared
  ExpectInvalid(RawBatch(two, 1, 1), "bytes left after the last of 1");   // more records than declared
  ExpectInvalid(RawBatch(one + one, 2, 1), "offset delta 0");             // repeated offset
  ExpectInvalid(RawBatch(Record(3, V(-1) + V(-1) + V(0)), 1, 1), "offset delta 3");  // beyond last delta
}

TEST_CASE("TruncatedAndOverlongVarintsAreInvalidArgument", "[corruption]") {
  // Record length varint with five continuation bytes.
  ExpectInvalid(RawBatch(std::string("\x80\x80\x80\x80\x80\x01\x00", 7), 1, 0), "longer than 5 bytes");
  // Offset delta overlong inside the body.
  std::string body = std::string(1, '\0') + V(0) + std::string("\xff\xff\xff\xff\xff\x01", 6) + V(-1) + V(-1) + V(0);
  ExpectInvalid(RawBatch(V(static_cast<int32_t>(body.size())) + body, 1, 0), "offset delta");
  // Timestamp delta truncated at the end of the body.
  std::string cut = std::string(1, '\0') + std::string("\x80\x80", 2);
  ExpectInvalid(RawBatch(V(static_cast<int32_t>(cut.size())) + cut + std::string(6, '\0'), 1, 0), "timestamp");
  // Record length varint truncated at the end of the records area.
  ExpectInvalid(RawBatch(std::string(6, '\0') + "\x80", 1, 0), "");
}

TEST_CASE("NegativeAndOversizedLengthsAreInvalidArgument", "[corruption]") {
  ExpectInvalid(RawBatch(Record(0, V(-5) + V(-1) + V(0)), 1, 0), "key negative length");
  ExpectInvalid(RawBatch(Record(0, V(-1) + V(-2) + V(0)), 1, 0), "value negative length");
  // The message names the field's byte (61 header + 1 length + 1 attributes + 1 + 1 deltas = 65).
  ExpectInvalid(RawBatch(Record(0, V(100) + "abc" + V(-1) + V(0)), 1, 0),
                "record 0 at byte 65: key length 100 runs past the end of the record (5 bytes left)");
  ExpectInvalid(RawBatch(Record(0, V(-1) + V(1 << 30) + V(0)), 1, 0),
                "record 0 at byte 66: value length 1073741824 runs past the end of the record (1 bytes left)");
  // Record length larger than the records area, and a negative record length.
  ExpectInvalid(RawBatch(V(1000) + std::string(10, '\0'), 1, 0), "runs past the end");
  ExpectInvalid(RawBatch(V(-3) + std::string(10, '\0'), 1, 0), "negative record length");
  // Record length shorter than its fields, and longer (unread bytes).
  std::string body = std::string(1, '\0') + V(0) + V(0) + V(-1) + V(-1) + V(0);
  ExpectInvalid(RawBatch(V(static_cast<int32_t>(body.size() - 2)) + body + std::string(5, '\0'), 1, 0), "");
  ExpectInvalid(RawBatch(V(static_cast<int32_t>(body.size() + 2)) + body + "xx", 1, 0), "bytes unread");
}

TEST_CASE("HeaderCountLargerThanRemainingBytesIsInvalidArgument", "[corruption]") {
  ExpectInvalid(RawBatch(Record(0, V(-1) + V(-1) + V(1000000)), 1, 0), "header count 1000000 exceeds");
  ExpectInvalid(RawBatch(Record(0, V(-1) + V(-1) + V(-1)), 1, 0), "negative header count");
  ExpectInvalid(RawBatch(Record(0, V(-1) + V(-1) + V(1) + V(-1) + V(-1)), 1, 0), "header 0 key negative length");
  ExpectInvalid(RawBatch(Record(0, V(-1) + V(-1) + V(1) + V(1) + "k" + V(9) + "v"), 1, 0), "header 0 value");
}

TEST_CASE("CorruptCompressedPayloadsAreInvalidArgument", "[corruption]") {
  for (auto codec : {CompressionType::kGzip, CompressionType::kSnappy, CompressionType::kLz4, CompressionType::kZstd}) {
    INFO(CompressionTypeName(codec));
    const std::string good = Valid(codec);
    REQUIRE(DecodeStatus(good).ok());
    // Cut the compressed area short (and reseal): the stream, or the record count, must catch it.
    for (size_t keep : {size_t{1}, size_t{8}, (good.size() - bf::kHeaderSize) / 2, good.size() - bf::kHeaderSize - 1}) {
      std::string b = good.substr(0, bf::kHeaderSize + keep);
      Reseal(&b);
      absl::Status s = DecodeStatus(b);
      INFO("kept " << keep << " compressed bytes: " << s.ToString());
      CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    }
    // Garbage instead of a compressed stream.
    std::string b = good.substr(0, bf::kHeaderSize) + std::string(64, '\x5a');
    Reseal(&b);
    ExpectInvalid(b, "");
    // Random flips inside the compressed area: an error or, where the codec has no checksum of its own,
    // records that still parse; never a crash (ASan/UBSan builds run this too).
    std::mt19937_64 rng(99);
    for (int i = 0; i < 300; ++i) {
      std::string f = good;
      f[bf::kHeaderSize + rng() % (f.size() - bf::kHeaderSize)] ^= static_cast<char>(1 + rng() % 255);
      Reseal(&f);
      absl::Status s = DecodeStatus(f);
      if (!s.ok()) CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST_CASE("RandomSurgeryOnRecordsNeverCrashes", "[corruption]") {
  const std::string good = Valid();
  std::mt19937_64 rng(2024);
  int rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string b = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) {
      b[bf::kRecordsOffset + rng() % (b.size() - bf::kRecordsOffset)] = static_cast<char>(rng());
    }
    Reseal(&b);
    absl::Status s = DecodeStatus(b);
    if (!s.ok()) {
      CHECK(s.code() == absl::StatusCode::kInvalidArgument);
      ++rejected;
    }
  }
  CHECK(rejected > 0);
}

TEST_CASE("ManyTinyHeadersCostNoMemoryPerHeader", "[corruption]") {
  // 2-byte headers (empty key, null value) are legal; RecordHeaders decodes them lazily, so a record with
  // a million of them needs no per-header storage.
  const int32_t n = 1'000'000;
  std::string headers;
  for (int32_t i = 0; i < n; ++i) headers += V(0) + V(-1);
  const std::string bytes = RawBatch(Record(0, V(-1) + V(-1) + V(n) + headers), 1, 0);
  auto batch = BatchView::Parse(bytes);
  REQUIRE(batch.ok());
  RecordReader reader;
  REQUIRE(reader.Reset(*batch).ok());
  RecordView r;
  REQUIRE(reader.Next(&r));
  CHECK(r.headers.size() == static_cast<size_t>(n));
  size_t seen = 0;
  for (const RecordHeader& h : r.headers) {
    CHECK(h.key.empty());
    CHECK_FALSE(h.value.has_value());
    ++seen;
  }
  CHECK(seen == static_cast<size_t>(n));
  CHECK_FALSE(reader.Next(&r));
  CHECK(reader.status().ok());
}

TEST_CASE("MagicIsReportedBeforeLengthProblems", "[corruption]") {
  std::string b = Valid();
  b[bf::kMagicOffset] = 1;
  internal::StoreBigEndian32(b.data() + bf::kLengthOffset, 3);  // also a bad length
  absl::Status s = BatchView::Parse(b).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(s.message()).find("magic is 1, expected 2") != std::string::npos);
}

TEST_CASE("EmptyCompressedBatchIsNotDecompressed", "[corruption]") {
  // Compaction can leave a batch of no records; like Kafka, its (absent) payload is never decompressed.
  std::string b = RawBatch("", 0, 5);
  b[bf::kAttributesOffset + 1] = static_cast<char>(CompressionType::kZstd);
  Reseal(&b);
  auto decoded = test::DecodeBatch(b);
  REQUIRE(decoded.ok());
  CHECK(decoded->empty());
}

}  // namespace
}  // namespace seglog

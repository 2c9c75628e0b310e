// BatchBuilder writes Kafka's exact bytes and every header field; records round-trip through RecordReader.
#include "seglog/batch_builder.h"
#include "absl/strings/str_cat.h"

#include <catch2/catch.hpp>
#include <string>

#include "seglog/batch_view.h"
#include "support/test_util.h"

namespace seglog {
namespace {

using test::OwnedRecord;

TEST_CASE("SingleRecordBatchIsByteIdenticalToKafkaPython", "[builder]") {
  // kafka-python's DefaultRecordBatchBuilder (an independent implementation) wrote these bytes for the same
  // record: key "k", value "v", timestamp 1700000000000, no producer, no headers. Kafka's worked size: 70 B.
  // kafka-python writes PartitionLeaderEpoch 0 where Kafka's Java producer writes -1 (outside the CRC).
  BatchBuilder builder({.partition_leader_epoch = 0});
  REQUIRE(builder.Append(1700000000000, "k", "v").ok());
  auto bytes = builder.Build();
  REQUIRE(bytes.ok());
  CHECK(bytes->size() == 70);
  CHECK(test::ToHex(*bytes) ==
        "00000000000000000000003a0000000002e99b8dd80000000000000000018bcfe568000000018bcfe56800ffffffffffffffff"
        "ffffffffffff0000000110000000026b027600");
}

TEST_CASE("TransactionalBatchWithHeadersIsByteIdenticalToKafkaPython", "[builder]") {
  BatchBuilder builder(
      {.producer_id = 1000, .producer_epoch = 3, .base_sequence = 7, .transactional = true, .partition_leader_epoch = 0});
  const RecordHeader headers[] = {{"h1", "x"}, {"h2", std::nullopt}};
  REQUIRE(builder.Append(1700000000000, std::nullopt, "hello", headers).ok());
  REQUIRE(builder.Append(1700000000005, "key", std::nullopt).ok());
  auto bytes = builder.Build();
  REQUIRE(bytes.ok());
  CHECK(test::ToHex(*bytes) ==
        "0000000000000000000000500000000002facc04fc0010000000010000018bcfe568000000018bcfe5680500000000000003e8"
        "0003000000070000000228000000010a68656c6c6f0404683102780468320112000a02066b65790100");
}

TEST_CASE("HeaderFieldsAreWritten", "[builder]") {
  BatchBuilder builder({.base_offset = 100,
                        .compression = CompressionType::kZstd,
                        .producer_id = 42,
                        .producer_epoch = 2,
                        .base_sequence = INT32_MAX - 1,
                        .transactional = true,
                        .partition_leader_epoch = 9});
  REQUIRE(builder.Append(5000, "a", "1").ok());
  REQUIRE(builder.Append(4000, "b", "2").ok());
  REQUIRE(builder.Append(6000, "c", "3").ok());
  auto bytes = builder.Build();
  REQUIRE(bytes.ok());
  auto batch = BatchView::Parse(*bytes);
  REQUIRE(batch.ok());
  const BatchHeader& h = batch->header();
  CHECK(h.base_offset == 100);
  CHECK(h.last_offset() == 102);
  CHECK(h.records_count == 3);
  CHECK(h.partition_leader_epoch == 9);
  CHECK(h.compression() == CompressionType::kZstd);
  CHECK(h.timestamp_type() == TimestampType::kCreateTime);
  CHECK(h.base_timestamp == 5000);
  CHECK(h.max_timestamp == 6000);
  CHECK(h.producer_id == 42);
  CHECK(h.producer_epoch == 2);
  CHECK(h.base_sequence == INT32_MAX - 1);
  CHECK(h.last_sequence() == 0);  // wraps like Kafka's incrementSequence
  CHECK(h.is_transactional());
  CHECK_FALSE(h.is_control());
  CHECK(h.size_in_bytes() == bytes->size());
}

TEST_CASE("EveryCodecRoundTripsRecords", "[builder]") {
  std::vector<OwnedRecord> records;
  for (int i = 0; i < 50; ++i) {
    OwnedRecord r;
    r.offset = 7 + i;
    r.timestamp = 1700000000000 + i * 3 - (i % 5);
    if (i % 3 != 0) r.key = absl::StrCat("key-", i);
    if (i % 7 != 0) r.value = std::string(static_cast<size_t>(i * 11), static_cast<char>('a' + i % 26));
    if (i % 2) r.headers = {{"trace", std::to_string(i)}, {"empty", ""}, {"null", std::nullopt}};
    records.push_back(r);
  }
  for (auto codec : {CompressionType::kNone, CompressionType::kGzip, CompressionType::kSnappy, CompressionType::kLz4,
                     CompressionType::kZstd}) {
    INFO(CompressionTypeName(codec));
    auto bytes = test::BuildBatch({.base_offset = 7, .compression = codec}, records);
    REQUIRE(bytes.ok());
    auto decoded = test::DecodeBatch(*bytes);
    REQUIRE(decoded.ok());
    CHECK(*decoded == records);
  }
}

TEST_CASE("RecordSizeUpperBoundCoversTheEncodedRecord", "[builder]") {
  const std::string big(200, 'v');
  const RecordHeader headers[] = {{"trace", "abc"}, {"null", std::nullopt}, {"", ""}};
  const Record records[] = {
      {},
      {.key = "k", .value = "v"},
      {.key = std::string_view(big), .value = std::string_view(big), .headers = headers},
      {.value = std::string_view(big).substr(0, 63), .headers = absl::MakeConstSpan(headers, 1)},
  };
  for (const Record& r : records) {
    // Deltas at their narrowest (0) and widest (timestamp 2^62 past the base, offset past 2^28).
    for (int64_t offset : {int64_t{0}, int64_t{1} << 30}) {
      BatchBuilder builder;
      REQUIRE(builder.AppendWithOffset(0, 0, "first", "record").ok());
      const size_t before = builder.uncompressed_size();
      REQUIRE(builder.AppendWithOffset(offset + 1, offset == 0 ? 0 : int64_t{1} << 62, r.key, r.value, r.headers)
                  .ok());
      const auto encoded = static_cast<int64_t>(builder.uncompressed_size() - before);
      INFO("encoded " << encoded << " bytes");
      CHECK(encoded <= BatchBuilder::RecordSizeUpperBound(r));
      // At the widest deltas only the length prefix differs: 5 bytes allowed, 1 or 2 used here.
      if (offset != 0) CHECK(BatchBuilder::RecordSizeUpperBound(r) - encoded <= 4);
    }
  }
}

TEST_CASE("RecordSizeUpperBoundIsMinusOneForRecordsKafkaCannotHold", "[builder]") {
  static const char kByte = 0;
  const std::string_view huge(&kByte, size_t{INT32_MAX} + 1);  // only its size is looked at
  CHECK(BatchBuilder::RecordSizeUpperBound({.key = huge}) == -1);
  const RecordHeader header{"h", huge};
  CHECK(BatchBuilder::RecordSizeUpperBound({.headers = absl::MakeConstSpan(&header, 1)}) == -1);
}

TEST_CASE("MaxBuiltSizeBoundsEveryCodecsBatch", "[builder]") {
  std::string value(5000, '\0');
  uint64_t x = 88172645463325252ull;
  for (char& c : value) {  // xorshift: incompressible
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  for (auto codec : {CompressionType::kNone, CompressionType::kGzip, CompressionType::kSnappy, CompressionType::kLz4,
                     CompressionType::kZstd}) {
    INFO(CompressionTypeName(codec));
    BatchBuilder builder({.compression = codec});
    for (int i = 0; i < 20; ++i) REQUIRE(builder.Append(1700000000000 + i, std::nullopt, value).ok());
    const size_t uncompressed = builder.uncompressed_size();
    auto built = builder.Build();
    REQUIRE(built.ok());
    CHECK(built->size() <= BatchBuilder::MaxBuiltSize(codec, uncompressed));
  }
  CHECK(BatchBuilder::MaxBuiltSize(CompressionType::kNone, 1000) == 1000);
}

TEST_CASE("LogAppendTimeStampsEveryRecord", "[builder]") {
  BatchBuilder builder({.timestamp_type = TimestampType::kLogAppendTime, .log_append_time = 99999});
  REQUIRE(builder.Append(1, "a", "b").ok());
  REQUIRE(builder.Append(2, "c", "d").ok());
  auto bytes = builder.Build();
  REQUIRE(bytes.ok());
  auto decoded = test::DecodeBatch(*bytes);
  REQUIRE(decoded.ok());
  for (const OwnedRecord& r : *decoded) CHECK(r.timestamp == 99999);
  CHECK(BatchView::Parse(*bytes)->header().timestamp_type() == TimestampType::kLogAppendTime);
}

TEST_CASE("ExplicitOffsetsMayHaveGaps", "[builder]") {
  BatchBuilder builder({.base_offset = 10});
  REQUIRE(builder.AppendWithOffset(10, 1, "a", "1").ok());
  REQUIRE(builder.AppendWithOffset(15, 1, "b", "2").ok());
  CHECK(builder.AppendWithOffset(15, 1, "c", "3").code() == absl::StatusCode::kInvalidArgument);
  CHECK(builder.AppendWithOffset(10 + (int64_t{1} << 31), 1, "c", "3").code() ==
        absl::StatusCode::kInvalidArgument);
  auto bytes = builder.Build();
  REQUIRE(bytes.ok());
  auto batch = BatchView::Parse(*bytes);
  REQUIRE(batch.ok());
  CHECK(batch->last_offset() == 15);
  auto decoded = test::DecodeBatch(*bytes);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->size() == 2);
  CHECK((*decoded)[1].offset == 15);
}

TEST_CASE("ControlBatchFlagIsWritten", "[builder]") {
  BatchBuilder builder({.producer_id = 5, .producer_epoch = 0, .transactional = true, .control = true});
  const std::string commit_key("\x00\x00\x00\x01", 4);  // version 0, type COMMIT
  REQUIRE(builder.Append(1, commit_key, std::string("\x00\x00\x00\x00\x00\x00", 6)).ok());
  auto bytes = builder.Build();
  REQUIRE(bytes.ok());
  CHECK(BatchView::Parse(*bytes)->header().is_control());
}

TEST_CASE("BuildWithoutRecordsFailsAndAppendAfterBuildFails", "[builder]") {
  BatchBuilder builder;
  CHECK(builder.Build().status().code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(builder.Append(1, "k", "v").ok());
  auto first = builder.Build();
  REQUIRE(first.ok());
  CHECK(builder.Append(1, "k", "v").code() == absl::StatusCode::kFailedPrecondition);
  auto again = builder.Build();
  REQUIRE(again.ok());
  CHECK(*again == *first);
}

// Found by seglog_fuzz_record_batch (re-encoding a parsed batch whose base offset was INT64_MIN): Reset
// computed base offset - 1 and overflowed. A negative base offset is refused by every append.
TEST_CASE("NegativeBaseOffsetsAreRefusedWithoutOverflow", "[builder]") {
  for (const int64_t base : {INT64_MIN, int64_t{-1}}) {
    BatchBuilder builder({.base_offset = base});
    auto appended = builder.Append(1, "k", "v");
    REQUIRE_CODE(appended, absl::StatusCode::kInvalidArgument);
    CHECK(std::string(appended.message()).find("negative base offset") != std::string::npos);
    const Record r{.value = "v"};
    REQUIRE_CODE(builder.AppendRecords({&r, 1}, 1), absl::StatusCode::kInvalidArgument);
    REQUIRE_CODE(builder.AppendWithOffset(0, 1, "k", "v"), absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("ResetStartsAFreshBatchReusingBuffers", "[builder]") {
  BatchBuilder builder({.compression = CompressionType::kLz4});
  for (int round = 0; round < 3; ++round) {
    builder.Reset({.base_offset = round * 100, .compression = CompressionType::kLz4});
    CHECK(builder.empty());
    for (int i = 0; i < 10; ++i) REQUIRE(builder.Append(i, std::nullopt, "value").ok());
    CHECK(builder.num_records() == 10);
    CHECK(builder.uncompressed_size() > batch_format::kHeaderSize);
    auto bytes = builder.Build();
    REQUIRE(bytes.ok());
    auto decoded = test::DecodeBatch(*bytes);
    REQUIRE(decoded.ok());
    REQUIRE(decoded->size() == 10);
    CHECK(decoded->front().offset == round * 100);
  }
}

TEST_CASE("BaseOffsetAndLeaderEpochRewritesKeepTheCrcValid", "[builder]") {
  BatchBuilder builder;
  REQUIRE(builder.Append(1, "k", "v").ok());
  std::string bytes(*builder.Build());
  SetBaseOffset(bytes.data(), 123456);
  SetPartitionLeaderEpoch(bytes.data(), 77);
  auto batch = BatchView::Parse(bytes);
  REQUIRE(batch.ok());
  CHECK(batch->base_offset() == 123456);
  CHECK(batch->header().partition_leader_epoch == 77);
}

TEST_CASE("InvalidProducerStateIsRejectedAsKafkaDoes", "[builder]") {
  auto build = [](const BatchBuilderOptions& options) {
    BatchBuilder builder(options);
    absl::Status s = builder.Append(1, "k", "v");
    return s.ok() ? builder.Build().status() : s;
  };
  CHECK(build({.transactional = true}).code() == absl::StatusCode::kInvalidArgument);  // no producer id
  CHECK(build({.producer_id = 7}).code() == absl::StatusCode::kInvalidArgument);       // no epoch
  CHECK(build({.producer_id = 7, .producer_epoch = 1}).code() == absl::StatusCode::kInvalidArgument);  // no seq
  CHECK(build({.producer_id = 7, .producer_epoch = 1, .base_sequence = 0}).ok());
  CHECK(build({.timestamp_type = TimestampType::kLogAppendTime}).code() == absl::StatusCode::kInvalidArgument);
  CHECK(build({.base_offset = -1}).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("NegativeTimestampsOtherThanNoTimestampAreRejected", "[builder]") {
  BatchBuilder builder;
  CHECK(builder.Append(-5, "k", "v").code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(builder.Append(-1, "k", "v").ok());  // NO_TIMESTAMP is allowed
  REQUIRE(builder.Append(10, "k", "v").ok());
  auto batch = BatchView::Parse(*builder.Build());
  REQUIRE(batch.ok());
  CHECK(batch->header().base_timestamp == -1);
  CHECK(batch->header().max_timestamp == 10);
}

}  // namespace
}  // namespace seglog

// BatchBuilder::AppendRecords: the same bytes as Append of each record in turn, all or nothing on bad input.
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "seglog/batch_builder.h"
#include "seglog/batch_view.h"

namespace seglog {
namespace {

std::string BuildOneByOne(const BatchBuilderOptions& options, const std::vector<Record>& records, int64_t now) {
  BatchBuilder builder(options);
  for (const Record& r : records) {
    REQUIRE(builder.Append(r.timestamp < 0 ? now : r.timestamp, r.key, r.value, r.headers).ok());
  }
  auto bytes = builder.Build();
  REQUIRE(bytes.ok());
  return std::string(*bytes);
}

std::string BuildInBulk(const BatchBuilderOptions& options, const std::vector<Record>& records, int64_t now,
                        size_t split) {
  BatchBuilder builder(options);
  const absl::Span<const Record> all(records);
  REQUIRE(builder.AppendRecords(all.subspan(0, split), now).ok());
  REQUIRE(builder.AppendRecords(all.subspan(split), now).ok());
  REQUIRE(builder.num_records() == static_cast<int32_t>(records.size()));
  auto bytes = builder.Build();
  REQUIRE(bytes.ok());
  return std::string(*bytes);
}

TEST_CASE("AppendRecords writes the bytes Append writes, in one call or several", "[builder]") {
  const std::string big(300, 'v');  // a two-byte length varint
  const RecordHeader headers[] = {{"trace", "abc"}, {"empty", std::nullopt}};
  const std::vector<Record> records = {
      {.key = "k0", .value = "v0", .timestamp = 1000},
      {.key = std::nullopt, .value = big, .timestamp = -1},  // "now"
      {.key = "", .value = std::nullopt, .timestamp = 900, .headers = headers},
      {.key = "k3", .value = "", .timestamp = 5000},
  };
  for (CompressionType codec : {CompressionType::kNone, CompressionType::kLz4}) {
    for (int64_t base_offset : {0, 77}) {
      const BatchBuilderOptions options{.base_offset = base_offset, .compression = codec};
      const std::string expected = BuildOneByOne(options, records, 2000);
      for (size_t split = 0; split <= records.size(); ++split) {
        INFO("codec " << static_cast<int>(codec) << ", base offset " << base_offset << ", split " << split);
        CHECK(BuildInBulk(options, records, 2000, split) == expected);
      }
    }
  }
}

TEST_CASE("AppendRecords after Append continues the offsets and the base timestamp", "[builder]") {
  const std::vector<Record> rest = {{.key = "b", .value = "2", .timestamp = 20}, {.value = "3", .timestamp = -1}};
  BatchBuilder bulk({.base_offset = 10});
  REQUIRE(bulk.Append(5, "a", "1").ok());
  REQUIRE(bulk.AppendRecords(rest, 30).ok());
  BatchBuilder one({.base_offset = 10});
  REQUIRE(one.Append(5, "a", "1").ok());
  REQUIRE(one.Append(20, "b", "2").ok());
  REQUIRE(one.Append(30, std::nullopt, "3").ok());
  CHECK(*bulk.Build() == *one.Build());
  auto batch = BatchView::Parse(*bulk.Build());
  REQUIRE(batch.ok());
  CHECK(batch->header().base_timestamp == 5);
  CHECK(batch->header().max_timestamp == 30);
  CHECK(batch->last_offset() == 12);
}

TEST_CASE("AppendRecords adds nothing when any record is invalid", "[builder]") {
  BatchBuilder builder;
  REQUIRE(builder.Append(1, "k", "v").ok());
  const size_t size_before = builder.uncompressed_size();
  std::vector<Record> records(3, Record{.key = "k", .value = "v", .timestamp = 2});
  records[2].timestamp = -1;
  // A bad default timestamp (used by the last record) fails the whole call.
  CHECK(builder.AppendRecords(records, -7).code() == absl::StatusCode::kInvalidArgument);
  // A header key longer than Kafka's int32 length, in the last record: the earlier ones are not added either.
  const std::string_view huge_key(records[0].key->data(), size_t{1} << 31);  // never read: the size is checked first
  const RecordHeader bad_header[] = {{huge_key, "v"}};
  records[2].headers = bad_header;
  CHECK(builder.AppendRecords(records, 2).code() == absl::StatusCode::kInvalidArgument);
  CHECK(builder.num_records() == 1);
  CHECK(builder.uncompressed_size() == size_before);
  CHECK(builder.AppendRecords({}, 2).ok());  // nothing to add
  CHECK(builder.num_records() == 1);
  REQUIRE(builder.Build().ok());
  CHECK(builder.AppendRecords(records, 2).code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("AppendRecords refuses offsets more than 2^31-1 past the base offset", "[builder]") {
  BatchBuilder builder;
  REQUIRE(builder.AppendWithOffset(INT32_MAX - 1, 1, "k", "v").ok());
  const std::vector<Record> two(2, Record{.value = "v", .timestamp = 1});
  CHECK(builder.AppendRecords(two, 1).code() == absl::StatusCode::kInvalidArgument);
  CHECK(builder.AppendRecords(absl::MakeConstSpan(two).subspan(1), 1).ok());  // offset INT32_MAX exactly
  CHECK(builder.num_records() == 2);
}

}  // namespace
}  // namespace seglog

// BatchView validates whole batches in place; RecordReader walks records; logs of many batches scan cleanly.
#include "seglog/batch_view.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "seglog/batch_builder.h"
#include "support/test_util.h"

namespace seglog {
namespace {

std::string MakeBatch(int64_t base_offset, int n, CompressionType codec = CompressionType::kNone) {
  BatchBuilder builder({.base_offset = base_offset, .compression = codec});
  for (int i = 0; i < n; ++i) {
    REQUIRE(builder.Append(1000 + i, absl::StrCat("k", i), absl::StrCat("value-", i)).ok());
  }
  return std::string(*builder.Build());
}

TEST_CASE("ParseTakesExactlyOneBatchFromALongerBuffer", "[view]") {
  const std::string a = MakeBatch(0, 3);
  const std::string b = MakeBatch(3, 2, CompressionType::kGzip);
  const std::string log = a + b;
  auto first = BatchView::Parse(log);
  REQUIRE(first.ok());
  CHECK(first->size_in_bytes() == a.size());
  CHECK(first->data() == a);
  auto second = BatchView::Parse(std::string_view(log).substr(first->size_in_bytes()));
  REQUIRE(second.ok());
  CHECK(second->base_offset() == 3);
  CHECK(second->compression() == CompressionType::kGzip);
  auto decoded = test::DecodeLog(log);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->size() == 2);
  CHECK((*decoded)[1].position == a.size());
  CHECK((*decoded)[1].records.back().offset == 4);
}

TEST_CASE("RecordViewsPointIntoUncompressedBatches", "[view]") {
  const std::string bytes = MakeBatch(0, 2);
  auto batch = BatchView::Parse(bytes);
  REQUIRE(batch.ok());
  RecordReader reader;
  REQUIRE(reader.Reset(*batch).ok());
  RecordView r;
  REQUIRE(reader.Next(&r));
  REQUIRE(r.value.has_value());
  CHECK(r.value->data() >= bytes.data());
  CHECK(r.value->data() < bytes.data() + bytes.size());
  REQUIRE(reader.Next(&r));
  CHECK_FALSE(reader.Next(&r));
  CHECK(reader.status().ok());
}

TEST_CASE("ReaderIsReusableAcrossBatches", "[view]") {
  RecordReader reader;
  for (auto codec : {CompressionType::kNone, CompressionType::kZstd, CompressionType::kNone, CompressionType::kSnappy}) {
    const std::string bytes = MakeBatch(10, 5, codec);
    auto batch = BatchView::Parse(bytes);
    REQUIRE(batch.ok());
    REQUIRE(reader.Reset(*batch).ok());
    int n = 0;
    RecordView r;
    while (reader.Next(&r)) CHECK(r.offset == 10 + n++);
    CHECK(reader.status().ok());
    CHECK(n == 5);
  }
}

TEST_CASE("NextBeforeResetFails", "[view]") {
  RecordReader reader;
  RecordView r;
  CHECK_FALSE(reader.Next(&r));
  CHECK(reader.status().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("ParseWithoutCrcSkipsOnlyTheChecksum", "[view]") {
  std::string bytes = MakeBatch(0, 2);
  bytes[bytes.size() - 1] ^= 1;
  CHECK(BatchView::Parse(bytes).status().code() == absl::StatusCode::kDataLoss);
  CHECK(BatchView::ParseWithoutCrc(bytes).ok());
  bytes[batch_format::kMagicOffset] = 1;
  CHECK(BatchView::ParseWithoutCrc(bytes).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("DecodeLimitAppliesToCompressedBatches", "[view]") {
  BatchBuilder builder({.compression = CompressionType::kZstd});
  REQUIRE(builder.Append(1, std::nullopt, std::string(2 * 1024 * 1024, 'z')).ok());
  const std::string bytes(*builder.Build());
  CHECK(bytes.size() < 4096);
  auto batch = BatchView::Parse(bytes);
  REQUIRE(batch.ok());
  RecordReader limited(DecodeOptions{.max_uncompressed_bytes = 1024 * 1024});
  absl::Status s = limited.Reset(*batch);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(s.message()).find("batch at offset 0") != std::string::npos);
  RecordReader normal;
  CHECK(normal.Reset(*batch).ok());
}

}  // namespace
}  // namespace seglog

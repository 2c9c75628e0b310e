// Conformance with bytes written by others: kafka-python's batches (every codec, producer ids, sequences,
// transactions, headers, nulls, a 100 KB value) and segments written by Apache Kafka itself.
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "seglog/batch_view.h"
#include "support/test_util.h"

namespace seglog {
namespace {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), digest, &n, EVP_sha256(), nullptr) == 1);
  return test::ToHex(std::string_view(reinterpret_cast<const char*>(digest), n));
}

TEST_CASE("KafkaPythonBatchesDecodeExactlyAsExpected", "[testdata]") {
  const std::string log = test::ReadGeneratedTestdata("kafka-python/codecs-0/00000000000000000000.log");
  auto batches = test::DecodeLog(log);
  REQUIRE(batches.ok());
  CHECK(batches->size() == 10);

  std::istringstream expected_lines(test::ReadGeneratedTestdata("kafka-python/codecs-0/expected.jsonl"));
  std::vector<nlohmann::json> expected;
  for (std::string line; std::getline(expected_lines, line);) {
    if (!line.empty()) expected.push_back(nlohmann::json::parse(line));
  }
  REQUIRE(expected.size() == 70);

  size_t i = 0;
  std::map<std::string, int> codecs_seen;
  for (const test::DecodedBatch& batch : *batches) {
    for (const test::OwnedRecord& r : batch.records) {
      REQUIRE(i < expected.size());
      const nlohmann::json& e = expected[i++];
      INFO("record at offset " << r.offset << ": expected " << e.dump());
      CHECK(r.offset == e["offset"].get<int64_t>());
      CHECK(r.timestamp == e["timestamp"].get<int64_t>());
      CHECK(std::string(CompressionTypeName(batch.header.compression())) == e["codec"].get<std::string>());
      CHECK(batch.header.producer_id == e["producer_id"].get<int64_t>());
      CHECK(batch.header.producer_epoch == e["producer_epoch"].get<int>());
      const int64_t sequence = batch.header.base_sequence < 0
                                   ? -1
                                   : batch.header.base_sequence + (r.offset - batch.header.base_offset);
      CHECK(sequence == e["sequence"].get<int64_t>());
      CHECK(batch.header.is_transactional() == e["transactional"].get<bool>());
      if (e["key"].is_null()) {
        CHECK_FALSE(r.key.has_value());
      } else {
        REQUIRE(r.key.has_value());
        CHECK(test::ToHex(*r.key) == e["key"].get<std::string>());
      }
      if (e["value_len"].is_null()) {
        CHECK_FALSE(r.value.has_value());
      } else {
        REQUIRE(r.value.has_value());
        CHECK(r.value->size() == e["value_len"].get<size_t>());
        CHECK(Sha256Hex(*r.value) == e["value_sha256"].get<std::string>());
      }
      REQUIRE(r.headers.size() == e["headers"].size());
      for (size_t h = 0; h < r.headers.size(); ++h) {
        CHECK(r.headers[h].first == e["headers"][h][0].get<std::string>());
        REQUIRE(r.headers[h].second.has_value());
        CHECK(test::ToHex(*r.headers[h].second) == e["headers"][h][1].get<std::string>());
      }
      ++codecs_seen[e["codec"].get<std::string>()];
    }
  }
  CHECK(i == expected.size());
  CHECK(codecs_seen.size() == 5);
}

struct PartitionCounts {
  const char* dir;
  size_t batches;
  size_t records;
  int64_t last_offset;
};

TEST_CASE("ApacheKafkaSegmentsValidateWithTheDocumentedCounts", "[testdata]") {
  for (const PartitionCounts& p : {PartitionCounts{"TestTopicPatient-0", 3, 3, 2},
                                   PartitionCounts{"__cluster_metadata-0", 4814, 4929, 4928}}) {
    INFO(p.dir);
    const std::string log = test::ReadTestdata(std::string("kafka/real/") + p.dir + "/00000000000000000000.log");
    auto batches = test::DecodeLog(log);
    REQUIRE(batches.ok());
    size_t records = 0;
    size_t control = 0;
    int64_t next = 0;
    for (const test::DecodedBatch& b : *batches) {
      CHECK(b.header.magic == 2);
      CHECK(b.header.base_offset == next);  // contiguous offsets
      next = b.header.last_offset() + 1;
      records += b.records.size();
      control += b.header.is_control() ? 1 : 0;
    }
    CHECK(batches->size() == p.batches);
    CHECK(records == p.records);
    CHECK(batches->back().header.last_offset() == p.last_offset);
    if (std::string(p.dir) == "__cluster_metadata-0") CHECK(control == 1);
  }
}

}  // namespace
}  // namespace seglog

// Writes batches encoded by seglog (every codec, with and without keys, headers, nulls, producer ids,
// transactions, LogAppendTime) to DIR/seglog.log and what they hold to DIR/expected.json, for
// crosscheck.py to decode with kafka-python's independent decoder.
//
// Usage: seglog_encode_fixtures DIR
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "seglog/batch_builder.h"
#include "support/test_util.h"

namespace {

using seglog::BatchBuilderOptions;
using seglog::CompressionType;
using seglog::test::OwnedRecord;

struct Variant {
  const char* name;
  bool keys;
  bool headers;
  bool nulls;
  int64_t producer_id;
  bool transactional;
  bool log_append_time;
};

nlohmann::json Hex(const std::optional<std::string>& s) {
  return s ? nlohmann::json(seglog::test::ToHex(*s)) : nlohmann::json(nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const Variant variants[] = {
      {"plain", true, false, false, -1, false, false},
      {"no-keys", false, false, false, -1, false, false},
      {"headers-and-nulls", true, true, true, -1, false, false},
      {"idempotent", true, true, false, 77, false, false},
      {"transactional", true, false, true, 78, true, false},
      {"log-append-time", false, true, false, -1, false, true},
  };
  std::string log;
  nlohmann::json expected = nlohmann::json::array();
  int64_t offset = 0;
  int32_t sequence = 0;
  for (auto codec : {CompressionType::kNone, CompressionType::kGzip, CompressionType::kSnappy, CompressionType::kLz4,
                     CompressionType::kZstd}) {
    for (const Variant& v : variants) {
      std::vector<OwnedRecord> records;
      const int n = v.log_append_time ? 3 : 12;
      for (int i = 0; i < n; ++i) {
        OwnedRecord r;
        r.offset = offset + i;
        r.timestamp = 1700000000000 + offset * 10 + i;
        if (v.keys && !(v.nulls && i % 4 == 0)) r.key = absl::StrCat("key-", offset + i);
        if (!(v.nulls && i % 3 == 1)) r.value = std::string(static_cast<size_t>(i * 37 % 300), 'a' + i % 26);
        if (v.headers) r.headers = {{"trace", std::to_string(i)}, {"empty", ""}, {"nullvalue", std::nullopt}};
        records.push_back(r);
      }
      BatchBuilderOptions options{.base_offset = offset, .compression = codec};
      if (v.producer_id >= 0) {
        options.producer_id = v.producer_id;
        options.producer_epoch = 4;
        options.base_sequence = sequence;
      }
      options.transactional = v.transactional;
      if (v.log_append_time) {
        options.timestamp_type = seglog::TimestampType::kLogAppendTime;
        options.log_append_time = 1800000000000;
        for (OwnedRecord& r : records) r.timestamp = options.log_append_time;
      }
      auto bytes = seglog::test::BuildBatch(options, records);
      if (!bytes.ok()) {
        std::fprintf(stderr, "encode failed: %s\n", bytes.status().ToString().c_str());
        return 1;
      }
      log += *bytes;
      nlohmann::json batch = {{"name", std::string(seglog::CompressionTypeName(codec)) + "/" + v.name},
                              {"codec", static_cast<int>(codec)},
                              {"base_offset", offset},
                              {"producer_id", options.producer_id},
                              {"producer_epoch", options.producer_epoch},
                              {"base_sequence", options.base_sequence},
                              {"transactional", v.transactional},
                              {"timestamp_type", v.log_append_time ? 1 : 0},
                              {"last_offset_delta", n - 1},
                              {"max_timestamp", records.back().timestamp},
                              {"records", nlohmann::json::array()}};
      for (const OwnedRecord& r : records) {
        nlohmann::json headers = nlohmann::json::array();
        for (const auto& [k, val] : r.headers) headers.push_back({k, Hex(val)});
        batch["records"].push_back({{"offset", r.offset},
                                    {"timestamp", r.timestamp},
                                    {"key", Hex(r.key)},
                                    {"value", Hex(r.value)},
                                    {"headers", headers}});
      }
      expected.push_back(batch);
      offset += n;
      if (v.producer_id >= 0) sequence += n;
    }
  }
  std::ofstream(dir + "/seglog.log", std::ios::binary) << log;
  std::ofstream(dir + "/expected.json") << expected.dump(1);
  std::printf("wrote %zu batches, %lld records, %zu bytes to %s\n", expected.size(),
              static_cast<long long>(offset), log.size(), dir.c_str());
  return 0;
}

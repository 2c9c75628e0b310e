// TopicConfig: Kafka's keys and defaults, validation with clear errors, round trips and the PartitionConfig.
#include <catch2/catch.hpp>

#include <string>

#include "seglog/topic_config.h"
#include "support/test_util.h"

namespace seglog {
namespace {

TEST_CASE("TopicConfig defaults are Kafka's and every key round-trips through ToMap", "[topic_config]") {
  const TopicConfig defaults;
  const ConfigMap map = defaults.ToMap();
  REQUIRE(map.at("cleanup.policy") == "delete");
  REQUIRE(map.at("compression.type") == "producer");
  REQUIRE(map.at("flush.messages") == "9223372036854775807");
  REQUIRE(map.at("flush.ms") == "9223372036854775807");
  REQUIRE(map.at("index.interval.bytes") == "4096");
  REQUIRE(map.at("max.message.bytes") == "1048588");
  REQUIRE(map.at("message.timestamp.type") == "CreateTime");
  REQUIRE(map.at("retention.bytes") == "-1");
  REQUIRE(map.at("retention.ms") == "604800000");
  REQUIRE(map.at("segment.bytes") == "1073741824");
  REQUIRE(map.at("segment.index.bytes") == "10485760");
  REQUIRE(map.at("segment.jitter.ms") == "0");
  REQUIRE(map.at("segment.ms") == "604800000");
  REQUIRE(map.size() == TopicConfig::Keys().size());
  REQUIRE(std::is_sorted(TopicConfig::Keys().begin(), TopicConfig::Keys().end()));
  REQUIRE(defaults.NonDefaults().empty());
  absl::StatusOr<TopicConfig> back = TopicConfig::FromMap(map);
  REQUIRE_OK(back);
  REQUIRE(*back == defaults);
}

TEST_CASE("TopicConfig applies changes over a base and reports only non-defaults", "[topic_config]") {
  TopicConfig base;
  base.retention_ms = 1000;
  absl::StatusOr<TopicConfig> c = TopicConfig::FromMap(
      {{"segment.bytes", "1048576"}, {"compression.type", "zstd"}, {"message.timestamp.type", "LogAppendTime"}},
      base);
  REQUIRE_OK(c);
  REQUIRE(c->retention_ms == 1000);
  REQUIRE(c->segment_bytes == 1048576);
  REQUIRE(c->compression == CompressionType::kZstd);
  REQUIRE(c->timestamp_type == TimestampType::kLogAppendTime);
  REQUIRE(c->NonDefaults() == ConfigMap{{"compression.type", "zstd"},
                                        {"message.timestamp.type", "LogAppendTime"},
                                        {"retention.ms", "1000"},
                                        {"segment.bytes", "1048576"}});
  absl::StatusOr<TopicConfig> again = TopicConfig::FromMap(c->NonDefaults());
  REQUIRE_OK(again);
  REQUIRE(*again == *c);
}

TEST_CASE("compression.type accepts producer, uncompressed, none and every codec", "[topic_config]") {
  REQUIRE(TopicConfig::FromMap({{"compression.type", "producer"}})->compression == std::nullopt);
  REQUIRE(TopicConfig::FromMap({{"compression.type", "uncompressed"}})->compression == CompressionType::kNone);
  REQUIRE(TopicConfig::FromMap({{"compression.type", "none"}})->compression == CompressionType::kNone);
  REQUIRE(TopicConfig::FromMap({{"compression.type", "none"}})->ToMap().at("compression.type") == "uncompressed");
  REQUIRE(TopicConfig::FromMap({{"compression.type", "gzip"}})->compression == CompressionType::kGzip);
  REQUIRE(TopicConfig::FromMap({{"compression.type", "snappy"}})->compression == CompressionType::kSnappy);
  REQUIRE(TopicConfig::FromMap({{"compression.type", "lz4"}})->compression == CompressionType::kLz4);
  REQUIRE(TopicConfig::FromMap({{"compression.type", "zstd"}})->compression == CompressionType::kZstd);
}

TEST_CASE("Bad config values are kInvalidArgument naming the key, the value and what is allowed",
          "[topic_config]") {
  struct Case {
    std::string key, value, expect;
  };
  const Case cases[] = {
      {"retention.ms", "-2", "[-1, "},
      {"retention.ms", "1e3", "integer"},
      {"retention.ms", " 5", "integer"},
      {"retention.ms", "", "integer"},
      {"retention.ms", "99999999999999999999", "integer"},
      {"retention.bytes", "-5", "[-1, "},
      {"segment.bytes", "13", "[14, 2147483647]"},
      {"segment.bytes", "2147483648", "[14, 2147483647]"},
      {"segment.ms", "0", "[1, "},
      {"segment.index.bytes", "4", "[12, "},
      {"segment.jitter.ms", "-1", "[0, "},
      {"flush.messages", "0", "[1, "},
      {"flush.ms", "-1", "[0, "},
      {"max.message.bytes", "10", "[62, "},
      {"index.interval.bytes", "-1", "[0, "},
      {"message.timestamp.type", "createtime", "CreateTime, LogAppendTime"},
      {"compression.type", "brotli", "gzip"},
      {"cleanup.policy", "compact", "not supported yet"},
      {"cleanup.policy", "compact,delete", "not supported yet"},
      {"cleanup.policy", "remove", "delete"},
  };
  for (const Case& c : cases) {
    INFO(c.key << "=" << c.value);
    absl::StatusOr<TopicConfig> r = TopicConfig::FromMap({{c.key, c.value}});
    REQUIRE_CODE(r, absl::StatusCode::kInvalidArgument);
    const std::string message(r.status().message());
    INFO(message);
    REQUIRE(message.find(c.key) != std::string::npos);
    REQUIRE(message.find("\"" + c.value + "\"") != std::string::npos);
    REQUIRE(message.find(c.expect) != std::string::npos);
  }
}

TEST_CASE("An unknown key is kInvalidArgument naming it and nothing is applied", "[topic_config]") {
  absl::StatusOr<TopicConfig> r =
      TopicConfig::FromMap({{"retention.ms", "5"}, {"min.insync.replicas", "2"}, {"segment.bytes", "100"}});
  REQUIRE_CODE(r, absl::StatusCode::kInvalidArgument);
  REQUIRE(std::string(r.status().message()).find("min.insync.replicas") != std::string::npos);
  // All or nothing: a good key beside a bad value fails as a whole.
  REQUIRE_CODE(TopicConfig::FromMap({{"retention.ms", "5"}, {"segment.bytes", "1"}}), absl::StatusCode::kInvalidArgument);
}

TEST_CASE("ToPartitionConfig carries every setting to the partition", "[topic_config]") {
  absl::StatusOr<TopicConfig> c = TopicConfig::FromMap({{"segment.bytes", "14"},
                                                        {"segment.ms", "1000"},
                                                        {"segment.index.bytes", "120"},
                                                        {"index.interval.bytes", "100"},
                                                        {"segment.jitter.ms", "7"},
                                                        {"max.message.bytes", "5000"},
                                                        {"message.timestamp.type", "LogAppendTime"},
                                                        {"retention.ms", "-1"},
                                                        {"retention.bytes", "123456"},
                                                        {"flush.messages", "10"},
                                                        {"flush.ms", "2000"}});
  REQUIRE_OK(c);
  const PartitionConfig pc = c->ToPartitionConfig();
  REQUIRE(pc.segment.segment_bytes == 61);  // below one batch header rolls exactly like one header
  REQUIRE(pc.segment.segment_ms == 1000);
  REQUIRE(pc.segment.segment_index_bytes == 120);
  REQUIRE(pc.segment.index_interval_bytes == 100);
  REQUIRE(pc.segment_jitter_ms == 7);
  REQUIRE(pc.max_message_bytes == 5000);
  REQUIRE(pc.timestamp_type == TimestampType::kLogAppendTime);
  REQUIRE(pc.retention_ms == -1);
  REQUIRE(pc.retention_bytes == 123456);
  REQUIRE(pc.flush_messages == 10);
  REQUIRE(pc.flush_ms == 2000);
}

}  // namespace
}  // namespace seglog

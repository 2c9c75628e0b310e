// TopicConfig: a topic's settings under Kafka's names (`retention.ms`, `segment.bytes`, ...), parsed and
// validated from key=value strings, with Kafka's defaults, and turned into the PartitionConfig its partitions
// run with.
//
//   SEGLOG_ASSIGN_OR_RETURN(seglog::TopicConfig config,
//                           seglog::TopicConfig::FromMap({{"retention.ms", "3600000"}, {"compression.type", "zstd"}}));
//   seglog::PartitionConfig pc = config.ToPartitionConfig();
//
// Keys and defaults (Kafka's): cleanup.policy=delete, compression.type=producer, flush.messages=
// 9223372036854775807, flush.ms=9223372036854775807, index.interval.bytes=4096, max.message.bytes=1048588,
// message.timestamp.type=CreateTime, retention.bytes=-1, retention.ms=604800000, segment.bytes=1073741824,
// segment.index.bytes=10485760, segment.jitter.ms=0, segment.ms=604800000.
//
// Thread safety: a plain value type.
#ifndef SEGLOG_TOPIC_CONFIG_H_
#define SEGLOG_TOPIC_CONFIG_H_

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "seglog/compression.h"
#include "seglog/partition.h"
#include "seglog/record_batch.h"

namespace seglog {

// key -> value, as given on a command line or stored in topics.json.
using ConfigMap = std::map<std::string, std::string, std::less<>>;

struct TopicConfig {
  // cleanup.policy: "delete" (compaction, "compact", is refused until it exists).
  std::string cleanup_policy = "delete";
  // compression.type: std::nullopt for "producer" (keep the producer's codec), else the codec batches are
  // stored with ("uncompressed"/"none" is kNone).
  std::optional<CompressionType> compression = std::nullopt;
  int64_t flush_messages = std::numeric_limits<int64_t>::max();
  int64_t flush_ms = std::numeric_limits<int64_t>::max();
  int32_t index_interval_bytes = 4096;
  int32_t max_message_bytes = 1048588;
  TimestampType timestamp_type = TimestampType::kCreateTime;
  int64_t retention_bytes = -1;
  int64_t retention_ms = 7 * 24 * 3600 * 1000LL;
  int32_t segment_bytes = 1024 * 1024 * 1024;
  int32_t segment_index_bytes = 10 * 1024 * 1024;
  int64_t segment_jitter_ms = 0;
  int64_t segment_ms = 7 * 24 * 3600 * 1000LL;

  // `base` with `changes` applied. kInvalidArgument naming the key for an unknown key, and naming the key,
  // the value and the allowed range or values for a bad value; nothing is applied then (all or nothing).
  static absl::StatusOr<TopicConfig> FromMap(const ConfigMap& changes, const TopicConfig& base);
  static absl::StatusOr<TopicConfig> FromMap(const ConfigMap& changes) { return FromMap(changes, TopicConfig()); }

  // Every key with its value, in Kafka's spelling (what FromMap reads back to the same config).
  ConfigMap ToMap() const;
  // Only the keys whose value differs from Kafka's default (what a topic stores).
  ConfigMap NonDefaults() const;

  // The settings a partition of this topic runs with.
  PartitionConfig ToPartitionConfig() const;

  // The known keys, sorted (TopicConfig().ToMap() gives each one's default value).
  static const std::vector<std::string>& Keys();

  bool operator==(const TopicConfig&) const = default;
};

}  // namespace seglog

#endif  // SEGLOG_TOPIC_CONFIG_H_

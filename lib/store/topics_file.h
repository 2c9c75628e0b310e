// topics.json: the Store's metadata — topics (name, partition count, non-default config), deletions not yet
// finished, and the end of the last reserved producer-id block. Replaced atomically (WriteFileAtomically).
//
//   {
//     "version": 1,
//     "topics": [{"name": "orders", "partitions": 3, "config": {"retention.ms": "86400000"}}],
//     "deleting": [{"name": "old", "partitions": 2}],
//     "producer_id_block_end": 2000
//   }
//
// Thread safety: pure functions; the Store serialises writers.
#ifndef SEGLOG_LIB_STORE_TOPICS_FILE_H_
#define SEGLOG_LIB_STORE_TOPICS_FILE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "seglog/file_system.h"
#include "seglog/topic_config.h"

namespace seglog::internal {

inline constexpr std::string_view kTopicsFile = "topics.json";
inline constexpr int kTopicsFileVersion = 1;
// Partitions per topic: 1..kMaxPartitionsPerTopic (CreateTopic, IncreasePartitions and topics.json).
inline constexpr int32_t kMaxPartitionsPerTopic = 100000;

struct TopicRecord {
  std::string name;
  int32_t partitions = 0;
  ConfigMap config;  // non-default keys only
  bool operator==(const TopicRecord&) const = default;
};

struct StoreMetadata {
  std::vector<TopicRecord> topics;    // sorted by name
  std::vector<TopicRecord> deleting;  // topics whose directories may still exist (config unused)
  int64_t producer_id_block_end = 0;  // producer ids below it were (possibly) handed out
  bool operator==(const StoreMetadata&) const = default;
};

std::string EncodeStoreMetadata(const StoreMetadata& metadata);
// kDataLoss naming `source` and the problem for anything malformed.
absl::StatusOr<StoreMetadata> DecodeStoreMetadata(std::string_view text, std::string_view source);

// Reads `path`; std::nullopt when it does not exist.
absl::StatusOr<std::optional<StoreMetadata>> ReadStoreMetadata(FileSystem* fs, const std::string& path);
absl::Status WriteStoreMetadata(FileSystem* fs, const std::string& path, const StoreMetadata& metadata);

}  // namespace seglog::internal

#endif  // SEGLOG_LIB_STORE_TOPICS_FILE_H_

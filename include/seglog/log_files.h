// File naming for a partition directory, in one place: Kafka's 20-digit zero-padded base offsets and suffixes
// (LogFileUtils.java).
//
//   seglog::SegmentFileName(368770, seglog::kLogSuffix)          // "00000000000000368770.log"
//   seglog::ParseSegmentFileName("00000000000000368770.index")   // {368770, ".index"}
//   seglog::ParsePartitionDirName("orders-3")                     // {"orders", 3}
//
// Thread safety: pure functions.
#ifndef SEGLOG_LOG_FILES_H_
#define SEGLOG_LOG_FILES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace seglog {

inline constexpr std::string_view kLogSuffix = ".log";
inline constexpr std::string_view kIndexSuffix = ".index";
inline constexpr std::string_view kTimeIndexSuffix = ".timeindex";
inline constexpr std::string_view kDeletedSuffix = ".deleted";  // appended to a file being deleted
inline constexpr std::string_view kCleanedSuffix = ".cleaned";
inline constexpr std::string_view kSwapSuffix = ".swap";
inline constexpr std::string_view kTmpSuffix = ".tmp";  // a metadata file being replaced atomically

// Files a partition directory holds besides its segments (when the partition keeps its own state; a Store
// keeps the checkpoints at the data directory's top instead).
inline constexpr std::string_view kCleanShutdownFile = ".seglog_cleanshutdown";
inline constexpr std::string_view kPartitionLockFile = ".lock";
inline constexpr std::string_view kRecoveryPointCheckpointFile = "recovery-point-offset-checkpoint";
inline constexpr std::string_view kLogStartOffsetCheckpointFile = "log-start-offset-checkpoint";

// "<20-digit base offset><suffix>". `base_offset` must not be negative.
std::string SegmentFileName(int64_t base_offset, std::string_view suffix);

struct SegmentFile {
  int64_t base_offset = 0;
  std::string suffix;  // everything after the 20 digits, e.g. ".log" or ".log.deleted"
  bool operator==(const SegmentFile&) const = default;
};

// Parses "<20 digits><suffix>"; std::nullopt for any other name (wrong digit count, no suffix, overflow).
std::optional<SegmentFile> ParseSegmentFileName(std::string_view name);

// Kafka's topic-name rules: 1 to 249 characters of [a-zA-Z0-9._-], and not "." or "..".
// kInvalidArgument naming the rule that failed.
absl::Status ValidateTopicName(std::string_view topic);

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  bool operator==(const TopicPartition&) const = default;
};

// "<topic>-<partition>", the name of a partition's directory.
std::string PartitionDirName(std::string_view topic, int32_t partition);
// Splits a partition directory's name at its last '-'; kInvalidArgument unless the topic is valid and the
// partition a non-negative decimal int32.
absl::StatusOr<TopicPartition> ParsePartitionDirName(std::string_view name);

}  // namespace seglog

#endif  // SEGLOG_LOG_FILES_H_

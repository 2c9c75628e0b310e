// Kafka's offset checkpoint files (recovery-point-offset-checkpoint, log-start-offset-checkpoint): text,
// replaced atomically (CheckpointFile.java):
//
//   0                  version
//   2                  number of entries
//   orders 0 368770    "<topic> <partition> <offset>", one line each
//   orders 1 12
//
//   ASSIGN_OR_RETURN(auto entries, internal::ReadOffsetCheckpoint(fs, path));
//   RETURN_IF_ERROR(internal::WriteOffsetCheckpoint(fs, path, {{{"orders", 0}, 368770}}));
//
// Thread safety: pure functions over the FileSystem; callers serialise writers of one file.
#ifndef SEGLOG_LIB_STORAGE_OFFSET_CHECKPOINT_H_
#define SEGLOG_LIB_STORAGE_OFFSET_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "seglog/file_system.h"
#include "seglog/log_files.h"

namespace seglog::internal {

struct CheckpointEntry {
  TopicPartition partition;
  int64_t offset = 0;
  bool operator==(const CheckpointEntry&) const = default;
};

std::string EncodeOffsetCheckpoint(const std::vector<CheckpointEntry>& entries);
// kDataLoss naming the line for a malformed file (wrong version, count mismatch, bad numbers).
absl::StatusOr<std::vector<CheckpointEntry>> DecodeOffsetCheckpoint(std::string_view text);

// Reads `path`; an empty list when the file does not exist.
absl::StatusOr<std::vector<CheckpointEntry>> ReadOffsetCheckpoint(FileSystem* fs, const std::string& path);
// Replaces `path` atomically and durably (WriteFileAtomically).
absl::Status WriteOffsetCheckpoint(FileSystem* fs, const std::string& path,
                                   const std::vector<CheckpointEntry>& entries);

}  // namespace seglog::internal

#endif  // SEGLOG_LIB_STORAGE_OFFSET_CHECKPOINT_H_

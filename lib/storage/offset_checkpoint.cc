// Kafka's offset checkpoint text format.
#include "storage/offset_checkpoint.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace seglog::internal {

namespace {
constexpr int kVersion = 0;

absl::Status Malformed(size_t line, std::string_view why) {
  return absl::DataLossError(absl::StrCat("offset checkpoint line ", line, ": ", Sv(why)));
}
}  // namespace

std::string EncodeOffsetCheckpoint(const std::vector<CheckpointEntry>& entries) {
  std::string text = absl::StrCat(kVersion, "\n", entries.size(), "\n");
  for (const CheckpointEntry& e : entries) {
    absl::StrAppend(&text, e.partition.topic, " ", e.partition.partition, " ", e.offset, "\n");
  }
  return text;
}

absl::StatusOr<std::vector<CheckpointEntry>> DecodeOffsetCheckpoint(std::string_view text) {
  std::vector<absl::string_view> lines = absl::StrSplit(Sv(text), '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // the final newline
  int version = -1;
  if (lines.empty() || !absl::SimpleAtoi(lines[0], &version)) return Malformed(1, "no version");
  if (version != kVersion) return Malformed(1, absl::StrCat("version ", version, ", expected ", kVersion));
  size_t count = 0;
  if (lines.size() < 2 || !absl::SimpleAtoi(lines[1], &count)) return Malformed(2, "no entry count");
  if (lines.size() - 2 != count) {
    return Malformed(2, absl::StrCat("declares ", count, " entries, the file has ", lines.size() - 2));
  }
  std::vector<CheckpointEntry> entries;
  entries.reserve(count);
  for (size_t i = 2; i < lines.size(); ++i) {
    std::vector<absl::string_view> fields = absl::StrSplit(lines[i], ' ');
    CheckpointEntry e;
    if (fields.size() != 3 || !ValidateTopicName(StdSv(fields[0])).ok() ||
        !absl::SimpleAtoi(fields[1], &e.partition.partition) || e.partition.partition < 0 ||
        !absl::SimpleAtoi(fields[2], &e.offset)) {
      return Malformed(i + 1, absl::StrCat("expected \"<topic> <partition> <offset>\", found \"", lines[i], "\""));
    }
    e.partition.topic = std::string(fields[0]);
    entries.push_back(std::move(e));
  }
  return entries;
}

absl::StatusOr<std::vector<CheckpointEntry>> ReadOffsetCheckpoint(FileSystem* fs, const std::string& path) {
  ASSIGN_OR_RETURN(const bool exists, fs->Exists(path));
  if (!exists) return std::vector<CheckpointEntry>();
  ASSIGN_OR_RETURN(const std::string text, ReadFileToString(fs, path));
  absl::StatusOr<std::vector<CheckpointEntry>> entries = DecodeOffsetCheckpoint(text);
  if (!entries.ok()) return absl::DataLossError(absl::StrCat(path, ": ", entries.status().message()));
  return entries;
}

absl::Status WriteOffsetCheckpoint(FileSystem* fs, const std::string& path,
                                   const std::vector<CheckpointEntry>& entries) {
  return WriteFileAtomically(fs, path, EncodeOffsetCheckpoint(entries));
}

}  // namespace seglog::internal

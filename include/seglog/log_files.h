// File naming for a partition directory, in one place: Kafka's 20-digit zero-padded base offsets and suffixes
// (LogFileUtils.java).
//
//   seglog::SegmentFileName(368770, seglog::kLogSuffix)          // "00000000000000368770.log"
//   seglog::ParseSegmentFileName("00000000000000368770.index")   // {368770, ".index"}
//
// Thread safety: pure functions.
#ifndef SEGLOG_LOG_FILES_H_
#define SEGLOG_LOG_FILES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seglog {

inline constexpr std::string_view kLogSuffix = ".log";
inline constexpr std::string_view kIndexSuffix = ".index";
inline constexpr std::string_view kTimeIndexSuffix = ".timeindex";
inline constexpr std::string_view kDeletedSuffix = ".deleted";  // appended to a file being deleted
inline constexpr std::string_view kCleanedSuffix = ".cleaned";
inline constexpr std::string_view kSwapSuffix = ".swap";

// "<20-digit base offset><suffix>". `base_offset` must not be negative.
std::string SegmentFileName(int64_t base_offset, std::string_view suffix);

struct SegmentFile {
  int64_t base_offset = 0;
  std::string suffix;  // everything after the 20 digits, e.g. ".log" or ".log.deleted"
  bool operator==(const SegmentFile&) const = default;
};

// Parses "<20 digits><suffix>"; std::nullopt for any other name (wrong digit count, no suffix, overflow).
std::optional<SegmentFile> ParseSegmentFileName(std::string_view name);

}  // namespace seglog

#endif  // SEGLOG_LOG_FILES_H_

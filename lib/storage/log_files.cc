// Segment file names: 20-digit zero-padded base offset + suffix.
#include "seglog/log_files.h"

#include <climits>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "util/strings.h"

namespace seglog {

namespace {
constexpr size_t kDigits = 20;
constexpr size_t kMaxTopicLength = 249;  // Kafka's Topic.MAX_NAME_LENGTH
}  // namespace

std::string SegmentFileName(int64_t base_offset, std::string_view suffix) {
  char digits[kDigits + 1];
  std::snprintf(digits, sizeof(digits), "%020lld", static_cast<long long>(base_offset));
  std::string name(digits, kDigits);
  name.append(suffix);
  return name;
}

std::optional<SegmentFile> ParseSegmentFileName(std::string_view name) {
  if (name.size() <= kDigits || name[kDigits] != '.') return std::nullopt;
  uint64_t value = 0;
  for (size_t i = 0; i < kDigits; ++i) {
    const char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (value > (static_cast<uint64_t>(INT64_MAX) - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return SegmentFile{static_cast<int64_t>(value), std::string(name.substr(kDigits))};
}

absl::Status ValidateTopicName(std::string_view topic) {
  if (topic.empty()) return absl::InvalidArgumentError("topic name is empty");
  if (topic == "." || topic == "..") {
    return absl::InvalidArgumentError(absl::StrCat("topic name \"", internal::Sv(topic), "\" is not allowed"));
  }
  if (topic.size() > kMaxTopicLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("topic name has ", topic.size(), " characters; at most ", kMaxTopicLength, " are allowed"));
  }
  for (const char c : topic) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat("topic name \"", internal::Sv(topic),
                                                     "\" has a character outside [a-zA-Z0-9._-]"));
    }
  }
  return absl::OkStatus();
}

std::string PartitionDirName(std::string_view topic, int32_t partition) {
  return absl::StrCat(internal::Sv(topic), "-", partition);
}

absl::StatusOr<TopicPartition> ParsePartitionDirName(std::string_view name) {
  const size_t dash = name.rfind('-');
  int32_t partition = 0;
  if (dash == std::string_view::npos || dash + 1 == name.size() ||
      name.find_first_not_of("0123456789", dash + 1) != std::string_view::npos ||
      !absl::SimpleAtoi(internal::Sv(name.substr(dash + 1)), &partition) || partition < 0) {
    return absl::InvalidArgumentError(absl::StrCat("partition directory \"", internal::Sv(name),
                                                   "\" is not named <topic>-<partition number>"));
  }
  const std::string_view topic = name.substr(0, dash);
  if (absl::Status valid = ValidateTopicName(topic); !valid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("partition directory \"", internal::Sv(name), "\": ", valid.message()));
  }
  return TopicPartition{std::string(topic), partition};
}

}  // namespace seglog

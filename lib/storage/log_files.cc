// Segment file names: 20-digit zero-padded base offset + suffix.
#include "seglog/log_files.h"

#include <climits>
#include <cstdio>

namespace seglog {

namespace {
constexpr size_t kDigits = 20;
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

}  // namespace seglog

// DecodeIndexFile: Kafka's .index / .timeindex bytes, decoded (doc/format/index-files.md).
#include "seglog/index_file.h"

#include <algorithm>
#include <climits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "util/coding.h"

namespace seglog {

absl::StatusOr<IndexFileContents> DecodeIndexFile(IndexKind kind, int64_t base_offset, std::string_view bytes) {
  if (base_offset < 0) return absl::InvalidArgumentError(absl::StrCat("negative base offset ", base_offset));
  const size_t entry_size = index_format::EntrySize(kind);
  IndexFileContents out;
  out.ignored_bytes = bytes.size() % entry_size;
  const size_t slots = bytes.size() / entry_size;
  for (size_t i = 0; i < slots; ++i) {
    const char* p = bytes.data() + i * entry_size;
    const bool zero = std::all_of(p, p + entry_size, [](char c) { return c == 0; });
    if (zero && (i > 0 || kind == IndexKind::kTime)) break;  // preallocated space
    const uint32_t relative = internal::LoadBigEndian32(kind == IndexKind::kOffset ? p : p + 8);
    if (relative > static_cast<uint32_t>(INT32_MAX)) {
      return absl::DataLossError(absl::StrCat("entry ", i, " has relative offset ", relative,
                                              ", past Kafka's limit of ", INT32_MAX));
    }
    if (base_offset > INT64_MAX - static_cast<int64_t>(relative)) {
      return absl::DataLossError(absl::StrCat("entry ", i, ": base offset ", base_offset, " + relative offset ",
                                              relative, " is past the largest offset"));
    }
    const int64_t offset = base_offset + static_cast<int64_t>(relative);
    if (kind == IndexKind::kOffset) {
      out.entries.push_back({offset, static_cast<int64_t>(internal::LoadBigEndian32(p + 4))});
    } else {
      out.entries.push_back({static_cast<int64_t>(internal::LoadBigEndian64(p)), offset});
    }
  }
  return out;
}

}  // namespace seglog

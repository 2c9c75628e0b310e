// DecodeIndexFile: Kafka's .index / .timeindex bytes, decoded (doc/format/index-files.md).
#include "seglog/index_file.h"

#include <algorithm>
#include <climits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "storage/index_entry_layout.h"

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
    const internal::StoredIndexEntry stored = internal::LoadIndexEntry(kind, p);
    const uint32_t relative = stored.relative_offset;
    if (relative > static_cast<uint32_t>(INT32_MAX)) {
      return absl::DataLossError(absl::StrCat("entry ", i, " has relative offset ", relative,
                                              ", past Kafka's limit of ", INT32_MAX));
    }
    if (base_offset > INT64_MAX - static_cast<int64_t>(relative)) {
      return absl::DataLossError(absl::StrCat("entry ", i, ": base offset ", base_offset, " + relative offset ",
                                              relative, " is past the largest offset"));
    }
    out.entries.push_back(internal::ToIndexEntry(kind, stored, base_offset + static_cast<int64_t>(relative)));
  }
  return out;
}

}  // namespace seglog

// DecodeIndexFile: the entries of a Kafka `.index` or `.timeindex` file, read from its bytes without opening
// it as a SparseIndex: what `seglog dump` prints, and what a tool inspecting another broker's files needs.
//
//   SEGLOG_ASSIGN_OR_RETURN(seglog::IndexFileContents contents,
//                           seglog::DecodeIndexFile(seglog::IndexKind::kOffset, /*base_offset=*/368770, bytes));
//   for (const seglog::IndexEntry& e : contents.entries) Print(e.key, e.value);  // offset, position
//
// The layout is doc/format/index-files.md (Kafka's): `.index` entries are {uint32 offset - base offset,
// uint32 position}, `.timeindex` entries {int64 timestamp, uint32 offset - base offset}, big-endian. The index
// of an active segment is preallocated, so the entries end at the first all-zero slot after the first one
// (as kafka-dump-log.sh reads them), and a `.timeindex` whose first slot is all zeros holds no entry.
//
// Thread safety: pure functions.
#ifndef SEGLOG_INDEX_FILE_H_
#define SEGLOG_INDEX_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "seglog/sparse_index.h"

namespace seglog {

struct IndexFileContents {
  std::vector<IndexEntry> entries;  // absolute values, in file order
  size_t ignored_bytes = 0;         // a partial entry at the end (the size is not a multiple of the entry)
};

// Decodes `bytes`, the contents of the index file of the segment at `base_offset`. Values are only decoded,
// not checked against each other or a log (SparseIndex::SanityCheck and `seglog dump --verify` do that).
// kDataLoss naming the entry when its relative offset is past Kafka's int32 range or its absolute offset
// would pass INT64_MAX; kInvalidArgument for a negative base offset.
absl::StatusOr<IndexFileContents> DecodeIndexFile(IndexKind kind, int64_t base_offset, std::string_view bytes);

}  // namespace seglog

#endif  // SEGLOG_INDEX_FILE_H_

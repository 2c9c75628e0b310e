// One entry of Kafka's .index / .timeindex as stored (doc/format/index-files.md): the one place that knows
// where its fields sit. SparseIndex (the mapped file) and DecodeIndexFile (a file's bytes) both read entries
// through it, and differ only in what they do with a relative offset out of range.
//
// Thread safety: pure functions.
#ifndef SEGLOG_LIB_STORAGE_INDEX_ENTRY_LAYOUT_H_
#define SEGLOG_LIB_STORAGE_INDEX_ENTRY_LAYOUT_H_

#include <cstdint>

#include "seglog/sparse_index.h"
#include "util/coding.h"

namespace seglog::internal {

struct StoredIndexEntry {
  uint32_t relative_offset = 0;  // offset - base offset
  int64_t other = 0;             // the position (.index) or the timestamp (.timeindex)
};

// .index: {uint32 relative offset, uint32 position}; .timeindex: {int64 timestamp, uint32 relative offset}.
inline StoredIndexEntry LoadIndexEntry(IndexKind kind, const char* p) {
  if (kind == IndexKind::kOffset) return {LoadBigEndian32(p), static_cast<int64_t>(LoadBigEndian32(p + 4))};
  return {LoadBigEndian32(p + 8), static_cast<int64_t>(LoadBigEndian64(p))};
}

// The entry with its absolute offset: {offset, position} for .index, {timestamp, offset} for .timeindex.
inline IndexEntry ToIndexEntry(IndexKind kind, const StoredIndexEntry& stored, int64_t offset) {
  return kind == IndexKind::kOffset ? IndexEntry{offset, stored.other} : IndexEntry{stored.other, offset};
}

}  // namespace seglog::internal

#endif  // SEGLOG_LIB_STORAGE_INDEX_ENTRY_LAYOUT_H_

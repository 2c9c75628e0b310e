// SparseIndex: one of a segment's two memory-mapped sparse index files, in Kafka's exact layout
// (doc/format/index-files.md):
//
//   kOffset  <base>.index      8-byte entries: uint32 offset - base offset, uint32 position in the .log
//   kTime    <base>.timeindex  12-byte entries: int64 timestamp, uint32 offset - base offset
//
// Entries are sparse (one per index.interval.bytes of log) and strictly increasing in key (offset, or
// timestamp for the time index). Lookup(target) returns the greatest entry whose key is <= target, searching
// the warm tail of the index first (Kafka's KAFKA-6432 scheme: tailing readers touch only the last 8 KiB),
// then the rest. The file is preallocated to max_index_bytes while the segment is active and trimmed to its
// entries when it rolls or closes; the file's length is what defines the entry count on the next open.
//
//   SEGLOG_ASSIGN_OR_RETURN(auto index, SparseIndex::Open(fs, "/d/t-0/00000000000000000000.index",
//                                                         IndexKind::kOffset, /*base_offset=*/0, 10 << 20));
//   SEGLOG_RETURN_IF_ERROR(index->Append(4096, 123456));         // offset 4096 starts at byte 123456
//   IndexEntry e = index->Lookup(5000);                           // {4096, 123456}
//
// Thread safety: one writer (Append, MaybeAppendTime, TruncateTo, Reset, Resize, TrimToEntries, Sync, Close)
// at a time, externally serialised (the partition's append lock), alongside any number of concurrent
// readers (Lookup, Entry, entries, last_entry). Readers see every entry published before they start.
#ifndef SEGLOG_SPARSE_INDEX_H_
#define SEGLOG_SPARSE_INDEX_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "seglog/file_system.h"
#include "seglog/mutex.h"

namespace seglog {

enum class IndexKind {
  kOffset,  // key = absolute offset, value = byte position in the segment's .log
  kTime,    // key = timestamp (ms), value = absolute offset
};

namespace index_format {
inline constexpr size_t kOffsetEntrySize = 8;
inline constexpr size_t kTimeEntrySize = 12;
// Lookups search the last kWarmBytes of an index first (KAFKA-6432).
inline constexpr size_t kWarmBytes = 8192;
inline constexpr size_t EntrySize(IndexKind kind) {
  return kind == IndexKind::kOffset ? kOffsetEntrySize : kTimeEntrySize;
}
}  // namespace index_format

// One entry with absolute values. Offset index: {offset, position}. Time index: {timestamp, offset}.
struct IndexEntry {
  int64_t key = 0;
  int64_t value = 0;
  bool operator==(const IndexEntry&) const = default;
};

class SparseIndex {
 public:
  // Opens (creating if missing) the index at `path` for a segment starting at `base_offset`. An existing
  // file's length defines its entries (it must be a whole number of entries: else kDataLoss, and the
  // caller rebuilds the index) and it is mapped at that length, as Kafka does: an inactive segment's index
  // is never grown, so a crash cannot leave it with a zero-filled tail. Call Resize(max_index_bytes) before
  // appending to it (the active segment). A new file is extended to `max_index_bytes` (rounded
  // down to whole entries, at least one entry), ready for appends.
  static absl::StatusOr<std::unique_ptr<SparseIndex>> Open(FileSystem* fs, std::string path, IndexKind kind,
                                                          int64_t base_offset, size_t max_index_bytes);
  ~SparseIndex();
  SparseIndex(const SparseIndex&) = delete;
  SparseIndex& operator=(const SparseIndex&) = delete;

  // Offset index: appends {offset, position}. kInvalidArgument unless offset > the last entry's offset,
  // offset - base fits in [0, 2^31-1] and the position in uint32; kResourceExhausted when full.
  absl::Status Append(int64_t key, int64_t value);

  // Time index (Kafka's TimeIndex.maybeAppend): appends {timestamp, offset} only when timestamp is greater
  // than the last entry's. kInvalidArgument if the offset goes backwards; kResourceExhausted when full
  // unless `skip_full_check` (the roll entry may use the slot IsFull() keeps back).
  absl::Status MaybeAppendTime(int64_t timestamp, int64_t offset, bool skip_full_check = false);

  // The greatest entry whose key is <= target; when there is none, the segment start: {base_offset, 0} for
  // the offset index, {-1 (no timestamp), base_offset} for the time index.
  IndexEntry Lookup(int64_t target) const;

  // Entry n (0 <= n < entries()).
  IndexEntry Entry(size_t n) const;
  size_t entries() const { return entries_.load(std::memory_order_acquire); }
  size_t max_entries() const { return max_entries_.load(std::memory_order_acquire); }
  // The last entry, or the empty-index default Lookup would return.
  IndexEntry last_entry() const;
  // Offset index: no room left. Time index: only the slot reserved for the roll entry is left.
  bool IsFull() const;
  // Whether `offset` is representable relative to this index's base offset.
  bool CanAppendOffset(int64_t offset) const;

  // Removes every entry whose offset (offset index: key; time index: value) is >= `offset`.
  absl::Status TruncateTo(int64_t offset);
  // Removes every entry (before a rebuild).
  absl::Status Reset();
  // Checks what Kafka's sanityCheck checks: entries increase, the last offset is >= the base offset, and
  // every relative offset is in [0, 2^31-1] (an int32 to Kafka) and lands in the offset range. kDataLoss naming
  // the file otherwise.
  absl::Status SanityCheck() const;

  // Shrinks the file to exactly its entries (when the segment rolls or closes) and maps only those.
  absl::Status TrimToEntries();
  // Re-extends the file to `max_index_bytes` (an active segment after load or truncation).
  absl::Status Resize(size_t max_index_bytes);
  // Writes the mapped entries back and makes them durable.
  absl::Status Sync();
  // Syncs, trims to the entries and unmaps. Later calls other than the destructor fail.
  absl::Status Close();
  // The file is being deleted: Close() (and the destructor) will only unmap, never touch the path again.
  // Lookups keep working on the mapping until then.
  void MarkDeleted() { deleted_ = true; }

  IndexKind kind() const { return kind_; }
  int64_t base_offset() const { return base_offset_; }
  const std::string& path() const { return path_; }
  // Bytes the entries take (what TrimToEntries leaves on disk).
  size_t size_in_bytes() const { return entries() * entry_size_; }

 private:
  SparseIndex(FileSystem* fs, std::string path, IndexKind kind, int64_t base_offset);

  // Maps the file at `bytes` bytes (rounded down to whole entries); the caller holds map_mu_ exclusively.
  absl::Status MapLocked(size_t bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(map_mu_);
  IndexEntry EntryLocked(size_t n) const ABSL_SHARED_LOCKS_REQUIRED(map_mu_);
  void WriteEntryLocked(size_t n, int64_t key, int64_t value) ABSL_SHARED_LOCKS_REQUIRED(map_mu_);
  IndexEntry Empty() const;
  // The offset an entry stands for (offset index: its key; time index: its value).
  int64_t OffsetOf(const IndexEntry& e) const { return kind_ == IndexKind::kOffset ? e.key : e.value; }
  // Index of the greatest entry with key <= target in [lo, hi], or -1.
  int64_t SearchLocked(int64_t target, size_t lo, size_t hi) const ABSL_SHARED_LOCKS_REQUIRED(map_mu_);

  FileSystem* const fs_;
  const std::string path_;
  const IndexKind kind_;
  const int64_t base_offset_;
  const size_t entry_size_;

  // Readers hold map_mu_ shared while they touch the mapping; only remapping (trim, resize, close) takes it
  // exclusively, so appends and lookups never wait for each other.
  mutable SharedMutex map_mu_;
  std::unique_ptr<MappedFile> map_ ABSL_GUARDED_BY(map_mu_);
  std::atomic<size_t> max_entries_{0};     // entries the current mapping holds
  std::atomic<size_t> entries_{0};         // published entries (release on append)
  bool closed_ = false;
  bool deleted_ = false;
};

}  // namespace seglog

#endif  // SEGLOG_SPARSE_INDEX_H_

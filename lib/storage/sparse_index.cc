// SparseIndex: Kafka's mmapped .index / .timeindex files (OffsetIndex.java, TimeIndex.java, AbstractIndex.java).
#include "seglog/sparse_index.h"

#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"
#include "storage/index_entry_layout.h"
#include "util/coding.h"
#include "util/status_macros.h"

namespace seglog {

namespace {

absl::Status ClosedError(const std::string& path) {
  return absl::FailedPreconditionError(absl::StrCat("index ", path, " is closed"));
}

// base + a relative offset read from the file, wrapping rather than overflowing: the base comes from a file
// name (anything up to INT64_MAX) and the relative offset from the file. SanityCheck refuses what wrapped.
int64_t AbsoluteOffset(int64_t base_offset, uint32_t relative) {
  return static_cast<int64_t>(static_cast<uint64_t>(base_offset) + relative);
}

}  // namespace

SparseIndex::SparseIndex(FileSystem* fs, std::string path, IndexKind kind, int64_t base_offset)
    : fs_(fs),
      path_(std::move(path)),
      kind_(kind),
      base_offset_(base_offset),
      entry_size_(index_format::EntrySize(kind)) {}

SparseIndex::~SparseIndex() {
  if (!closed_) (void)Close();
}

absl::StatusOr<std::unique_ptr<SparseIndex>> SparseIndex::Open(FileSystem* fs, std::string path, IndexKind kind,
                                                              int64_t base_offset, size_t max_index_bytes) {
  const size_t entry_size = index_format::EntrySize(kind);
  uint64_t existing = 0;
  ASSIGN_OR_RETURN(const bool existed, fs->Exists(path));
  {
    ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs->OpenFile(path, {.create = true}));
    ASSIGN_OR_RETURN(existing, file->Size());
    RETURN_IF_ERROR(file->Close());
  }
  if (existing % entry_size != 0) {
    return absl::DataLossError(absl::StrCat("index ", path, ": length ", existing, " is not a multiple of the ",
                                            entry_size, "-byte entry size"));
  }
  std::unique_ptr<SparseIndex> index(new SparseIndex(fs, std::move(path), kind, base_offset));
  const size_t entries = static_cast<size_t>(existing / entry_size);
  {
    WriterMutexLock lock(&index->map_mu_);
    const size_t length = existed ? static_cast<size_t>(existing) : std::max(max_index_bytes, entry_size);
    RETURN_IF_ERROR(index->MapLocked(length));
  }
  index->entries_.store(entries, std::memory_order_release);
  return index;
}

absl::Status SparseIndex::MapLocked(size_t bytes) {
  const size_t entries = bytes / entry_size_;
  map_.reset();  // writes the old mapping back first
  ASSIGN_OR_RETURN(map_, fs_->MapFile(path_, entries * entry_size_));
  max_entries_.store(entries, std::memory_order_release);
  return absl::OkStatus();
}

IndexEntry SparseIndex::EntryLocked(size_t n) const {
  const internal::StoredIndexEntry stored = internal::LoadIndexEntry(kind_, map_->data() + n * entry_size_);
  return internal::ToIndexEntry(kind_, stored, AbsoluteOffset(base_offset_, stored.relative_offset));
}

void SparseIndex::WriteEntryLocked(size_t n, int64_t key, int64_t value) {
  char* p = map_->data() + n * entry_size_;
  if (kind_ == IndexKind::kOffset) {
    internal::StoreBigEndian32(p, static_cast<uint32_t>(key - base_offset_));
    internal::StoreBigEndian32(p + 4, static_cast<uint32_t>(value));
  } else {
    internal::StoreBigEndian64(p, static_cast<uint64_t>(key));
    internal::StoreBigEndian32(p + 8, static_cast<uint32_t>(value - base_offset_));
  }
}

IndexEntry SparseIndex::Empty() const {
  return kind_ == IndexKind::kOffset ? IndexEntry{base_offset_, 0} : IndexEntry{-1, base_offset_};
}

IndexEntry SparseIndex::Entry(size_t n) const {
  ReaderMutexLock lock(&map_mu_);
  if (map_ == nullptr) return Empty();  // closed under a reader that started before
  return EntryLocked(n);
}

IndexEntry SparseIndex::last_entry() const {
  const size_t n = entries();
  if (n == 0) return Empty();
  ReaderMutexLock lock(&map_mu_);
  if (map_ == nullptr) return Empty();
  return EntryLocked(n - 1);
}

bool SparseIndex::IsFull() const {
  const size_t max = max_entries();
  // TimeIndex keeps its last slot for the entry appended when the segment rolls.
  return kind_ == IndexKind::kOffset ? entries() >= max : entries() + 1 >= max;
}

bool SparseIndex::CanAppendOffset(int64_t offset) const {
  return offset >= base_offset_ && offset - base_offset_ <= INT32_MAX;
}

absl::Status SparseIndex::Append(int64_t key, int64_t value) {
  if (kind_ != IndexKind::kOffset) return absl::InvalidArgumentError("Append is for offset indexes");
  if (closed_) return ClosedError(path_);
  if (!CanAppendOffset(key)) {
    return absl::InvalidArgumentError(absl::StrCat("index ", path_, ": offset ", key,
                                                   " is not within 2^31-1 of base offset ", base_offset_));
  }
  if (value < 0 || value > static_cast<int64_t>(UINT32_MAX)) {
    return absl::InvalidArgumentError(absl::StrCat("index ", path_, ": position ", value, " does not fit uint32"));
  }
  const size_t n = entries();
  if (const int64_t last = last_entry().key; n > 0 && key <= last) {
    return absl::InvalidArgumentError(
        absl::StrCat("index ", path_, ": offset ", key, " is not greater than the last entry's ", last));
  }
  if (n >= max_entries()) {
    return absl::ResourceExhaustedError(absl::StrCat("index ", path_, " is full (", n, " entries)"));
  }
  {
    ReaderMutexLock lock(&map_mu_);  // only remapping excludes this
    WriteEntryLocked(n, key, value);
  }
  entries_.store(n + 1, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status SparseIndex::MaybeAppendTime(int64_t timestamp, int64_t offset, bool skip_full_check) {
  if (kind_ != IndexKind::kTime) return absl::InvalidArgumentError("MaybeAppendTime is for time indexes");
  if (closed_) return ClosedError(path_);
  const size_t n = entries();
  if (!skip_full_check && IsFull()) {
    return absl::ResourceExhaustedError(absl::StrCat("index ", path_, " is full (", n, " entries)"));
  }
  if (!CanAppendOffset(offset)) {
    return absl::InvalidArgumentError(absl::StrCat("index ", path_, ": offset ", offset,
                                                   " is not within 2^31-1 of base offset ", base_offset_));
  }
  if (n > 0) {
    const IndexEntry last = last_entry();
    if (offset < last.value) {
      return absl::InvalidArgumentError(absl::StrCat("time index ", path_, ": offset ", offset,
                                                     " is before the last entry's offset ", last.value));
    }
    if (timestamp <= last.key) return absl::OkStatus();  // only strictly later timestamps are indexed
  }
  // After the no-op above (Kafka's TimeIndex.maybeAppend): the roll entry may already fill the last slot.
  if (n >= max_entries()) return absl::ResourceExhaustedError(absl::StrCat("index ", path_, " has no slot left"));
  {
    ReaderMutexLock lock(&map_mu_);
    WriteEntryLocked(n, timestamp, offset);
  }
  entries_.store(n + 1, std::memory_order_release);
  return absl::OkStatus();
}

int64_t SparseIndex::SearchLocked(int64_t target, size_t lo, size_t hi) const {
  // Largest lower bound in [lo, hi] (AbstractIndex.binarySearch); the caller knows entry[lo].key <= target.
  while (lo < hi) {
    const size_t mid = (lo + hi + 1) / 2;
    const int64_t key = EntryLocked(mid).key;
    if (key > target) {
      hi = mid - 1;
    } else if (key < target) {
      lo = mid;
    } else {
      return static_cast<int64_t>(mid);
    }
  }
  return static_cast<int64_t>(lo);
}

IndexEntry SparseIndex::Lookup(int64_t target) const {
  const size_t n = entries();
  if (n == 0) return Empty();
  ReaderMutexLock lock(&map_mu_);
  if (map_ == nullptr) return Empty();  // closed: a lookup racing Close falls back to a scan from the start
  const size_t warm_entries = index_format::kWarmBytes / entry_size_;
  const size_t first_hot = n - 1 > warm_entries ? n - 1 - warm_entries : 0;
  if (EntryLocked(first_hot).key < target) return EntryLocked(SearchLocked(target, first_hot, n - 1));
  if (EntryLocked(0).key > target) return Empty();
  return EntryLocked(SearchLocked(target, 0, first_hot));
}

absl::Status SparseIndex::TruncateTo(int64_t offset) {
  if (closed_) return ClosedError(path_);
  size_t keep = entries();
  ReaderMutexLock lock(&map_mu_);
  while (keep > 0 && OffsetOf(EntryLocked(keep - 1)) >= offset) --keep;
  entries_.store(keep, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status SparseIndex::Reset() {
  if (closed_) return ClosedError(path_);
  entries_.store(0, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status SparseIndex::SanityCheck() const {
  const size_t n = entries();
  if (n == 0) return absl::OkStatus();
  ReaderMutexLock lock(&map_mu_);
  int64_t prev_key = INT64_MIN;
  int64_t prev_offset = base_offset_;
  for (size_t i = 0; i < n; ++i) {
    const IndexEntry e = EntryLocked(i);
    // Kafka reads the relative offset as an int32: 2^31 and above are negative there, and fail this check.
    const uint64_t relative = static_cast<uint64_t>(OffsetOf(e)) - static_cast<uint64_t>(base_offset_);
    if (relative > static_cast<uint64_t>(INT32_MAX)) {
      return absl::DataLossError(absl::StrCat("index ", path_, ": entry ", i, " has relative offset ", relative,
                                              ", outside [0, 2^31-1]"));
    }
    if (e.key <= prev_key || OffsetOf(e) < prev_offset) {
      return absl::DataLossError(absl::StrCat("index ", path_, ": entry ", i, " {", e.key, ", ", e.value,
                                              "} does not follow entry ", i - 1, " (key ", prev_key, ")"));
    }
    prev_key = e.key;
    prev_offset = OffsetOf(e);
  }
  return absl::OkStatus();
}

absl::Status SparseIndex::TrimToEntries() {
  if (closed_) return ClosedError(path_);
  WriterMutexLock lock(&map_mu_);
  if (max_entries() == entries()) return absl::OkStatus();  // already trimmed (an inactive segment's)
  RETURN_IF_ERROR(map_->Sync());
  // MapFile sets the file to exactly the entries and maps just those: no spare slot, so appends need a
  // Resize first, and an index with no entries is left 0 bytes long with data() null (nothing reads it:
  // every reader checks entries() first).
  const size_t n = entries();
  map_.reset();
  ASSIGN_OR_RETURN(map_, fs_->MapFile(path_, n * entry_size_));
  max_entries_.store(n, std::memory_order_release);
  // The shorter length must be durable too: a crash that brought back the preallocated zero tail would
  // make the index fail its sanity check and force a rebuild of a segment recovery otherwise trusts.
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs_->OpenFile(path_, {}));
  RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

absl::Status SparseIndex::Resize(size_t max_index_bytes) {
  if (closed_) return ClosedError(path_);
  WriterMutexLock lock(&map_mu_);
  return MapLocked(std::max({max_index_bytes, entries() * entry_size_, entry_size_}));
}

absl::Status SparseIndex::Sync() {
  if (closed_) return ClosedError(path_);
  ReaderMutexLock lock(&map_mu_);
  return map_->Sync();
}

absl::Status SparseIndex::Close() {
  if (closed_) return ClosedError(path_);
  absl::Status status = deleted_ ? absl::OkStatus() : TrimToEntries();
  WriterMutexLock lock(&map_mu_);
  map_.reset();
  closed_ = true;
  return status;
}

}  // namespace seglog

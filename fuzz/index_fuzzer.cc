// seglog_fuzz_index: opening `.index` / `.timeindex` files (SparseIndex) and whole segments (Segment: a
// `.log` with its two indexes, opened, read, recovered) from fuzzed file contents on an in-memory FileSystem.
//
// Byte 0 picks the mode (bit 0) and the segment's base offset (bits 1-3, from kBaseOffsets); then:
//   index    byte 1 bit 0: offset (0) or time (1) index; the rest is the file's contents. It is decoded by
//            DecodeIndexFile (what `seglog dump` prints; checked against SparseIndex when both accept it),
//            then opened, sanity-checked, looked up (checked against a linear scan when it is sane), truncated,
//            appended to, trimmed and closed.
//   segment  byte 1: bit 0 rebuild_indexes; bytes 2-3 and 4-5 the lengths (big-endian, cut to what is there)
//            of the `.index` and `.timeindex` contents that follow; the rest is the `.log`. The segment is
//            opened, offsets are translated and read, timestamps searched, then it is recovered (which must
//            leave only valid batches), truncated, appended to and closed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "seglog/batch_builder.h"
#include "seglog/batch_view.h"
#include "seglog/file_system.h"
#include "seglog/index_file.h"
#include "seglog/log_files.h"
#include "seglog/segment.h"
#include "seglog/sparse_index.h"
#include "util/coding.h"

namespace {

constexpr int64_t kBaseOffsets[8] = {0, 1, 100, 1LL << 31, 1LL << 40, INT64_MAX - (1LL << 32),
                                     INT64_MAX - 1000, INT64_MAX};
constexpr char kDir[] = "/d/t-0";

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "seglog_fuzz_index: invariant failed: %s\n", what);
    abort();
  }
}

// a + b (b >= 0), saturating at INT64_MAX.
int64_t Plus(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }

void WriteFile(seglog::FileSystem* fs, const std::string& path, std::string_view contents) {
  absl::StatusOr<std::unique_ptr<seglog::File>> file = fs->OpenFile(path, {.create = true, .truncate = true});
  Check(file.ok(), "cannot create a file on the MemFileSystem");
  Check((*file)->Append(contents).ok() && (*file)->Close().ok(), "cannot write a file on the MemFileSystem");
}

// The entry Lookup must return: the last entry whose key is <= target, or the empty-index default.
seglog::IndexEntry ExpectedLookup(const seglog::SparseIndex& index, const std::vector<seglog::IndexEntry>& entries,
                                  int64_t target) {
  seglog::IndexEntry found = index.kind() == seglog::IndexKind::kOffset
                                 ? seglog::IndexEntry{index.base_offset(), 0}
                                 : seglog::IndexEntry{-1, index.base_offset()};
  for (const seglog::IndexEntry& e : entries) {
    if (e.key <= target) found = e;
  }
  return found;
}

void FuzzIndex(int64_t base_offset, std::string_view data) {
  if (data.empty()) return;
  const auto kind = (data[0] & 1) ? seglog::IndexKind::kTime : seglog::IndexKind::kOffset;
  std::unique_ptr<seglog::FileSystem> fs = seglog::NewMemFileSystem();
  Check(fs->CreateDirs(kDir).ok(), "CreateDirs");
  const std::string path = seglog::JoinPath(
      kDir, seglog::SegmentFileName(base_offset, kind == seglog::IndexKind::kOffset ? seglog::kIndexSuffix
                                                                                     : seglog::kTimeIndexSuffix));
  WriteFile(fs.get(), path, data.substr(1));
  // The decoder `seglog dump` uses: whatever it accepts must be entries in range, and a sane index it
  // accepts must be the entries SparseIndex reads (up to where preallocated space would begin).
  absl::StatusOr<seglog::IndexFileContents> decoded = seglog::DecodeIndexFile(kind, base_offset, data.substr(1));
  if (decoded.ok()) {
    for (const seglog::IndexEntry& e : decoded->entries) {
      Check((kind == seglog::IndexKind::kOffset ? e.key : e.value) >= base_offset, "decoded offset below the base");
    }
  }
  absl::StatusOr<std::unique_ptr<seglog::SparseIndex>> opened =
      seglog::SparseIndex::Open(fs.get(), path, kind, base_offset, 1024);
  if (!opened.ok()) return;
  seglog::SparseIndex& index = **opened;
  std::vector<seglog::IndexEntry> entries;
  for (size_t i = 0; i < index.entries(); ++i) entries.push_back(index.Entry(i));
  const bool sane = index.SanityCheck().ok();
  if (sane && decoded.ok()) {
    Check(decoded->entries.size() <= entries.size(), "DecodeIndexFile found more entries than SparseIndex");
    for (size_t i = 0; i < decoded->entries.size(); ++i) {
      Check(decoded->entries[i] == entries[i], "DecodeIndexFile and SparseIndex disagree on an entry");
    }
  }
  std::vector<int64_t> targets = {INT64_MIN, -1, 0, base_offset, INT64_MAX};
  for (const seglog::IndexEntry& e : entries) {
    targets.push_back(e.key);
    if (e.key > INT64_MIN) targets.push_back(e.key - 1);
    if (e.key < INT64_MAX) targets.push_back(e.key + 1);
  }
  for (int64_t target : targets) {
    const seglog::IndexEntry got = index.Lookup(target);
    if (sane) Check(got == ExpectedLookup(index, entries, target), "Lookup differs from a linear scan");
  }
  (void)index.last_entry();
  (void)index.IsFull();
  if (!entries.empty()) {
    const seglog::IndexEntry& middle = entries[entries.size() / 2];
    Check(index.TruncateTo(kind == seglog::IndexKind::kOffset ? middle.key : middle.value).ok(), "TruncateTo");
  }
  Check(index.Resize(1024).ok(), "Resize");
  const seglog::IndexEntry last = index.last_entry();
  if (kind == seglog::IndexKind::kOffset) {
    if (last.key < INT64_MAX) (void)index.Append(last.key + 1, last.value);
  } else if (last.key < INT64_MAX) {
    (void)index.MaybeAppendTime(last.key + 1, last.value);
  }
  Check(index.TrimToEntries().ok(), "TrimToEntries");
  Check(index.Close().ok(), "Close");
}

void CheckLogIsValid(seglog::FileSystem* fs, const std::string& log_path, uint64_t size) {
  absl::StatusOr<std::string> log = seglog::ReadFileToString(fs, log_path);
  Check(log.ok(), "cannot read the recovered log");
  Check(log->size() == size, "recovered log size differs from the segment's");
  std::string_view rest = *log;
  while (!rest.empty()) {
    absl::StatusOr<seglog::BatchView> batch = seglog::BatchView::Parse(rest);
    Check(batch.ok(), "recovery kept an invalid batch");
    rest.remove_prefix(batch->size_in_bytes());
  }
}

void FuzzSegment(int64_t base_offset, std::string_view data) {
  if (data.size() < 5) return;
  const bool rebuild_indexes = data[0] & 1;
  size_t index_len = seglog::internal::LoadBigEndian16(data.data() + 1);
  size_t time_len = seglog::internal::LoadBigEndian16(data.data() + 3);
  data.remove_prefix(5);
  index_len = std::min(index_len, data.size());
  const std::string_view index_bytes = data.substr(0, index_len);
  data.remove_prefix(index_len);
  time_len = std::min(time_len, data.size());
  const std::string_view time_bytes = data.substr(0, time_len);
  const std::string_view log_bytes = data.substr(time_len);

  std::unique_ptr<seglog::FileSystem> fs = seglog::NewMemFileSystem();
  Check(fs->CreateDirs(kDir).ok(), "CreateDirs");
  const std::string log_path = seglog::JoinPath(kDir, seglog::SegmentFileName(base_offset, seglog::kLogSuffix));
  WriteFile(fs.get(), log_path, log_bytes);
  // An empty slice stands for a missing file (Kafka's own segments may come without indexes).
  if (!index_bytes.empty()) {
    WriteFile(fs.get(), seglog::JoinPath(kDir, seglog::SegmentFileName(base_offset, seglog::kIndexSuffix)),
              index_bytes);
  }
  if (!time_bytes.empty()) {
    WriteFile(fs.get(), seglog::JoinPath(kDir, seglog::SegmentFileName(base_offset, seglog::kTimeIndexSuffix)),
              time_bytes);
  }
  const seglog::SegmentConfig config{.segment_bytes = 1 << 20,
                                     .segment_ms = 1000,
                                     .index_interval_bytes = 100,
                                     .segment_index_bytes = 4096};
  absl::StatusOr<std::unique_ptr<seglog::Segment>> opened =
      seglog::Segment::Open(fs.get(), kDir, base_offset, config, /*created_ms=*/0, 0, rebuild_indexes);
  if (!opened.ok()) return;
  seglog::Segment& segment = **opened;

  const std::vector<int64_t> offsets = {INT64_MIN,          base_offset - 1,      base_offset, Plus(base_offset, 1),
                                        Plus(base_offset, 5), Plus(base_offset, 100), INT64_MAX};
  for (int64_t offset : offsets) {
    (void)segment.TranslateOffset(offset);
    (void)segment.Read(offset, 1 << 16, INT64_MAX, true);
  }
  for (int64_t ts : {INT64_MIN, int64_t{-1}, int64_t{0}, int64_t{1700000000000}, INT64_MAX}) {
    (void)segment.FindOffsetByTimestamp(ts, base_offset);
  }
  (void)segment.ReadNextOffset();

  absl::StatusOr<seglog::RecoveryResult> recovered = segment.Recover();
  if (!recovered.ok()) return;
  Check(recovered->valid_bytes == segment.size(), "Recover's valid bytes differ from the segment's size");
  CheckLogIsValid(fs.get(), log_path, segment.size());
  Check(segment.offset_index().SanityCheck().ok(), "a rebuilt offset index is not sane");
  Check(segment.time_index().SanityCheck().ok(), "a rebuilt time index is not sane");
  absl::StatusOr<int64_t> next = segment.ReadNextOffset();
  Check(next.ok() && *next == recovered->next_offset, "ReadNextOffset differs from Recover's next offset");
  for (int64_t offset : offsets) {
    absl::StatusOr<std::optional<seglog::BatchPosition>> at = segment.TranslateOffset(offset);
    Check(at.ok(), "TranslateOffset failed on a recovered segment");
    if (*at) Check((*at)->last_offset >= offset, "TranslateOffset returned a batch before the offset");
  }
  for (int64_t ts : {int64_t{-1}, int64_t{0}, int64_t{1700000000000}}) {
    (void)segment.FindOffsetByTimestamp(ts, base_offset);
  }
  // Truncate to the middle, then append one more batch at the end, as a partition would.
  if (recovered->next_offset > base_offset) {
    Check(segment.TruncateTo(base_offset + (recovered->next_offset - base_offset) / 2).ok(), "TruncateTo");
  }
  absl::StatusOr<int64_t> end = segment.ReadNextOffset();
  Check(end.ok(), "ReadNextOffset after TruncateTo");
  if (segment.offset_index().CanAppendOffset(*end)) {
    seglog::BatchBuilder builder({.base_offset = *end});
    Check(builder.Append(1700000000000, "k", "v").ok(), "BatchBuilder::Append");
    absl::StatusOr<std::string_view> batch = builder.Build();
    Check(batch.ok(), "BatchBuilder::Build");
    (void)segment.Append(*batch, {.last_offset = *end, .max_timestamp = 1700000000000, .offset_of_max_timestamp = *end});
  }
  (void)segment.Close();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size == 0) return 0;
  const int64_t base_offset = kBaseOffsets[(bytes[0] >> 1) & 7];
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  if (bytes[0] & 1) {
    FuzzSegment(base_offset, data);
  } else {
    FuzzIndex(base_offset, data);
  }
  return 0;
}

// Segment: one `<base>.log` of whole RecordBatches with its offset index and time index (Kafka's LogSegment).
//
//   SEGLOG_ASSIGN_OR_RETURN(auto segment, Segment::Open(fs, "/data/orders-0", /*base_offset=*/0, config, now_ms));
//   SEGLOG_RETURN_IF_ERROR(segment->Append(batch_bytes, {.last_offset = 9, .max_timestamp = ts,
//                                                        .offset_of_max_timestamp = 9}));
//   SEGLOG_ASSIGN_OR_RETURN(std::optional<BatchPosition> at, segment->TranslateOffset(5));   // the batch holding 5
//   SEGLOG_ASSIGN_OR_RETURN(RecoveryResult r, segment->Recover());     // validate, rebuild indexes, cut a bad tail
//
// Batches arrive with their final offsets (the partition assigns them). Every index.interval.bytes of
// appended data adds an offset-index entry (the append's last offset -> its start position) and a
// time-index entry (the largest timestamp so far -> its offset), exactly as Kafka does, so Kafka's tools
// and seglog agree on every index file.
//
// Thread safety: one writer at a time (Append, Recover, TruncateTo, OnBecomeInactive, Flush, Close, Delete;
// the partition's append lock serialises them) alongside any number of readers (TranslateOffset, ReadAt,
// FindOffsetByTimestamp, ShouldRoll and the accessors). Readers see a prefix of the appended batches: size()
// is published only after the bytes are written.
#ifndef SEGLOG_SEGMENT_H_
#define SEGLOG_SEGMENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "seglog/file_system.h"
#include "seglog/mutex.h"
#include "seglog/sparse_index.h"

namespace seglog {

// The per-topic settings a segment needs (Kafka's names in comments; defaults are Kafka's).
struct SegmentConfig {
  int64_t segment_bytes = 1024 * 1024 * 1024;  // segment.bytes
  int64_t segment_ms = 7 * 24 * 3600 * 1000LL;  // segment.ms
  size_t index_interval_bytes = 4096;          // index.interval.bytes
  size_t segment_index_bytes = 10 * 1024 * 1024;  // segment.index.bytes
};

// What one Append adds (the partition computes it while assigning offsets).
struct AppendInfo {
  int64_t last_offset = 0;              // last offset of the last batch
  int64_t max_timestamp = -1;           // largest batch MaxTimestamp among the batches
  int64_t offset_of_max_timestamp = 0;  // last offset of the batch holding it
};

// Where a batch sits in the log.
struct BatchPosition {
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  uint64_t position = 0;  // byte position in the .log
  uint32_t size = 0;      // bytes of the whole batch
};

struct RecoveryResult {
  uint64_t valid_bytes = 0;      // bytes of whole valid batches kept
  uint64_t truncated_bytes = 0;  // bytes cut from the tail
  int64_t batches = 0;           // valid batches
  int64_t next_offset = 0;       // offset after the last valid batch (the base offset if none)
  absl::Status stopped_by;       // why the scan stopped early (OK when it reached a clean end)
};

// The inputs of the roll decision (Kafka's RollParams).
struct RollParams {
  int64_t max_segment_bytes = 0;
  int64_t max_segment_ms = 0;
  int64_t max_timestamp_in_messages = -1;
  int64_t max_offset_in_messages = 0;
  int64_t messages_size = 0;
  int64_t now_ms = 0;
};

struct TimestampAndOffset {
  int64_t timestamp = -1;
  int64_t offset = 0;
  bool operator==(const TimestampAndOffset&) const = default;
};

class Segment {
 public:
  // Opens the segment `<dir>/<base>.log` (+ indexes), creating missing files. `created_ms` is the creation
  // time used by segment.ms when the segment has no timestamped batch; `roll_jitter_ms` is this segment's
  // share of segment.jitter.ms. An existing log is not validated here: call Recover() when the partition's
  // recovery rules say so. Indexes that are missing (for a non-empty log) or fail their sanity check are
  // started afresh and, with `rebuild_indexes`, rebuilt at once by Recover(); without, needs_recovery() says
  // so and the caller runs Recover() under its own rules.
  static absl::StatusOr<std::unique_ptr<Segment>> Open(FileSystem* fs, const std::string& dir, int64_t base_offset,
                                                      const SegmentConfig& config, int64_t created_ms,
                                                      int64_t roll_jitter_ms = 0, bool rebuild_indexes = true);
  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  // Appends whole batches (already carrying their offsets, all within 2^31-1 of the base offset). On a
  // write error the log's tail is unknown; the partition stops writing (kFailedPrecondition after that).
  absl::Status Append(std::string_view batches, const AppendInfo& info);

  // The first batch whose last offset is >= `offset`, searching from the offset index's entry (and not
  // before `start_position`). std::nullopt when no batch in the segment reaches `offset`.
  absl::StatusOr<std::optional<BatchPosition>> TranslateOffset(int64_t offset, uint64_t start_position = 0) const;

  // Appends to *out up to `max_bytes` of the log from `position` (fewer at the end). Returns bytes read.
  absl::StatusOr<size_t> ReadAt(uint64_t position, size_t max_bytes, std::string* out) const;

  // Validates every batch from the start (size, magic, CRC-32C, offsets increasing and in range), rebuilds
  // both indexes, and truncates the log after the last valid batch (a torn, garbage or zero-filled tail).
  // When the valid batches end before `required_offset` (data the caller knows was fsynced), nothing is
  // truncated and the result is kDataLoss naming the first invalid byte.
  absl::StatusOr<RecoveryResult> Recover(int64_t required_offset = -1);

  // Removes every batch whose last offset is >= `offset` (whole batches) and the index entries at or after
  // it. Returns the bytes removed.
  absl::StatusOr<uint64_t> TruncateTo(int64_t offset);

  // The first record whose timestamp is >= `timestamp` at an offset >= `starting_offset` (Kafka's
  // findOffsetByTimestamp), or std::nullopt if there is none in this segment.
  absl::StatusOr<std::optional<TimestampAndOffset>> FindOffsetByTimestamp(int64_t timestamp,
                                                                          int64_t starting_offset) const;

  // Every roll condition, in one place: the append would overflow segment.bytes; segment.ms (minus this
  // segment's jitter) has passed since the first batch's timestamp (or the segment's creation); an index is
  // full; or the append's last offset is not representable relative to the base offset.
  bool ShouldRoll(const RollParams& params) const;

  // The segment stops being active: appends the final time-index entry and trims both indexes.
  absl::Status OnBecomeInactive();
  // The segment will not grow again (a rolled segment found at open): reads map only its current size.
  void MarkInactive() { active_.store(false, std::memory_order_release); }
  // Resizes the indexes back to segment.index.bytes (an active segment after load or truncation).
  absl::Status ResizeIndexes();

  // Whole batches from the one holding `offset`: at most `max_bytes` of them (but the first whole when
  // `min_one_batch`), stopping before a batch whose base offset is >= `bound_offset`. Empty (length 0) when
  // no batch in the segment qualifies.
  struct Slice {
    bool holds_offset = false;  // some batch of this segment reaches `offset` (even if none was returned)
    uint64_t position = 0;
    uint64_t length = 0;
    int64_t next_offset = 0;  // after the last batch in the slice
    std::string_view bytes;   // valid while `pin` is held
    std::shared_ptr<const void> pin;
  };
  absl::StatusOr<Slice> Read(int64_t offset, size_t max_bytes, int64_t bound_offset, bool min_one_batch) const;

  // fdatasync of the log, msync of the indexes.
  absl::Status Flush();
  // fdatasync of the log only (the indexes are rebuilt by recovery if a crash loses them).
  absl::Status SyncLog();
  // Flushes nothing; trims and closes the indexes. Appends fail afterwards; reads keep working (the log's
  // descriptor stays open for readers until the Segment is destroyed).
  absl::Status Close();
  // Renames the three files to `*.deleted`, then removes them. A reader holding this Segment keeps working
  // until it lets go (open handles and mappings outlive the names).
  absl::Status Delete();

  int64_t base_offset() const { return base_offset_; }
  // Open found an index missing or inconsistent and did not rebuild it (rebuild_indexes = false).
  bool needs_recovery() const { return needs_recovery_; }
  uint64_t size() const { return size_.load(std::memory_order_acquire); }
  // The largest timestamp in the segment (-1 if none) and the offset of the batch holding it.
  TimestampAndOffset max_timestamp() const;
  // The offset after the last batch, read from the log's tail (base offset if empty).
  absl::StatusOr<int64_t> ReadNextOffset() const;
  const std::string& log_path() const { return log_path_; }
  // The .log's descriptor for sendfile, -1 where there is none. Valid while the segment is open.
  int log_fd() const;
  const SparseIndex& offset_index() const { return *offset_index_; }
  const SparseIndex& time_index() const { return *time_index_; }

 private:
  Segment(FileSystem* fs, std::string dir, int64_t base_offset, const SegmentConfig& config, int64_t created_ms,
          int64_t roll_jitter_ms);

  // The log's bytes as a reader sees them: the published size and a mapping covering it (null when empty).
  // Taken once per operation, so walking batch headers costs no lock, syscall or copy per batch.
  struct LogView {
    std::shared_ptr<const FileRegion> region;
    uint64_t end = 0;
  };
  absl::StatusOr<LogView> View() const;
  // The batch whose header starts at `position`; std::nullopt at the end of the view or a partial batch.
  static std::optional<BatchPosition> BatchAt(const LogView& view, uint64_t position);
  // The first batch at or after the offset index's entry for `offset` (and `start_position`) whose last
  // offset is >= `offset`.
  std::optional<BatchPosition> Translate(const LogView& view, int64_t offset, uint64_t start_position) const;
  // A read-only mapping of the log covering at least [0, end) (end <= size()), shared by readers and
  // replaced when the log outgrows it or is truncated. An active segment maps segment.bytes ahead so that
  // tailing readers do not remap on every append.
  absl::StatusOr<std::shared_ptr<const FileRegion>> RegionCovering(uint64_t end) const;
  void DropRegion();
  // Appends an index entry for a write of `bytes` at `position` ending at `last_offset` when due.
  absl::Status MaybeIndexLocked(uint64_t position, int64_t last_offset);
  void ObserveTimestamp(int64_t max_timestamp, int64_t offset);

  FileSystem* const fs_;
  const std::string dir_;
  const int64_t base_offset_;
  const SegmentConfig config_;
  const int64_t created_ms_;
  const int64_t roll_jitter_ms_;
  const std::string log_path_;

  std::unique_ptr<File> log_;
  std::unique_ptr<SparseIndex> offset_index_;
  std::unique_ptr<SparseIndex> time_index_;
  std::atomic<uint64_t> size_{0};
  uint64_t bytes_since_last_index_entry_ = 0;              // writer only
  std::atomic<int64_t> max_timestamp_{-1};                 // largest timestamp so far
  std::atomic<int64_t> offset_of_max_timestamp_{0};
  std::atomic<int64_t> rolling_based_timestamp_{-1};       // first batch's MaxTimestamp, -1 if unknown
  bool closed_ = false;
  bool deleted_ = false;
  bool needs_recovery_ = false;
  std::atomic<bool> active_{true};
  mutable SharedMutex region_mu_;
  mutable std::shared_ptr<const FileRegion> region_ ABSL_GUARDED_BY(region_mu_);
};

}  // namespace seglog

#endif  // SEGLOG_SEGMENT_H_

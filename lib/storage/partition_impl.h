// Partition::Impl: a partition's machinery behind the public Partition (include/seglog/partition.h), which
// forwards to it. The append mutex and what it guards, the offsets published to lock-free readers, the
// segment-list snapshot, group commit, waiting for data and the data listeners.
//
// Source files: partition.cc (the public forwarders), partition_append.cc (append path, roll, append
// buffer), partition_read.cc (reads, waiting, timestamp lookup, listeners), partition_sync.cc (flush and
// group commit), partition_open.cc (open, recovery, close), partition_retention.cc (retention, truncation),
// partition_invariants.cc (the offset and segment-list invariants), producer_state.cc (idempotence).
//
// Thread safety: as Partition. Appends, roll, flush's bookkeeping, retention, truncation and close serialise
// on `mu_`; readers use the published atomics and the immutable SegmentList snapshot. Lock order: mu_,
// then group_commit_'s mutex or segments_mu_ or data_mu_; listeners_mu_ is never held with mu_.
#ifndef SEGLOG_LIB_STORAGE_PARTITION_IMPL_H_
#define SEGLOG_LIB_STORAGE_PARTITION_IMPL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "seglog/batch_builder.h"
#include "seglog/clock.h"
#include "seglog/file_system.h"
#include "seglog/log_files.h"
#include "seglog/mutex.h"
#include "seglog/partition.h"
#include "seglog/segment.h"
#include "storage/group_commit.h"

namespace seglog {

namespace internal {
class ProducerStateTable;  // storage/producer_state.h
}  // namespace internal

class Partition::Impl {
 public:
  struct SegmentList;
  class BuilderPool;
  class DataListenerNotifier;
  struct PendingAppend;

  Impl(std::string dir, TopicPartition tp, const PartitionOptions& options);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // The public operations (partition.h documents them).
  static absl::StatusOr<std::unique_ptr<Impl>> Open(const std::string& dir, const PartitionOptions& options,
                                                    RecoveryReport* report);
  absl::StatusOr<AppendResult> Append(absl::Span<const Record> records, const AppendOptions& options);
  absl::StatusOr<AppendResult> AppendBatches(std::string_view batches, const AppendOptions& options);
  absl::StatusOr<ReadResult> Read(int64_t offset, const ReadOptions& options) const;
  absl::Status WaitForData(int64_t offset, absl::Time deadline, bool up_to_log_end) const;
  absl::StatusOr<std::optional<TimestampAndOffset>> OffsetForTimestamp(int64_t timestamp) const;
  absl::Status Flush();
  absl::Status MaybeFlush();
  uint64_t AddDataListener(std::function<void()> listener);
  void RemoveDataListener(uint64_t id);
  absl::Status Roll();
  absl::StatusOr<RetentionResult> EnforceRetention();
  absl::Status DeleteRecordsBefore(int64_t offset);
  absl::Status TruncateTo(int64_t offset);
  absl::Status Close();

  int64_t log_start_offset() const { return log_start_offset_.load(std::memory_order_acquire); }
  int64_t log_end_offset() const { return log_end_offset_.load(std::memory_order_acquire); }
  int64_t high_watermark() const { return high_watermark_.load(std::memory_order_acquire); }
  int64_t recovery_point() const { return recovery_point_.load(std::memory_order_acquire); }
  PartitionCheckpoint checkpoint() const;
  const std::string& dir() const { return dir_; }
  const TopicPartition& topic_partition() const { return topic_partition_; }
  const PartitionConfig& config() const { return config_; }
  int num_segments() const;
  uint64_t size_bytes() const;
  std::vector<int64_t> segment_base_offsets() const;

 private:
  std::shared_ptr<const SegmentList> segments() const ABSL_LOCKS_EXCLUDED(segments_mu_);
  void PublishSegmentsLocked(std::shared_ptr<const SegmentList> list) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Asserts (without NDEBUG) log_start_offset <= high_watermark <= log_end_offset, recovery_point <=
  // log_end_offset, written_end <= log_end_offset, and a non-empty segment list strictly ordered by base
  // offset whose last segment is active_. Called wherever any of them moves (partition_invariants.cc).
  void CheckInvariantsLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
#ifndef NDEBUG
    CheckInvariantsNowLocked();
#endif
  }
  void CheckInvariantsNowLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Open helpers (partition_open.cc).
  absl::Status LoadLocked(RecoveryReport* report) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RecoverLocked(std::vector<std::shared_ptr<Segment>>* segments, int64_t recovery_point,
                             bool validate_tail, RecoveryReport* report) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Opens the segment at `base_offset`; `create`: it is new, and its name is made durable (SyncDir).
  absl::StatusOr<std::shared_ptr<Segment>> OpenSegmentLocked(int64_t base_offset, bool create)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteCheckpointsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Append path (partition_append.cc).
  absl::StatusOr<AppendResult> AppendPrepared(PendingAppend* pending, const AppendOptions& options);
  // Assigns offsets, rolls if due, writes (or buffers); `*sync`: the caller must SyncTo the result after
  // unlocking (a durable append, or the flush policy tripped).
  absl::Status AppendPreparedLocked(PendingAppend* pending, const AppendOptions& options, AppendResult* result,
                                    bool* sync) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Checks the idempotent batches of `pending` against the producer state (producer_state.cc). All
  // duplicates: *duplicate is set and *result holds the original append.
  absl::Status CheckProducersLocked(const PendingAppend& pending, AppendResult* result, bool* duplicate)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records the idempotent batches of `pending`, appended from `base_offset`.
  void RecordProducersLocked(const PendingAppend& pending, int64_t base_offset) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status EncodeRecords(BatchBuilder* builder, absl::Span<const Record> records, int64_t now,
                             PendingAppend* pending) const;
  // Appends of up to this many records are encoded under the append mutex (with small_builder_).
  static constexpr size_t kEncodeUnderLockRecords = 16;
  absl::Status DrainForRead() const ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status CheckWritableLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status MaybeRollLocked(const RollParams& params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RollLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes the append buffer to the active segment and publishes it to readers.
  absl::Status DrainLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Publishes the written end to readers and wakes waiters.
  void PublishEndLocked(int64_t written_end) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UpdateHighWatermarkLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Calls every data listener (without the append mutex).
  void NotifyDataListeners() ABSL_LOCKS_EXCLUDED(mu_, listeners_mu_);
  // Rebuilds producer_state_ from the batch headers of the newest producer_state_segments segments (called
  // lazily, by the first idempotent append).
  absl::Status RebuildProducerStateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records a write/fsync failure: the partition refuses writes until reopened.
  void FailLocked(const absl::Status& cause) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Group commit (partition_sync.cc): returns once everything below `offset` is fsynced.
  absl::Status SyncTo(int64_t offset) ABSL_LOCKS_EXCLUDED(mu_);
  void WakeWaiters() const ABSL_LOCKS_EXCLUDED(data_mu_);

  // Retention / truncation (partition_retention.cc).
  // Deletes the `count` oldest segments (rolling first if that is all of them) and moves the log start.
  absl::StatusOr<RetentionResult> DeleteSegmentsLocked(size_t count) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  size_t DeletableSegmentsLocked(const SegmentList& list, int64_t now_ms, bool by_start_offset_only) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string dir_;
  const TopicPartition topic_partition_;
  FileSystem* const fs_;
  Clock* const clock_;
  const PartitionConfig config_;
  const std::optional<PartitionCheckpoint> given_checkpoint_;  // none: keeps its own marker, checkpoints, lock
  const int producer_state_segments_;
  bool self_managed() const { return !given_checkpoint_.has_value(); }

  // The append mutex: writes, roll, retention, truncation, close.
  mutable Mutex mu_;
  std::shared_ptr<const SegmentList> segments_ ABSL_GUARDED_BY(segments_mu_);
  mutable Mutex segments_mu_ ABSL_ACQUIRED_AFTER(mu_);  // held only to copy or swap segments_
  Segment* active_ ABSL_GUARDED_BY(mu_) = nullptr;        // the last of segments_, for the append path
  BatchBuilder small_builder_ ABSL_GUARDED_BY(mu_);
  std::string append_buffer_ ABSL_GUARDED_BY(mu_);         // batches assigned but not yet written
  AppendInfo buffer_info_ ABSL_GUARDED_BY(mu_);
  int64_t unflushed_messages_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_flush_ms_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status failed_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<FileLock> lock_ ABSL_GUARDED_BY(mu_);
  absl::BitGen jitter_rng_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<BuilderPool> builders_;
  std::unique_ptr<internal::ProducerStateTable> producer_state_ ABSL_PT_GUARDED_BY(mu_);
  // producer_state_ is built from the log by the first idempotent append (until then it holds nothing, and
  // opening a partition reads no batch headers for it).
  bool producer_state_loaded_ ABSL_GUARDED_BY(mu_) = false;

  // Published to lock-free readers; written under mu_ (recovery_point_ also under group_commit_'s mutex).
  std::atomic<int64_t> log_start_offset_{0};
  std::atomic<int64_t> log_end_offset_{0};  // next offset to assign
  std::atomic<int64_t> written_end_{0};     // offsets below it are in the log file (not the append buffer)
  std::atomic<uint64_t> truncations_{0};    // bumped by TruncateTo: an fsync begun before does not count
  std::atomic<int64_t> high_watermark_{0};
  std::atomic<int64_t> recovery_point_{0};
  std::atomic<bool> closed_flag_{false};

  internal::GroupCommit group_commit_;

  // Waiting for data.
  mutable Mutex data_mu_ ABSL_ACQUIRED_AFTER(mu_);
  mutable CondVar data_cv_;
  mutable std::atomic<int> waiters_{0};

  // Data listeners. The map is read (shared) while listeners run and written (exclusive) to add or remove
  // one, which therefore waits for running listeners. Shared, because several threads may notify at once.
  mutable SharedMutex listeners_mu_;
  std::map<uint64_t, std::function<void()>> listeners_ ABSL_GUARDED_BY(listeners_mu_);
  uint64_t next_listener_id_ ABSL_GUARDED_BY(listeners_mu_) = 1;
  std::atomic<int> listener_count_{0};
  std::atomic<bool> high_watermark_moved_{false};  // set (when listeners exist) by UpdateHighWatermarkLocked
};

}  // namespace seglog

#endif  // SEGLOG_LIB_STORAGE_PARTITION_IMPL_H_

// Partition: one `<topic>-<partition>` directory of Kafka-format segments (Kafka's UnifiedLog + LocalLog):
// append with offset assignment, zero-copy reads, roll, flush with group commit, crash recovery, retention
// and truncation.
//
//   auto fs = seglog::NewPosixFileSystem();
//   seglog::PartitionOptions options{.fs = fs.get(), .create_if_missing = true};
//   SEGLOG_ASSIGN_OR_RETURN(auto partition, seglog::Partition::Open("/data/orders-0", options));
//   seglog::Record records[] = {{.key = "k", .value = "hello"}};
//   SEGLOG_ASSIGN_OR_RETURN(seglog::AppendResult r, partition->Append(records, {.durable = true}));
//   SEGLOG_ASSIGN_OR_RETURN(seglog::ReadResult read, partition->Read(r.base_offset));
//   // read.bytes holds whole RecordBatches (BatchView::Parse each); read.file is the same bytes for sendfile.
//   SEGLOG_RETURN_IF_ERROR(partition->Close());
//
// Offsets (doc/design/overview.md): log_start_offset <= high_watermark <= log_end_offset, and recovery_point <=
// log_end_offset, where everything below the recovery point is fsynced. Readers see up to the high
// watermark: the log end offset, or the recovery point when PartitionConfig::high_watermark_is_flushed.
//
// Recovery (doc/design/partition.md): a partition keeps Kafka's clean-shutdown marker and recovery-point /
// log-start-offset checkpoints. After an unclean shutdown the segments from the recovery point on are
// validated; the log is cut at the first invalid batch, later segments are deleted and indexes rebuilt;
// RecoveryReport says what was dropped. A bad batch below the recovery point (data that was fsynced) fails
// Open with kDataLoss unless PartitionConfig::truncate_corrupt_flushed_data.
//
// Thread safety: every method may be called from any thread. Appends (and roll, flush, retention, truncate,
// close) serialise on one append mutex; readers never take it, except that a read that reaches data still in
// the append buffer (PartitionConfig::append_buffer_bytes > 0) writes that buffer out first. ReadResults stay
// valid while held, even after retention deletes their segment or the partition closes.
#ifndef SEGLOG_PARTITION_H_
#define SEGLOG_PARTITION_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "seglog/batch_builder.h"
#include "seglog/clock.h"
#include "seglog/file_system.h"
#include "seglog/log_files.h"
#include "seglog/record_batch.h"
#include "seglog/segment.h"

namespace seglog {

// A topic's per-partition settings (Kafka's names in comments; defaults are Kafka's).
struct PartitionConfig {
  SegmentConfig segment = {};                    // segment.bytes, segment.ms, index.interval.bytes, ...
  int64_t segment_jitter_ms = 0;                 // segment.jitter.ms
  int32_t max_message_bytes = 1048588;           // max.message.bytes: the largest batch accepted
  TimestampType timestamp_type = TimestampType::kCreateTime;  // message.timestamp.type
  int64_t retention_ms = 7 * 24 * 3600 * 1000LL;  // retention.ms (-1: keep forever)
  int64_t retention_bytes = -1;                  // retention.bytes (-1: no size limit)
  int64_t flush_messages = std::numeric_limits<int64_t>::max();  // flush.messages
  int64_t flush_ms = std::numeric_limits<int64_t>::max();        // flush.ms (checked on append)
  // Bytes of appends gathered in memory before one write() (0: every append is written at once, so a
  // process crash loses nothing appended; Kafka's behaviour). Buffered appends survive a process crash only
  // once written out: by a later append filling the buffer, a read reaching them, Flush, a durable append,
  // a roll or Close.
  size_t append_buffer_bytes = 0;
  // Readers see only fsynced data (the high watermark is the recovery point).
  bool high_watermark_is_flushed = false;
  // Recovery cuts a corrupt batch below the recovery point (fsynced data) instead of failing with kDataLoss.
  bool truncate_corrupt_flushed_data = false;
};

// Recovery state kept for the partition by its owner (a Store keeps it for all partitions at the top of
// its data directory, as Kafka does).
struct PartitionCheckpoint {
  bool clean_shutdown = false;
  int64_t recovery_point = 0;
  int64_t log_start_offset = 0;
};

struct PartitionOptions {
  FileSystem* fs = nullptr;  // borrowed; must outlive the partition
  Clock* clock = nullptr;    // borrowed; SystemClock() when null
  bool create_if_missing = false;
  PartitionConfig config = {};
  // With a value, recovery uses it and the partition writes no marker or checkpoint files of its own (the
  // owner persists checkpoint() after Close). Without, the partition keeps `.seglog_cleanshutdown`,
  // `recovery-point-offset-checkpoint` and `log-start-offset-checkpoint` in its directory and locks `.lock`.
  std::optional<PartitionCheckpoint> checkpoint = std::nullopt;
  // How many of the newest segments Open (and TruncateTo) scan to rebuild the idempotent-producer state (the
  // last batches of each producer id). A producer whose last batch is older is unknown, and its next batch
  // is accepted at any sequence (as Kafka does when retention removed a producer's batches).
  int producer_state_segments = 2;
};

// What Open found and did.
struct RecoveryReport {
  bool clean_shutdown = false;
  int64_t recovery_point = 0;  // where validation started (the checkpoint)
  int segments = 0;            // segments after opening
  int segments_recovered = 0;  // validated (or rebuilt because an index was missing or bad)
  uint64_t bytes_recovered = 0;
  // Data dropped: bytes cut from the first segment with an invalid batch plus the bytes of the later
  // segments deleted after it, and the offsets of the valid batches dropped with them.
  uint64_t bytes_truncated = 0;
  int segments_deleted = 0;
  int64_t log_end_offset = 0;          // after recovery: the first offset that may have been dropped
  int64_t dropped_up_to_offset = -1;   // one past the last offset of a valid batch dropped (-1: none)
  absl::Status first_invalid_batch = absl::OkStatus();  // why the scan stopped (OK when it reached a clean end)
};

// A record to append: seglog::Record (batch_builder.h). Null key or value as std::nullopt; a negative timestamp
// means "now" (the partition's clock).

struct AppendOptions {
  // Return only after the records are fsynced (concurrent durable appends share one fdatasync).
  bool durable = false;
};

struct AppendResult {
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  int64_t log_append_time = -1;  // the timestamp written when the topic uses LogAppendTime, else -1
  int64_t max_timestamp = -1;    // the largest batch MaxTimestamp appended
  int64_t records = 0;
  uint64_t bytes = 0;  // bytes written (0 for a duplicate)
  // The batches repeat batches an idempotent producer already appended (a retry): nothing was written and
  // the offsets, max_timestamp and records are those of the original append.
  bool duplicate = false;
};

struct ReadOptions {
  size_t max_bytes = 1024 * 1024;
  bool min_one_batch = true;  // return the first batch whole even if it is larger than max_bytes
  bool up_to_log_end = false;  // read past the high watermark, up to the log end offset
};

// The bytes of a read in the segment file, for a broker to hand to sendfile(2).
struct FileSlice {
  int fd = -1;  // -1 on a file system without descriptors (in-memory)
  uint64_t position = 0;
  uint64_t length = 0;
};

// Whole batches from one segment. `bytes` (zero-copy) and `file` stay valid while `pin` is held.
struct ReadResult {
  std::string_view bytes = {};  // empty at the high watermark
  FileSlice file = {};
  int64_t next_offset = 0;  // the offset after the last batch returned (the offset asked for when empty)
  int64_t log_start_offset = 0;
  int64_t high_watermark = 0;
  int64_t log_end_offset = 0;
  std::shared_ptr<const void> pin = nullptr;
};

struct RetentionResult {
  int segments_deleted = 0;
  uint64_t bytes_deleted = 0;
  int64_t log_start_offset = 0;
};

class Partition {
 public:
  // Opens (with options.create_if_missing, creates) the partition directory `dir`, named
  // `<topic>-<partition>`, recovering it as described above. `report`, if given, receives what recovery did.
  // Errors: kInvalidArgument for bad options or directory name, kNotFound for a missing directory,
  // kFailedPrecondition if another Partition has it open, kDataLoss for corrupt fsynced data, I/O errors.
  static absl::StatusOr<std::unique_ptr<Partition>> Open(const std::string& dir, const PartitionOptions& options,
                                                        RecoveryReport* report = nullptr);
  // Closes if Close() was not called (errors are dropped: call Close() to see them).
  ~Partition();
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;

  // Appends `records` as one batch at the log end offset. kInvalidArgument for no records or a batch larger
  // than max.message.bytes; kOutOfRange when an offset would pass INT64_MAX - 1; kFailedPrecondition when
  // closed or failed after an I/O error (sticky until reopened); the I/O error itself for the append that hit it.
  absl::StatusOr<AppendResult> Append(absl::Span<const Record> records, const AppendOptions& options = {});

  // Appends already-built RecordBatch v2 bytes (one or more whole batches, from a producer or a replica).
  // Each is validated (size, magic, CRC, record count, max.message.bytes) before anything is written; the
  // partition assigns offsets by rewriting each base offset (the CRC does not cover it) and, for a
  // LogAppendTime topic, sets the batch's timestamp type and MaxTimestamp and recomputes its CRC.
  //
  // Idempotent batches (producer id >= 0 and base sequence >= 0) are checked against the producer's state
  // (Kafka's ProducerStateManager; doc/design/partition.md), each after the ones before it in the call:
  // - the same producer id, epoch, first and last sequence as one of the producer's last 5 batches: a
  //   duplicate. When every batch of the call is a duplicate nothing is written and the result holds the
  //   original offsets with `duplicate` set; a call mixing duplicates and new batches is kInvalidArgument.
  // - an epoch older than the producer's: kAborted (the producer is fenced).
  // - a newer epoch not starting at sequence 0, or within the epoch a base sequence other than the last
  //   sequence + 1 (wrapping at INT32_MAX): kInvalidArgument ("out of order sequence", Kafka's
  //   OutOfOrderSequenceException). A producer id the partition does not know may start at any sequence.
  // Nothing of the call is written when any batch fails; kOutOfRange when an offset would pass INT64_MAX - 1.
  absl::StatusOr<AppendResult> AppendBatches(std::string_view batches, const AppendOptions& options = {});

  // Whole batches of one segment starting with the batch that holds `offset`, up to options.max_bytes (at
  // least one batch with min_one_batch), below the high watermark (or the log end offset). The result is
  // empty when `offset` is at that bound. kOutOfRange below the log start offset or past the log end offset;
  // kFailedPrecondition once the partition is closed (results read before stay valid).
  absl::StatusOr<ReadResult> Read(int64_t offset, const ReadOptions& options = {}) const;

  // Blocks until data at `offset` is readable (the high watermark, or with `up_to_log_end` the log end
  // offset, passes it), without polling. kDeadlineExceeded when `deadline` passes first; kFailedPrecondition
  // if the partition closes meanwhile.
  absl::Status WaitForData(int64_t offset, absl::Time deadline, bool up_to_log_end = false) const;

  // The first record whose timestamp is >= `timestamp` (below the high watermark), via the time indexes;
  // std::nullopt when there is none. kFailedPrecondition once the partition is closed.
  absl::StatusOr<std::optional<TimestampAndOffset>> OffsetForTimestamp(int64_t timestamp) const;

  // Makes everything appended so far durable (log and indexes) and records the recovery point.
  absl::Status Flush();
  // Flush() if flush.ms has passed since the last flush (or fsync round) and there is unflushed data;
  // otherwise OK without doing anything (a Store's housekeeping calls it periodically). kFailedPrecondition
  // when closed or failed; Flush()'s errors.
  absl::Status MaybeFlush();

  // Registers `listener`, called whenever the high watermark moves (appends; fsyncs when
  // high_watermark_is_flushed; truncation) and once when the partition closes. It runs on the thread that
  // moved the high watermark, after that thread let go of the partition's append mutex, possibly on several
  // threads at once and possibly more than once per move. It must be quick, may read the partition
  // (high_watermark(), Read, ...) but must not call AddDataListener / RemoveDataListener, and must not take
  // a lock that a thread calling RemoveDataListener holds. Moves that happened before AddDataListener
  // returned may not be reported: check high_watermark() after adding. Returns an id for RemoveDataListener.
  uint64_t AddDataListener(std::function<void()> listener);
  // Unregisters a listener (unknown ids are ignored). When it returns, the listener is not running and is
  // never called again.
  void RemoveDataListener(uint64_t id);
  // Starts a new segment at the log end offset now (no-op when the active segment is empty).
  absl::Status Roll();

  // Deletes whole segments below the log start offset, over retention.bytes, or older than retention.ms
  // (in that order, oldest first, never past the high watermark), rolling first when every segment goes.
  absl::StatusOr<RetentionResult> EnforceRetention();
  // Moves the log start offset to `offset` (Kafka's DeleteRecords) and deletes the segments wholly below it.
  // kOutOfRange past the high watermark; no-op at or below the current log start offset.
  absl::Status DeleteRecordsBefore(int64_t offset);
  // Removes every batch at or after `offset` (for replication). A batch is never split: when `offset` falls
  // inside one, that whole batch goes and the log end becomes its base offset. When that is below the log
  // start offset the log is emptied and restarts there. An owner keeping the checkpoints
  // (PartitionOptions::checkpoint) must persist checkpoint() afterwards.
  absl::Status TruncateTo(int64_t offset);

  // Writes out and fsyncs everything, trims the indexes, records the checkpoints and the clean-shutdown
  // marker. Later calls fail with kFailedPrecondition; the first error is returned.
  absl::Status Close();

  // The offsets, each one atomic load (readers never take the append mutex).
  int64_t log_start_offset() const;
  int64_t log_end_offset() const;
  int64_t high_watermark() const;
  int64_t recovery_point() const;
  // The state an owner persists (see PartitionOptions::checkpoint).
  PartitionCheckpoint checkpoint() const;

  const std::string& dir() const;
  const TopicPartition& topic_partition() const;
  const PartitionConfig& config() const;
  int num_segments() const;
  // Bytes of all segments' .log files.
  uint64_t size_bytes() const;
  // Base offsets of the segments, oldest first.
  std::vector<int64_t> segment_base_offsets() const;

 private:
  class Impl;  // lib/storage/partition_impl.h
  explicit Partition(std::unique_ptr<Impl> impl);

  const std::unique_ptr<Impl> impl_;
};

}  // namespace seglog

#endif  // SEGLOG_PARTITION_H_

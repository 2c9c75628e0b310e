// Consumer: reads records from assigned partitions of a Store by polling, with Kafka's consumer semantics
// (positions, auto.offset.reset, seek, pause/resume, long poll) but without consumer groups.
//
//   seglog::ConsumerOptions options;
//   options.auto_offset_reset = seglog::OffsetReset::kEarliest;
//   SEGLOG_ASSIGN_OR_RETURN(std::unique_ptr<seglog::Consumer> consumer,
//                           seglog::Consumer::Create(store.get(), options));
//   SEGLOG_RETURN_IF_ERROR(consumer->Assign({{"orders", 0}, {"orders", 1}}));
//   while (running) {
//     SEGLOG_ASSIGN_OR_RETURN(seglog::ConsumerRecords records, consumer->Poll(absl::Seconds(1)));
//     for (const seglog::ConsumerRecord& r : records) Use(r.partition, r.offset, r.key, r.value);
//   }
//   SEGLOG_RETURN_IF_ERROR(consumer->Close());
//
// Positions: each assigned partition has a position, the offset of the next record Poll returns. A partition
// gets one from Seek / SeekToBeginning / SeekToEnd / SeekToTimestamp, or else from auto_offset_reset when it
// is first polled. A position outside [log start offset, log end offset] (for example below the log start
// after retention or DeleteRecordsBefore) is out of range: Poll resets it by auto_offset_reset (kEarliest:
// the log start offset, kLatest: the high watermark) or, with kNone, fails with kOutOfRange. Poll never
// returns data at or beyond a partition's high watermark; control batches are skipped.
//
// Long poll: Poll waits, without polling, until data arrives on any assigned partition that is not paused,
// the timeout passes (by ConsumerOptions::clock) or Wakeup() is called. Records are taken round-robin across
// partitions, so a busy partition does not starve the others; max_poll_records, max_partition_fetch_bytes
// and fetch_max_bytes bound one poll. doc/design/consumer.md has the details.
//
// Ownership: the records of a ConsumerRecords point into pinned segment bytes and decompression buffers
// that the ConsumerRecords owns: they stay valid as long as it lives, across later polls, retention and
// Close. The same holds for ConsumerBatches (PollBatches). The Store must outlive the Consumer.
//
// Thread safety: a Consumer is used by one thread at a time (like Kafka's KafkaConsumer), except Wakeup(),
// which any thread may call at any time. ConsumerRecords and ConsumerBatches are immutable values that may
// be moved to and read on any thread.
#ifndef SEGLOG_CONSUMER_H_
#define SEGLOG_CONSUMER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "seglog/batch_view.h"
#include "seglog/clock.h"
#include "seglog/log_files.h"
#include "seglog/record_batch.h"

namespace seglog {

class Store;
namespace internal {
class ConsumerFetcher;
}  // namespace internal

// auto.offset.reset: where a partition without a valid position starts.
enum class OffsetReset {
  kEarliest,  // the log start offset
  kLatest,    // the high watermark (only records produced from now on)
  kNone,      // no reset: Poll fails (kFailedPrecondition without a position, kOutOfRange when out of range)
};

// "earliest", "latest" or "none" (Kafka's values); kInvalidArgument naming the value otherwise.
absl::StatusOr<OffsetReset> ParseOffsetReset(std::string_view name);
std::string_view OffsetResetName(OffsetReset reset);

struct ConsumerOptions {
  OffsetReset auto_offset_reset = OffsetReset::kLatest;  // auto.offset.reset
  int max_poll_records = 500;                            // max.poll.records (>= 1)
  // max.partition.fetch.bytes: bytes read from one partition in one poll (the first batch is returned whole
  // even when it is larger, as in Kafka).
  int32_t max_partition_fetch_bytes = 1024 * 1024;
  // fetch.max.bytes: bytes read across all partitions in one poll (again at least one batch).
  int32_t fetch_max_bytes = 50 * 1024 * 1024;
  // check.crcs: verify each batch's CRC-32C before returning its records (kDataLoss on a mismatch).
  bool check_crcs = true;
  // Bounds decompression (a compressed batch may not inflate beyond decode.max_uncompressed_bytes).
  DecodeOptions decode = {};
  // Times the poll timeout; null: the Store's clock. Borrowed; must outlive the Consumer.
  Clock* clock = nullptr;
};

// One record returned by Poll. The views are valid as long as the ConsumerRecords holding it lives.
struct ConsumerRecord {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = -1;
  TimestampType timestamp_type = TimestampType::kCreateTime;
  std::optional<std::string_view> key;    // std::nullopt: Kafka's null key
  std::optional<std::string_view> value;  // std::nullopt: a tombstone
  RecordHeaders headers;                  // iterate: for (const RecordHeader& h : r.headers)
};

// The records of one Poll, grouped by partition (each partition's records in offset order), in the order the
// partitions were read. Move-only; owns everything its records point into.
class ConsumerRecords {
 public:
  using const_iterator = std::vector<ConsumerRecord>::const_iterator;

  ConsumerRecords() = default;
  ConsumerRecords(ConsumerRecords&&) noexcept = default;
  ConsumerRecords& operator=(ConsumerRecords&&) noexcept = default;
  ConsumerRecords(const ConsumerRecords&) = delete;
  ConsumerRecords& operator=(const ConsumerRecords&) = delete;

  size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  const ConsumerRecord& operator[](size_t i) const { return records_[i]; }
  const_iterator begin() const { return records_.begin(); }
  const_iterator end() const { return records_.end(); }
  // The records of one partition (empty when it has none here), as a contiguous span.
  absl::Span<const ConsumerRecord> records(const TopicPartition& tp) const;

 private:
  friend class internal::ConsumerFetcher;
  std::vector<ConsumerRecord> records_;
  // Segment pins, decompression buffers and topic names the records point into.
  std::vector<std::shared_ptr<const void>> keep_alive_;
};

// The batches PollBatches read from one partition: whole, validated RecordBatch v2 views straight from the
// segment (zero-copy; compressed batches stay compressed). The first batch may start before fetch_offset
// (a seek or a max_poll_records cut landed inside it): records below fetch_offset were already consumed and
// should be skipped. Control batches are left out.
struct PartitionBatches {
  std::string_view topic;
  int32_t partition = 0;
  int64_t fetch_offset = 0;  // the position the read started at
  int64_t next_offset = 0;   // the position after these batches
  int64_t high_watermark = 0;
  std::vector<BatchView> batches;
};

// What one PollBatches returned. Move-only; owns the pins its views point into.
class ConsumerBatches {
 public:
  ConsumerBatches() = default;
  ConsumerBatches(ConsumerBatches&&) noexcept = default;
  ConsumerBatches& operator=(ConsumerBatches&&) noexcept = default;
  ConsumerBatches(const ConsumerBatches&) = delete;
  ConsumerBatches& operator=(const ConsumerBatches&) = delete;

  const std::vector<PartitionBatches>& partitions() const { return partitions_; }
  bool empty() const { return partitions_.empty(); }
  // Batches over all partitions.
  size_t batch_count() const;

 private:
  friend class internal::ConsumerFetcher;
  std::vector<PartitionBatches> partitions_;
  std::vector<std::shared_ptr<const void>> keep_alive_;
};

class Consumer {
 public:
  // A consumer of `store` (borrowed; must outlive the Consumer) with nothing assigned. kInvalidArgument for
  // bad options (max_poll_records < 1, fetch sizes < 1) or a null store.
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(Store* store, const ConsumerOptions& options = {});
  // Closes if Close() was not called.
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Replaces the assignment with `partitions` (duplicates ignored; empty: unassign all). Partitions that stay
  // assigned keep their positions and pause state; new ones start without a position. kNotFound naming the
  // topic or partition when one does not exist (the assignment is then unchanged).
  absl::Status Assign(std::vector<TopicPartition> partitions);
  // The assigned partitions, in the order Assign was given them.
  std::vector<TopicPartition> assignment() const;

  // Sets the position of an assigned partition; the next Poll reads from `offset` (an offset inside a
  // batch returns records from that offset on). An offset out of range is reset by auto_offset_reset at the
  // next Poll. kFailedPrecondition if `tp` is not assigned; kInvalidArgument for a negative offset.
  absl::Status Seek(const TopicPartition& tp, int64_t offset);
  // Moves the positions of assigned partitions to the log start offset / the high watermark, evaluated at
  // the next Poll or Position (as in Kafka). An empty span means every assigned partition.
  // kFailedPrecondition if one of them is not assigned (nothing changes then).
  absl::Status SeekToBeginning(absl::Span<const TopicPartition> partitions = {});
  absl::Status SeekToEnd(absl::Span<const TopicPartition> partitions = {});
  // Moves the position to the first record with a timestamp >= `timestamp`, or to the high watermark when
  // there is none. kFailedPrecondition if not assigned; the partition's errors.
  absl::Status SeekToTimestamp(const TopicPartition& tp, int64_t timestamp);
  // The position of an assigned partition, resolving a pending SeekToBeginning/End or auto_offset_reset.
  // kFailedPrecondition if `tp` is not assigned, or it has no position and auto_offset_reset is kNone.
  absl::StatusOr<int64_t> Position(const TopicPartition& tp);

  // Stops (Pause) or restarts (Resume) returning records from assigned partitions; positions are kept.
  // kFailedPrecondition if one is not assigned (nothing changes then).
  absl::Status Pause(absl::Span<const TopicPartition> partitions);
  absl::Status Resume(absl::Span<const TopicPartition> partitions);
  std::vector<TopicPartition> paused() const;

  // The log start offset / high watermark of any partition of the store (assigned or not), like Kafka's
  // beginningOffsets / endOffsets. kNotFound for an unknown topic or partition.
  absl::StatusOr<int64_t> BeginningOffset(const TopicPartition& tp) const;
  absl::StatusOr<int64_t> EndOffset(const TopicPartition& tp) const;

  // Returns the next records of the assigned, non-paused partitions and advances their positions. Waits up
  // to `timeout` (zero: no wait) when there are none; returns an empty ConsumerRecords when the timeout
  // passes or Wakeup() is called first. Errors: kFailedPrecondition when closed or nothing is assigned, or a
  // partition has no position and auto_offset_reset is kNone; kOutOfRange naming the partition, its position
  // and the valid range when a position is out of range and auto_offset_reset is kNone; a partition's read
  // error (kDataLoss for a corrupt batch, kFailedPrecondition once its topic was deleted or the Store
  // closed). An error is returned only when no records were gathered before it (they are returned first).
  // After an error the next Poll starts with the partition after the failing one, so one broken partition
  // (say a deleted topic) does not keep the others from being read: its error shows again each time the
  // round-robin comes back to it, until the application reassigns or seeks.
  absl::StatusOr<ConsumerRecords> Poll(absl::Duration timeout);

  // Like Poll, but returns whole batches (zero-copy views of the segment bytes) instead of records, for hot
  // paths that decode themselves. The positions move past the returned batches. max_poll_records bounds
  // the records counted by the batches' record counts (at least one batch).
  absl::StatusOr<ConsumerBatches> PollBatches(absl::Duration timeout);

  // Makes the Poll blocked now (or, if none is, the next Poll) return at once with what it has, possibly
  // nothing. Callable from any thread while the Consumer exists (not from a signal handler: it locks).
  void Wakeup();

  // Drops the assignment and stops listening to partitions. Later calls fail with kFailedPrecondition.
  // Records already returned stay valid.
  absl::Status Close();

 private:
  class Impl;
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace seglog

#endif  // SEGLOG_CONSUMER_H_

// ConsumerFetcher: the Consumer's read path. Turns Partition::Read results into ConsumerRecords (records
// from the position on, control batches skipped, a poll's records budget respected mid-batch) or into
// ConsumerBatches (whole zero-copy batch views), and keeps what a poll read but did not return (the rest of
// the ReadResult and a reader inside the current batch) for the next poll, so a max_poll_records cut costs
// neither a second read nor a second decompression.
//
// Internal to seglog. Thread safety: used by the Consumer's polling thread only, except
// ConsumerPartition::wake_enabled, which the partition's data listener reads from appending threads.
#ifndef SEGLOG_LIB_CLIENT_CONSUMER_FETCHER_H_
#define SEGLOG_LIB_CLIENT_CONSUMER_FETCHER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "seglog/batch_view.h"
#include "seglog/consumer.h"
#include "seglog/partition.h"

namespace seglog::internal {

// What a poll read from a partition and has not returned yet. It continues at the partition's position;
// anything that moves the position otherwise drops it.
struct FetchLeftover {
  bool valid = false;
  std::shared_ptr<const void> pin;  // keeps `rest` (and the current batch) readable
  std::string_view rest;            // whole batches after the current one
  RecordReader* reader = nullptr;   // inside the current batch, or null between batches
  BatchHeader header;               // of the current batch
  uint64_t pin_poll = 0;            // the poll whose ConsumerRecords holds `pin` already
};

// One assigned partition.
struct ConsumerPartition {
  TopicPartition tp;
  std::shared_ptr<const std::string> topic_name;  // what records' topic views point into
  std::shared_ptr<Partition> partition;
  uint64_t listener_id = 0;
  bool has_listener = false;

  std::optional<int64_t> position;
  std::optional<OffsetReset> pending_reset;  // SeekToBeginning / SeekToEnd, applied at the next poll
  bool paused = false;
  // Read by the data listener: a paused partition does not wake a waiting poll.
  std::atomic<bool> wake_enabled{true};

  FetchLeftover leftover;
  // Readers of this partition: plain batches decode straight from the pinned bytes, so one reader serves
  // them all; a compressed batch's records point into its reader's buffer, which is shared with the
  // ConsumerRecords returned and replaced (not reset) while one still holds it.
  std::unique_ptr<RecordReader> plain_reader;
  std::shared_ptr<RecordReader> compressed_reader;
  uint64_t compressed_reader_poll = 0;  // the poll whose ConsumerRecords holds compressed_reader already
  uint64_t name_poll = 0;               // the poll whose ConsumerRecords holds topic_name already

  void SetPosition(int64_t offset) {
    position = offset;
    pending_reset.reset();
    DropLeftover();
  }
  void DropLeftover() {
    leftover.valid = false;
    leftover.pin.reset();
    leftover.rest = {};
    leftover.reader = nullptr;
  }
};

// Budget of one poll, shared by the partitions it reads.
struct FetchBudget {
  int64_t records_left = 0;
  int64_t bytes_left = 0;
};

class ConsumerFetcher {
 public:
  explicit ConsumerFetcher(const ConsumerOptions& options) : options_(options) {}
  ConsumerFetcher(const ConsumerFetcher&) = delete;
  ConsumerFetcher& operator=(const ConsumerFetcher&) = delete;

  // Appends records of `p` from its position (which must be set) to `out`, advancing the position, within
  // `budget` and max_partition_fetch_bytes. `poll` identifies the ConsumerRecords being filled. Errors: the
  // partition's (kOutOfRange from Read is returned as is, for the caller to apply auto.offset.reset),
  // kDataLoss / kInvalidArgument for a corrupt batch (records before it are kept).
  absl::Status FetchRecords(ConsumerPartition* p, uint64_t poll, FetchBudget* budget, ConsumerRecords* out);

  // Appends whole batches of `p` from its position to `out` (one PartitionBatches entry when there are
  // any), advancing the position past them. Same errors.
  absl::Status FetchBatches(ConsumerPartition* p, FetchBudget* budget, ConsumerBatches* out);

 private:
  absl::StatusOr<BatchView> ParseBatch(std::string_view bytes) const;
  // Reads at the position into p->leftover; false when there is nothing below the high watermark.
  absl::StatusOr<bool> Refill(ConsumerPartition* p, int64_t max_bytes, FetchBudget* budget);
  // Returns records of p->leftover until it or the budget runs out.
  absl::Status Drain(ConsumerPartition* p, uint64_t poll, FetchBudget* budget, ConsumerRecords* out);
  // Starts reading `batch` with the right reader (see ConsumerPartition).
  absl::Status StartBatch(ConsumerPartition* p, const BatchView& batch);

  const ConsumerOptions options_;
};

}  // namespace seglog::internal

#endif  // SEGLOG_LIB_CLIENT_CONSUMER_FETCHER_H_

// ProducerStateTable: what a partition remembers of each idempotent producer (Kafka's ProducerStateManager,
// simplified): the producer epoch and the last 5 batches appended (sequences, offsets, max timestamp), so a
// retried batch is recognised as a duplicate and a sequence gap or a fenced epoch is refused.
//
//   internal::ProducerStateTable table;
//   ProducerBatchId ids[] = {{.producer_id = 7, .epoch = 0, .first_sequence = 0, .last_sequence = 4}};
//   ASSIGN_OR_RETURN(auto checked, table.Check(ids, "orders-0"));  // checked[0]: nullopt = new batch
//   table.Record(ids[0], {.base_offset = 0, .last_offset = 4, .max_timestamp = ts});  // once written
//
// A batch is idempotent when its producer id >= 0 and base sequence >= 0; others (including Kafka's control
// batches, which carry sequence -1) are not tracked. The partition keeps one table, rebuilt from the batch
// headers of its newest segments by the first idempotent append after open, and cut back by truncation
// (doc/design/partition.md). Entries never
// expire (Kafka drops producers idle for producer.id.expiration.ms).
//
// Thread safety: none; the partition guards its table with the append mutex.
#ifndef SEGLOG_LIB_STORAGE_PRODUCER_STATE_H_
#define SEGLOG_LIB_STORAGE_PRODUCER_STATE_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "seglog/record_batch.h"

namespace seglog::internal {

// Who wrote a batch and which sequences it holds.
struct ProducerBatchId {
  int64_t producer_id = batch_format::kNoProducerId;
  int16_t epoch = batch_format::kNoProducerEpoch;
  int32_t first_sequence = batch_format::kNoSequence;
  int32_t last_sequence = batch_format::kNoSequence;

  bool idempotent() const { return producer_id >= 0 && first_sequence >= 0; }
  static ProducerBatchId Of(const BatchHeader& h) {
    return {h.producer_id, h.producer_epoch, h.base_sequence, h.last_sequence()};
  }
};

// Where a batch landed (Kafka's BatchMetadata, with the sequences in ProducerBatchId).
struct ProducerBatchPlace {
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  int64_t max_timestamp = -1;
};

class ProducerStateTable {
 public:
  // Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN.
  static constexpr size_t kBatchesPerProducer = 5;

  struct Batch {
    int32_t first_sequence = 0;
    int32_t last_sequence = 0;
    ProducerBatchPlace place;
  };
  struct Entry {
    int16_t epoch = 0;
    std::deque<Batch> batches;  // oldest first, at most kBatchesPerProducer; never empty
  };

  ProducerStateTable() = default;
  ProducerStateTable(const ProducerStateTable&) = delete;
  ProducerStateTable& operator=(const ProducerStateTable&) = delete;

  // Checks the batches of one append, in order, each after the earlier ones of the same call as if they had
  // been appended. For each: std::nullopt for a batch to append (or one that is not idempotent), or where
  // the duplicate it repeats was appended. Errors (naming `what`, the producer, and the numbers):
  // kAborted for an epoch older than the producer's; kInvalidArgument for an out-of-order sequence (a new
  // epoch not starting at 0, or a base sequence other than the last sequence + 1).
  absl::StatusOr<std::vector<std::optional<ProducerBatchPlace>>> Check(absl::Span<const ProducerBatchId> batches,
                                                                       std::string_view what) const;

  // Records an appended idempotent batch (ignores others). A different epoch replaces the producer's entry.
  void Record(const ProducerBatchId& id, const ProducerBatchPlace& place);

  // Forgets the batches at or after offset `end` (a truncated log), and producers left with none. Returns
  // whether some producer was left with none: what it appended before (perhaps under an older epoch, which
  // a new epoch's entry replaced) is then known only to the log.
  bool TruncateTo(int64_t end);
  void Clear() { entries_.clear(); }
  size_t size() const { return entries_.size(); }
  const Entry* Find(int64_t producer_id) const;

 private:
  std::unordered_map<int64_t, Entry> entries_;
};

}  // namespace seglog::internal

#endif  // SEGLOG_LIB_STORAGE_PRODUCER_STATE_H_

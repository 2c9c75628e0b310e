// PartitionModel: a plain in-memory model of one seglog::Partition (its offsets and the record at each
// offset) for model-based tests: what a partition must return now, and what it may hold after a crash.
//
//   seglog::test::PartitionModel model;
//   const int64_t base = model.Append({records});        // one batch; offsets assigned from log_end()
//   model.MarkDurable(model.log_end());                  // a durable append or a Flush covered them
//   ... crash, reopen, read everything back ...
//   std::string problem = model.CheckRecovered(start, end, survivors);  // empty when allowed
//   model.AdoptRecovered(start, end);
//
// Crash rules it encodes: every offset in [log start, durable_end()) survives with its exact record; the log
// start lands in [durable_log_start(), log_start()]; beyond durable_end() any prefix of what was appended may
// survive, record for record as appended (never garbage, never reordered, never a record TruncateTo removed).
// The high watermark is the log end offset (PartitionConfig::high_watermark_is_flushed is not modelled).
//
// Records below the log start are kept: retention that a crash undoes may bring them back, and a read from
// the log start returns whole batches that can begin below it.
//
// Thread safety: not thread-safe.
#ifndef SEGLOG_TEST_SUPPORT_PARTITION_MODEL_H_
#define SEGLOG_TEST_SUPPORT_PARTITION_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "seglog/segment.h"
#include "support/test_util.h"

namespace seglog::test {

class PartitionModel {
 public:
  // An empty log starting at `start`.
  explicit PartitionModel(int64_t start = 0);

  int64_t log_start() const { return log_start_; }
  int64_t log_end() const { return base_ + static_cast<int64_t>(records_.size()); }
  int64_t high_watermark() const { return log_end(); }
  // Every offset from the log start up to here survives a crash.
  int64_t durable_end() const { return durable_end_; }
  // A crash never moves the log start below this (DeleteRecordsBefore and TruncateTo persist it).
  int64_t durable_log_start() const { return durable_log_start_; }

  // The record at `offset`, or nullptr when the model has none there (past the end, or before a TruncateTo
  // that emptied the log).
  const OwnedRecord* Find(int64_t offset) const;

  // Appends `batches` of records at log_end(), setting their offsets; returns the first offset. Not durable
  // yet. The model remembers the batches: a batch is never split.
  int64_t Append(std::vector<std::vector<OwnedRecord>> batches);
  // The base offset of the batch holding `offset` (which must be in the model).
  int64_t BatchBase(int64_t offset) const;
  // Everything below `end` (capped at the log end) is durable: a durable append returned, Flush or Close
  // succeeded, or the partition reported the recovery point.
  void MarkDurable(int64_t end);
  // Partition::TruncateTo: drops `offset` and later, and the rest of the batch holding `offset` (a batch is
  // never split). When that leaves nothing at or after the log start, the log restarts empty at
  // min(offset, log start). Returns the new log end.
  int64_t TruncateTo(int64_t offset);
  // A TruncateTo that a crash interrupted: the cut may have become durable or been undone, so records from
  // `offset` on stay in the model but need not survive.
  void MayHaveTruncatedTo(int64_t offset);
  // Partition::DeleteRecordsBefore: kOutOfRange past the high watermark, a no-op at or below the log start.
  absl::Status DeleteRecordsBefore(int64_t offset);
  // Retention moved the log start (not durable: a crash may undo the deletion), or an interrupted
  // DeleteRecordsBefore may have.
  void SetLogStart(int64_t offset);

  // After a crash: empty when a partition recovered to [start, end) holding `survivors` (every record from
  // `start`, in order) is allowed; otherwise what is wrong.
  std::string CheckRecovered(int64_t start, int64_t end, const std::vector<OwnedRecord>& survivors) const;
  // Takes the recovered state as the truth: what survived a crash is on disk, so it is durable now.
  void AdoptRecovered(int64_t start, int64_t end);

  // The first record at or after the log start, below `bound`, whose timestamp is >= `timestamp` (a linear
  // scan: the answer Partition::OffsetForTimestamp must give).
  std::optional<TimestampAndOffset> OffsetForTimestamp(int64_t timestamp, int64_t bound) const;

  // Empty when `record` is exactly the model's record at its offset; otherwise what differs.
  std::string CompareRecord(const OwnedRecord& record) const;

 private:
  int64_t base_;                      // offset of records_[0]
  std::vector<OwnedRecord> records_;  // [base_, log_end())
  std::vector<int64_t> batch_bases_;  // records_[i]'s batch's base offset
  int64_t log_start_;
  int64_t durable_end_;
  int64_t durable_log_start_;
};

// A one-line description of a record, for failure messages.
std::string DescribeRecord(const OwnedRecord& record);

}  // namespace seglog::test

#endif  // SEGLOG_TEST_SUPPORT_PARTITION_MODEL_H_

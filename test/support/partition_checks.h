// Helpers for partition tests that drive a seglog::Partition with random workloads and compare it with a
// PartitionModel: random records, appending them (one Append, or BatchBuilder batches through AppendBatches,
// compressed or not), reading records back, and the consistency checks shared by the crash and fuzz tests.
//
//   std::mt19937_64 rng(seed);
//   std::vector<std::vector<seglog::test::OwnedRecord>> batches = {seglog::test::RandomRecords(rng, 5, now, 300),
//                                                                   seglog::test::RandomRecords(rng, 2, now, 300)};
//   model.Append(batches);
//   auto r = seglog::test::AppendRecords(partition.get(), batches, {.append_batches = true,
//                                        .compression = seglog::CompressionType::kZstd});
//   std::string problem = seglog::test::CompareWithModel(*partition, model);   // empty when they agree
//
// The checks return an empty string when everything holds and otherwise a message naming the offsets, so a
// test can INFO() it and REQUIRE it empty without one Catch2 assertion per record.
//
// Thread safety: functions are reentrant; a partition may be shared as its own contract allows.
#ifndef SEGLOG_TEST_SUPPORT_PARTITION_CHECKS_H_
#define SEGLOG_TEST_SUPPORT_PARTITION_CHECKS_H_

#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "seglog/compression.h"
#include "seglog/partition.h"
#include "support/partition_model.h"
#include "support/test_util.h"

namespace seglog::test {

// Seeded randomness shared by the crash and fuzz tests.
// The value of environment variable `name` (decimal or 0x hex), or `fallback` when unset or empty.
uint64_t EnvOr(const char* name, uint64_t fallback);
// SplitMix64: independent seeds for run n from one base seed.
uint64_t DeriveSeed(uint64_t base, uint64_t n);
// Uniform in [lo, hi].
int64_t Uniform(std::mt19937_64& rng, int64_t lo, int64_t hi);
inline bool OneIn(std::mt19937_64& rng, int64_t n) { return Uniform(rng, 0, n - 1) == 0; }
template <typename T>
T Pick(std::mt19937_64& rng, std::initializer_list<T> choices) {
  return *(choices.begin() + Uniform(rng, 0, static_cast<int64_t>(choices.size()) - 1));
}

// `count` records with timestamps near `now_ms` (within a few seconds either way), random keys (some
// null), values of up to `max_value_bytes` (some null or empty) and up to two headers. Offsets are left 0.
std::vector<OwnedRecord> RandomRecords(std::mt19937_64& rng, int count, int64_t now_ms, size_t max_value_bytes);

struct AppendPlan {
  // false: one Partition::Append (of exactly one batch). true: each batch built with BatchBuilder and all of
  // them handed to one Partition::AppendBatches.
  bool append_batches = false;
  CompressionType compression = CompressionType::kNone;  // for AppendBatches
  bool durable = false;
};

// Appends `batches` of records (their offsets are ignored) as `plan` says.
absl::StatusOr<AppendResult> AppendRecords(Partition* p, const std::vector<std::vector<OwnedRecord>>& batches,
                                           const AppendPlan& plan);

// Every record of the batches Read returns from `from` up to the log end (ReadOptions::up_to_log_end), in
// order, dropping records below `from` that the first batch holds. kDataLoss when a read returns bytes that
// do not decode.
absl::StatusOr<std::vector<OwnedRecord>> ReadRecords(const Partition& p, int64_t from, size_t max_bytes = 64 * 1024);

// The partition's offsets equal the model's (log start, high watermark, log end; recovery point within the
// log) and reading from the log start returns exactly the model's records up to the log end.
std::string CompareWithModel(const Partition& p, const PartitionModel& model);

// One Read(offset, options) checked against the model: kOutOfRange exactly outside [log start, log end];
// otherwise whole CRC-valid batches, the first holding `offset` (or none at the high watermark), contiguous
// offsets below the bound, at most options.max_bytes unless a single batch was returned whole, next_offset
// after the last batch, and every record equal to the model's.
std::string CheckRead(const Partition& p, const PartitionModel& model, int64_t offset, const ReadOptions& options);

// The indexes agree with the log: Read(o) for every offset o in [log start, log end) starts with a batch
// holding o.
std::string CheckEveryOffsetReads(const Partition& p);

// OffsetForTimestamp agrees with a linear scan of the model for `probes` timestamps drawn around the
// records' timestamps (and below and above all of them).
std::string CheckOffsetForTimestamp(const Partition& p, const PartitionModel& model, std::mt19937_64& rng, int probes);

}  // namespace seglog::test

#endif  // SEGLOG_TEST_SUPPORT_PARTITION_CHECKS_H_

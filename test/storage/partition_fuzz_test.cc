// Partition against a PartitionModel: random operation sequences (appends of records and of compressed
// batches, durable or not; reads at random offsets and sizes; roll; flush; TruncateTo; retention by time
// and size on a manual clock; DeleteRecordsBefore; close and reopen; crash and reopen), with the partition
// compared to the model after every operation: log start, high watermark and log end, and every record
// from the log start. A crash drops the model to what may survive (the durable point, then any prefix of
// the rest) and the model adopts what did. The regressions at the end are the smallest sequences that
// showed a bug.
//
// Seeds: every run derives from one base seed (printed on failure; SEGLOG_FUZZ_SEED overrides it and
// SEGLOG_FUZZ_OPS the number of operations, for soak runs).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "seglog/partition.h"
#include "support/fault_injection_file_system.h"
#include "support/manual_clock.h"
#include "support/partition_checks.h"
#include "support/partition_model.h"
#include "support/test_util.h"

namespace seglog {
namespace {

using test::DeriveSeed;
using test::EnvOr;
using test::OneIn;
using test::Pick;
using test::Uniform;

constexpr uint64_t kBaseSeed = 0xf022a11e5eed0001ULL;
constexpr int64_t kMinOperations = 10'000;
constexpr int64_t kT0 = 1'700'000'000'000;

PartitionConfig RandomConfig(std::mt19937_64& rng) {
  PartitionConfig config;
  config.segment.segment_bytes = Uniform(rng, 2 * 1024, 8 * 1024);
  config.segment.index_interval_bytes = Pick<size_t>(rng, {0, 64, 256, 1024});
  config.segment.segment_index_bytes = Pick<size_t>(rng, {120, 480, 4800});
  if (OneIn(rng, 4)) config.segment.segment_ms = 20'000;
  config.append_buffer_bytes = OneIn(rng, 2) ? 0 : static_cast<size_t>(Uniform(rng, 256, 8 * 1024));
  if (OneIn(rng, 4)) config.flush_messages = Uniform(rng, 3, 30);
  // Time only, size only, both, or (rarely) neither, so each rule is seen on its own.
  switch (Uniform(rng, 0, 6)) {
    case 0:
    case 1:
    case 2:
      config.retention_ms = Uniform(rng, 20'000, 90'000);
      config.retention_bytes = -1;
      break;
    case 3:
    case 4:
      config.retention_ms = -1;
      config.retention_bytes = Uniform(rng, 4 * 1024, 24 * 1024);
      break;
    case 5:
      config.retention_ms = Uniform(rng, 20'000, 90'000);
      config.retention_bytes = Uniform(rng, 4 * 1024, 24 * 1024);
      break;
    default:
      config.retention_ms = -1;
      config.retention_bytes = -1;
  }
  return config;
}

std::string DescribeConfig(const PartitionConfig& c) {
  return absl::StrCat("segment.bytes ", c.segment.segment_bytes, ", index.interval.bytes ",
                      c.segment.index_interval_bytes, ", segment.index.bytes ", c.segment.segment_index_bytes,
                      ", segment.ms ", c.segment.segment_ms, ", append buffer ", c.append_buffer_bytes,
                      ", flush.messages ", c.flush_messages, ", retention.ms ", c.retention_ms, ", retention.bytes ",
                      c.retention_bytes);
}

// How often the operations that change the log's shape did something, over all runs.
struct Coverage {
  int64_t crashes = 0;
  int64_t reopens = 0;
  int64_t truncations = 0;             // TruncateTo calls that removed records
  int64_t retention_deletions = 0;     // EnforceRetention calls that deleted segments
  int64_t records_deleted_before = 0;  // DeleteRecordsBefore calls that moved the log start
};

// One partition under random operations, and its model.
class Fuzzer {
 public:
  Fuzzer(uint64_t seed, Coverage* coverage) : rng_(seed), config_(RandomConfig(rng_)), coverage_(coverage) {
    Open(/*expect_clean=*/std::nullopt);
  }

  const PartitionConfig& config() const { return config_; }
  std::string Recent() const { return absl::StrJoin(recent_, " "); }

  // One random operation, then the partition must equal the model.
  void Step() {
    const int64_t kind = Uniform(rng_, 0, 99);
    if (kind < 30) {
      Append(/*use_batches=*/false);
    } else if (kind < 45) {
      Append(/*use_batches=*/true);
    } else if (kind < 60) {
      Read();
    } else if (kind < 64) {
      Note("Roll");
      REQUIRE_OK(p_->Roll());
    } else if (kind < 69) {
      Note("Flush");
      REQUIRE_OK(p_->Flush());
      model_.MarkDurable(model_.log_end());
    } else if (kind < 73) {
      TruncateTo();
    } else if (kind < 79) {
      EnforceRetention();
    } else if (kind < 83) {
      DeleteRecordsBefore();
    } else if (kind < 86) {
      Note("Close+Open");
      REQUIRE_OK(p_->Close());
      model_.MarkDurable(model_.log_end());
      Open(/*expect_clean=*/true);
      ++coverage_->reopens;
    } else if (kind < 89) {
      Crash();
    } else if (kind < 93) {
      const int64_t ms = Uniform(rng_, 0, 10'000);
      Note(absl::StrCat("Advance(", ms, "ms)"));
      clock_.Advance(absl::Milliseconds(ms));
    } else if (kind < 98) {
      Note("OffsetForTimestamp");
      Require(test::CheckOffsetForTimestamp(*p_, model_, rng_, 3));
    } else {
      Note("EveryOffsetReads");
      Require(test::CheckEveryOffsetReads(*p_));
    }
    model_.MarkDurable(p_->recovery_point());  // "everything below the recovery point is fsynced"
    Require(test::CompareWithModel(*p_, model_));
  }

 private:
  void Note(std::string what) {
    recent_.push_back(std::move(what));
    if (recent_.size() > 24) recent_.pop_front();
  }
  void Require(const std::string& problem) {
    if (!problem.empty()) FAIL(problem << "\nlast operations: " << Recent());
  }

  void Open(std::optional<bool> expect_clean) {
    p_.reset();
    RecoveryReport report;
    auto opened =
        Partition::Open(dir_, {.fs = &fs_, .clock = &clock_, .create_if_missing = true, .config = config_}, &report);
    REQUIRE_OK(opened);
    p_ = *std::move(opened);
    if (expect_clean) REQUIRE(report.clean_shutdown == *expect_clean);
    REQUIRE(report.log_end_offset == p_->log_end_offset());
  }

  void Append(bool use_batches) {
    const auto value_bytes = static_cast<size_t>(Pick<int64_t>(rng_, {8, 100, 400, 1200}));
    std::vector<std::vector<test::OwnedRecord>> batches(use_batches ? Uniform(rng_, 1, 3) : 1);
    int64_t count = 0;
    for (auto& batch : batches) {
      batch = test::RandomRecords(rng_, static_cast<int>(Uniform(rng_, 1, use_batches ? 5 : 6)),
                                  absl::ToUnixMillis(clock_.Now()), value_bytes);
      count += static_cast<int64_t>(batch.size());
    }
    const test::AppendPlan plan{
        .append_batches = use_batches,
        .compression = Pick(rng_, {CompressionType::kNone, CompressionType::kLz4, CompressionType::kZstd}),
        .durable = OneIn(rng_, 4)};
    Note(absl::StrCat(use_batches ? "AppendBatches(" : "Append(", count, plan.durable ? ", durable)" : ")"));
    const int64_t base = model_.Append(batches);
    auto r = test::AppendRecords(p_.get(), batches, plan);
    REQUIRE_OK(r);
    REQUIRE(r->base_offset == base);
    REQUIRE(r->last_offset == base + count - 1);
    REQUIRE(r->records == count);
    if (plan.durable) {
      REQUIRE(p_->recovery_point() > r->last_offset);
      model_.MarkDurable(r->last_offset + 1);
    }
  }

  void Read() {
    const int64_t offset = Uniform(rng_, std::max<int64_t>(-1, model_.log_start() - 3), model_.log_end() + 3);
    ReadOptions options;
    options.max_bytes = static_cast<size_t>(Pick<int64_t>(rng_, {1, 100, 1000, Uniform(rng_, 1, 20'000)}));
    options.min_one_batch = !OneIn(rng_, 5);
    options.up_to_log_end = OneIn(rng_, 2);
    Note(absl::StrCat("Read(", offset, ", ", options.max_bytes, options.min_one_batch ? "" : ", not min_one_batch",
                      ")"));
    Require(test::CheckRead(*p_, model_, offset, options));
  }

  void TruncateTo() {
    const int64_t offset = Uniform(rng_, std::max<int64_t>(0, model_.log_start() - 5), model_.log_end() + 2);
    Note(absl::StrCat("TruncateTo(", offset, ")"));
    REQUIRE_OK(p_->TruncateTo(offset));
    if (offset < model_.log_end()) ++coverage_->truncations;
    model_.TruncateTo(offset);
  }

  void DeleteRecordsBefore() {
    const int64_t offset = Uniform(rng_, std::max<int64_t>(0, model_.log_start() - 2), model_.high_watermark() + 2);
    Note(absl::StrCat("DeleteRecordsBefore(", offset, ")"));
    const int64_t before = model_.log_start();
    const absl::Status got = p_->DeleteRecordsBefore(offset);
    const absl::Status want = model_.DeleteRecordsBefore(offset);
    INFO(got.ToString() << " / model: " << want.ToString());
    REQUIRE(got.code() == want.code());
    if (got.ok() && offset > before) ++coverage_->records_deleted_before;
  }

  // Retention deletes whole segments, oldest first, never past the high watermark. With only retention.ms
  // set, every record it removes from the log start on is older than retention.ms.
  void EnforceRetention() {
    const int64_t ms = Uniform(rng_, 0, 60'000);
    clock_.Advance(absl::Milliseconds(ms));
    Note(absl::StrCat("EnforceRetention(+", ms, "ms)"));
    const int64_t before = model_.log_start();
    auto r = p_->EnforceRetention();
    REQUIRE_OK(r);
    const int64_t after = p_->log_start_offset();
    REQUIRE(r->log_start_offset == after);
    REQUIRE(after >= before);
    if (r->segments_deleted > 0) ++coverage_->retention_deletions;
    REQUIRE(after <= model_.high_watermark());
    if (after > before) {
      const std::vector<int64_t> bases = p_->segment_base_offsets();
      REQUIRE(bases.front() == after);  // whole segments: the log now starts at a segment's base offset
    }
    if (config_.retention_bytes < 0 && config_.retention_ms >= 0) {
      const int64_t now = absl::ToUnixMillis(clock_.Now());
      for (int64_t o = before; o < after; ++o) {
        const test::OwnedRecord* record = model_.Find(o);
        REQUIRE(record != nullptr);
        INFO("retention removed offset " << o << " with timestamp " << record->timestamp << " at " << now);
        REQUIRE(now - record->timestamp > config_.retention_ms);
      }
    }
    model_.SetLogStart(after);
    auto again = p_->EnforceRetention();  // nothing more is due at the same time
    REQUIRE_OK(again);
    REQUIRE(again->segments_deleted == 0);
  }

  void Crash() {
    FaultInjectionFileSystem::CrashOptions options;
    options.keep_unsynced_prefix = OneIn(rng_, 2);
    options.tear_last_write = OneIn(rng_, 4);
    if (OneIn(rng_, 3)) options.append_garbage_bytes = static_cast<uint64_t>(Uniform(rng_, 1, 300));
    if (OneIn(rng_, 4)) options.append_zero_bytes = static_cast<uint64_t>(Uniform(rng_, 1, 200));
    options.seed = rng_();
    Note(absl::StrCat("Crash(keep ", options.keep_unsynced_prefix, ", tear ", options.tear_last_write, ", garbage ",
                      options.append_garbage_bytes, ", zeros ", options.append_zero_bytes, ", seed ", options.seed,
                      ")"));
    REQUIRE_OK(fs_.SimulateCrash(options));
    Open(/*expect_clean=*/false);
    ++coverage_->crashes;
    const int64_t start = p_->log_start_offset();
    const int64_t end = p_->log_end_offset();
    auto survivors = test::ReadRecords(*p_, start);
    REQUIRE_OK(survivors);
    Require(model_.CheckRecovered(start, end, *survivors));
    model_.AdoptRecovered(start, end);
  }

  std::mt19937_64 rng_;
  const PartitionConfig config_;
  std::unique_ptr<FileSystem> mem_ = NewMemFileSystem();
  FaultInjectionFileSystem fs_{mem_.get()};
  ManualClock clock_{absl::FromUnixMillis(kT0)};
  const std::string dir_ = "/data/fuzz-0";
  Coverage* const coverage_;
  test::PartitionModel model_;
  std::unique_ptr<Partition> p_;
  std::deque<std::string> recent_;
};

TEST_CASE("RandomOperationsAgreeWithThePartitionModel", "[partition][fuzz]") {
  const uint64_t base_seed = EnvOr("SEGLOG_FUZZ_SEED", kBaseSeed);
  const auto min_operations = static_cast<int64_t>(EnvOr("SEGLOG_FUZZ_OPS", kMinOperations));
  INFO("base seed " << base_seed << " (SEGLOG_FUZZ_SEED reproduces a run)");
  int64_t operations = 0;
  int64_t runs = 0;
  Coverage coverage;
  while (operations < min_operations) {
    const uint64_t seed = DeriveSeed(base_seed, static_cast<uint64_t>(runs));
    Fuzzer fuzzer(seed, &coverage);
    INFO("run " << runs << ", seed " << seed << ": " << DescribeConfig(fuzzer.config()));
    std::mt19937_64 length(seed ^ 0x5eed);
    const int64_t steps = Uniform(length, 200, 600);
    for (int64_t step = 0; step < steps; ++step, ++operations) {
      INFO("operation " << step << ", after: " << fuzzer.Recent());
      fuzzer.Step();
    }
    ++runs;
  }
  WARN("operations " << operations << " in " << runs << " runs: " << coverage.crashes << " crashes, "
                     << coverage.reopens << " clean reopens, " << coverage.truncations << " truncations, "
                     << coverage.retention_deletions << " retention deletions, " << coverage.records_deleted_before
                     << " log start moves by DeleteRecordsBefore");
  REQUIRE(operations >= kMinOperations);
  REQUIRE(coverage.crashes > 0);
  REQUIRE(coverage.reopens > 0);
  REQUIRE(coverage.truncations > 0);
  REQUIRE(coverage.retention_deletions > 0);
  REQUIRE(coverage.records_deleted_before > 0);
}

// ---------------------------------------------------------------------------------------------------------
// Regressions: the smallest sequences that showed a bug, each kept as a spec of the fixed behaviour.

TEST_CASE("AReadWithoutMinOneBatchNeverSkipsABatchLargerThanMaxBytes", "[partition][fuzz]") {
  auto mem = NewMemFileSystem();
  auto opened = Partition::Open("/data/read-0", {.fs = mem.get(), .create_if_missing = true});
  REQUIRE_OK(opened);
  Partition& p = **opened;
  const std::string big(1000, 'b');
  const Record r0{.value = big};
  REQUIRE_OK(p.Append({&r0, 1}));
  REQUIRE_OK(p.Roll());
  const Record r1{.value = "small"};
  REQUIRE_OK(p.Append({&r1, 1}));
  // Offset 0's batch does not fit 100 bytes: the read is empty, never the next segment's batch.
  auto read = p.Read(0, {.max_bytes = 100, .min_one_batch = false});
  REQUIRE_OK(read);
  REQUIRE(read->bytes.empty());
  REQUIRE(read->next_offset == 0);
}

TEST_CASE("OneEnforceRetentionAppliesTheSizeAndTheTimeRule", "[partition][fuzz]") {
  auto mem = NewMemFileSystem();
  ManualClock clock{absl::FromUnixMillis(kT0)};
  PartitionConfig config;
  config.segment.segment_bytes = 2000;  // 11 records of 171 bytes
  config.segment.segment_index_bytes = 4800;
  config.retention_bytes = 34 * 171 - 11 * 171 - 10;  // the size rule deletes the first segment only
  config.retention_ms = 60'000;
  auto opened = Partition::Open("/data/retention-0",
                                {.fs = mem.get(), .clock = &clock, .create_if_missing = true, .config = config});
  REQUIRE_OK(opened);
  Partition& p = **opened;
  for (int64_t i = 0; i < 34; ++i) {
    std::string v = absl::StrCat("value-", i, "-");
    v.resize(100, 'x');
    const Record r{.key = "k", .value = v, .timestamp = kT0 + 10 * i};
    REQUIRE_OK(p.Append({&r, 1}));
  }
  REQUIRE(p.segment_base_offsets() == std::vector<int64_t>{0, 11, 22, 33});
  REQUIRE(p.size_bytes() == 34 * 171);
  // Segment 11's newest record (kT0 + 210) is past retention.ms; segment 22's (kT0 + 320) is not.
  clock.SetTime(absl::FromUnixMillis(kT0 + 60'250));
  auto r = p.EnforceRetention();
  REQUIRE_OK(r);
  REQUIRE(r->segments_deleted == 2);
  REQUIRE(r->log_start_offset == 22);
  REQUIRE(p.log_start_offset() == 22);
}

}  // namespace
}  // namespace seglog

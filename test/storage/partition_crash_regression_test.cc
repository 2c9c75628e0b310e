// Partition crash-safety regressions, on a FaultInjectionFileSystem over memory: each case is the smallest
// sequence that showed a bug (most found by partition_crash_test.cc), kept as a spec of the fixed behaviour:
// what must survive, what must never come back, and that the partition still opens.
#include <catch2/catch.hpp>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "seglog/partition.h"
#include "support/fault_injection_file_system.h"
#include "support/manual_clock.h"
#include "support/partition_checks.h"
#include "support/partition_model.h"
#include "support/test_util.h"

namespace seglog {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

// A deterministic partition on a crashable disk: records i have value Value(i) and timestamp kT0 + 10 i.
struct Fixed {
  explicit Fixed(PartitionConfig c) : config(c) { Reopen(); }
  void Reopen(RecoveryReport* report = nullptr) {
    p.reset();
    auto opened =
        Partition::Open(dir, {.fs = &fs, .clock = &clock, .create_if_missing = true, .config = config}, report);
    REQUIRE_OK(opened);
    p = *std::move(opened);
  }
  void CrashAndReopen(FaultInjectionFileSystem::CrashOptions options = {}) {
    REQUIRE_OK(fs.SimulateCrash(options));
    Reopen();
  }
  static std::string Value(int64_t i) {
    std::string v = absl::StrCat("value-", i, "-");
    v.resize(100, 'x');
    return v;
  }
  // `batches` batches of `per_batch` records, in one AppendBatches.
  void AppendBatches(int batches, int per_batch, bool durable = false) {
    std::vector<std::vector<test::OwnedRecord>> in(static_cast<size_t>(batches));
    int64_t offset = p->log_end_offset();
    for (auto& batch : in) {
      for (int i = 0; i < per_batch; ++i, ++offset) {
        batch.push_back(
            {.offset = offset, .timestamp = kT0 + 10 * offset, .key = "k", .value = Value(offset), .headers = {}});
      }
    }
    REQUIRE_OK(test::AppendRecords(p.get(), in, {.append_batches = true, .durable = durable}));
  }
  void Append(int n, bool durable = false) {
    for (int i = 0; i < n; ++i) {
      const int64_t offset = p->log_end_offset();
      const std::string v = Value(offset);
      const Record r{.key = "k", .value = v, .timestamp = kT0 + 10 * offset};
      auto a = p->Append({&r, 1}, {.durable = durable});
      REQUIRE_OK(a);
      REQUIRE(a->base_offset == offset);
    }
  }
  // Every record from the log start reads back as appended, and the time index finds each one.
  void RequireIntact() {
    auto records = test::ReadRecords(*p, p->log_start_offset());
    REQUIRE_OK(records);
    REQUIRE(static_cast<int64_t>(records->size()) == p->log_end_offset() - p->log_start_offset());
    for (const test::OwnedRecord& r : *records) {
      INFO("offset " << r.offset);
      REQUIRE(r.value == Value(r.offset));
      auto found = p->OffsetForTimestamp(kT0 + 10 * r.offset);
      REQUIRE_OK(found);
      REQUIRE(found->has_value());
      REQUIRE((*found)->offset == r.offset);
    }
  }

  PartitionConfig config;
  std::unique_ptr<FileSystem> mem = NewMemFileSystem();
  FaultInjectionFileSystem fs{mem.get()};
  ManualClock clock{absl::FromUnixMillis(kT0)};
  const std::string dir = "/data/fixed-0";
  std::unique_ptr<Partition> p;
};

PartitionConfig SmallSegments() {
  PartitionConfig config;
  config.segment.segment_bytes = 2000;  // 11 records of 171 bytes
  config.segment.index_interval_bytes = 100;
  config.segment.segment_index_bytes = 480;
  return config;
}

TEST_CASE("SegmentsDroppedByRecoveryNeverComeBack", "[partition][crash]") {
  Fixed f(SmallSegments());
  f.Append(8, /*durable=*/true);
  f.Append(10);  // 8..10 end segment 0 and 11..17 start segment 11, none of it synced
  REQUIRE(f.p->segment_base_offsets() == std::vector<int64_t>{0, 11});
  // Each file keeps its unsynced writes but the last, torn: segment 0 loses record 10, so segment 11 (which
  // keeps 11..16) follows a gap and recovery drops it.
  RecoveryReport report;
  REQUIRE_OK(f.fs.SimulateCrash({.tear_last_write = true, .seed = 1}));
  f.Reopen(&report);
  REQUIRE(report.segments_deleted == 1);
  REQUIRE(f.p->log_end_offset() == 10);
  f.Append(1, /*durable=*/true);  // a new record 10: segment 0 now ends where segment 11 began
  f.CrashAndReopen();
  REQUIRE(f.p->log_end_offset() == 11);  // not 11..16 of the dropped segment
  f.RequireIntact();
}

TEST_CASE("SegmentsRemovedByTruncateToNeverComeBack", "[partition][crash]") {
  // An owner keeps the checkpoints (as a Store does), so TruncateTo writes no checkpoint file of its own.
  Fixed f(SmallSegments());
  f.p.reset();
  PartitionOptions options{.fs = &f.fs,
                           .clock = &f.clock,
                           .create_if_missing = true,
                           .config = f.config,
                           .checkpoint = PartitionCheckpoint{}};
  auto opened = Partition::Open(f.dir, options);
  REQUIRE_OK(opened);
  f.p = *std::move(opened);
  f.Append(30);
  REQUIRE_OK(f.p->Flush());
  REQUIRE(f.p->segment_base_offsets() == std::vector<int64_t>{0, 11, 22});
  REQUIRE_OK(f.p->TruncateTo(10));
  f.Append(1, /*durable=*/true);  // a new record 10; segment 0 ends where the removed segment 11 began
  const PartitionCheckpoint saved = f.p->checkpoint();
  REQUIRE_OK(f.fs.SimulateCrash());
  f.p.reset();
  options.checkpoint = saved;
  options.create_if_missing = false;
  opened = Partition::Open(f.dir, options);
  REQUIRE_OK(opened);
  f.p = *std::move(opened);
  REQUIRE(f.p->log_end_offset() == 11);  // not the truncated 11..29
  f.RequireIntact();
}

TEST_CASE("SegmentsDeletedByRetentionStayDeletedAfterACrash", "[partition][crash]") {
  PartitionConfig config = SmallSegments();
  config.retention_ms = 60'000;
  Fixed f(config);
  f.Append(30);
  REQUIRE_OK(f.p->Flush());
  f.clock.Advance(absl::Seconds(61));
  auto retention = f.p->EnforceRetention();
  REQUIRE_OK(retention);
  REQUIRE(retention->segments_deleted == 3);
  REQUIRE(f.p->log_start_offset() == 30);
  f.CrashAndReopen();
  REQUIRE(f.p->log_start_offset() == 30);
  REQUIRE(f.p->log_end_offset() == 30);
}

TEST_CASE("ACrashAfterAnOpenRecoversOnlyFromTheRecoveryPoint", "[partition][crash]") {
  Fixed f(SmallSegments());
  f.Append(40);
  REQUIRE(f.p->num_segments() == 4);
  REQUIRE_OK(f.p->Close());
  f.Reopen();  // clean: nothing to recover
  f.CrashAndReopen();
  // Everything was flushed at Close: only the segment holding the recovery point is validated; the
  // others keep their indexes (opening them must not leave their index files in a state that forces a
  // rebuild after the crash).
  RecoveryReport report;
  f.fs.SimulateCrash().IgnoreError();
  f.Reopen(&report);
  REQUIRE(report.segments_recovered == 1);
  f.RequireIntact();
}

TEST_CASE("ACleanCloseKeepsTheActiveSegmentsLargestTimestamp", "[partition][crash]") {
  PartitionConfig config = SmallSegments();
  config.segment.index_interval_bytes = 4096;  // no time-index entry for these records while active
  Fixed f(config);
  f.Append(3);
  REQUIRE_OK(f.p->Close());
  f.Reopen();
  f.RequireIntact();
}

TEST_CASE("TruncateToInsideABatchRemovesTheWholeBatch", "[partition][crash]") {
  Fixed f(SmallSegments());
  f.Append(3);
  std::mt19937_64 rng(7);
  const std::vector<test::OwnedRecord> batch = test::RandomRecords(rng, 5, kT0, 50);
  REQUIRE_OK(test::AppendRecords(f.p.get(), {batch}, {.append_batches = true}));  // offsets 3..7, one batch
  f.Append(2);
  REQUIRE(f.p->log_end_offset() == 10);
  // A batch is never split: cutting at 5 removes 3..7 whole, and the log end says so.
  REQUIRE_OK(f.p->TruncateTo(5));
  REQUIRE(f.p->log_end_offset() == 3);
  REQUIRE(f.p->high_watermark() == 3);
  f.Append(2, /*durable=*/true);  // 3 and 4 follow 0..2 without a hole
  REQUIRE_OK(f.p->Flush());
  f.CrashAndReopen();
  REQUIRE(f.p->log_end_offset() == 5);
  f.RequireIntact();

  // When the log start lies inside the batch that goes, nothing is left: the log restarts at the log start.
  REQUIRE_OK(test::AppendRecords(f.p.get(), {batch}, {.append_batches = true}));  // 5..9
  REQUIRE_OK(f.p->DeleteRecordsBefore(7));
  REQUIRE_OK(f.p->TruncateTo(8));
  REQUIRE(f.p->log_start_offset() == 7);
  REQUIRE(f.p->log_end_offset() == 7);
  f.CrashAndReopen();
  REQUIRE(f.p->log_start_offset() == 7);
  REQUIRE(f.p->log_end_offset() == 7);
  f.Append(1);
  f.RequireIntact();
}

TEST_CASE("TruncateToKeepsTheLargestTimestampOfWhatRemains", "[partition][crash]") {
  PartitionConfig config = SmallSegments();
  config.segment.index_interval_bytes = 4096;  // no index entry among the first records
  config.retention_ms = 60'000;
  Fixed f(config);
  f.Append(6);
  REQUIRE_OK(f.p->TruncateTo(4));
  f.RequireIntact();  // the time lookup must not skip the segment: records 0..3 are still in it
  REQUIRE_OK(f.p->Roll());
  f.Append(1);
  f.RequireIntact();
  // Retention judges the rolled segment by record 3's timestamp, kT0 + 30.
  f.clock.SetTime(absl::FromUnixMillis(kT0 + 30 + 60'000));
  REQUIRE_OK(f.p->EnforceRetention());
  REQUIRE(f.p->log_start_offset() == 0);
  f.clock.SetTime(absl::FromUnixMillis(kT0 + 31 + 60'000));
  REQUIRE_OK(f.p->EnforceRetention());
  REQUIRE(f.p->log_start_offset() == 4);
  REQUIRE_OK(f.p->Close());
  f.Reopen();
  f.RequireIntact();
}

TEST_CASE("ACrashAtAnyFsyncInsideTruncateToLeavesAnOpenablePartition", "[partition][crash]") {
  for (const int64_t cut : {5, 0}) {  // a cut inside the log, and one that empties it
    for (int nth = 1;; ++nth) {
      INFO("TruncateTo(" << cut << "), crash at fsync " << nth);
      Fixed f(SmallSegments());
      f.Append(30);
      REQUIRE_OK(f.p->Flush());  // the recovery-point checkpoint says 30
      bool crashed = false;
      absl::Status crash;
      int syncs = 0;
      f.fs.SetSyncHook([&](const std::string&) {
        if (++syncs == nth) {
          crashed = true;
          crash = f.fs.SimulateCrash().status();
        }
      });
      const absl::Status truncated = f.p->TruncateTo(cut);
      f.fs.SetSyncHook(nullptr);
      if (!crashed) {
        REQUIRE_OK(truncated);
        break;
      }
      REQUIRE_OK(crash);
      f.Reopen();  // never kDataLoss: the truncation happened or it did not
      INFO("recovered log end " << f.p->log_end_offset());
      REQUIRE((f.p->log_end_offset() == cut || f.p->log_end_offset() == 30));
      f.RequireIntact();
    }
  }
}

TEST_CASE("ATailCutByRecoveryStaysCutAfterTheNextCrash", "[partition][crash]") {
  Fixed f(SmallSegments());
  f.Append(5);
  REQUIRE_OK(f.p->Flush());  // the recovery point is 5
  f.Append(1);
  // Record 5's write is torn and zeros follow it: a batch whose length fits but whose CRC does not.
  REQUIRE_OK(f.fs.SimulateCrash({.tear_last_write = true, .append_zero_bytes = 300, .seed = 5}));
  RecoveryReport report;
  f.Reopen(&report);
  REQUIRE(report.bytes_truncated > 300);
  REQUIRE(absl::StrContains(report.first_invalid_batch.message(), "CRC"));
  REQUIRE(f.p->log_end_offset() == 5);
  // The log rolls at the recovery point, so segment 0 is trusted from now on: its cut must be durable.
  REQUIRE_OK(f.p->Roll());
  f.Append(1, /*durable=*/true);
  f.CrashAndReopen();
  REQUIRE(f.p->log_end_offset() == 6);
  f.RequireIntact();
}

TEST_CASE("AnAppendPastTheAppendBufferRollsWhenWritingTheBufferFilledTheIndex", "[partition][crash]") {
  PartitionConfig config = SmallSegments();
  config.append_buffer_bytes = 200;         // one 171-byte record fits, two do not
  config.segment.index_interval_bytes = 0;  // an index entry for every write after the first
  config.segment.segment_index_bytes = 24;  // a time index of two slots: full after one entry
  Fixed f(config);
  f.AppendBatches(1, 3);  // larger than the buffer: written at once (no index entry: the segment was empty)
  f.Append(1);            // buffered
  f.Append(1);            // writing the buffer adds the entry that fills the index; this batch must roll
  REQUIRE(f.p->num_segments() == 2);
  f.Append(3, /*durable=*/true);
  f.RequireIntact();
  f.CrashAndReopen();
  REQUIRE(f.p->log_end_offset() == 8);
  f.RequireIntact();
}

TEST_CASE("RecoveryNeverFailsOnAFullIndex", "[partition][crash]") {
  PartitionConfig config = SmallSegments();
  config.segment.index_interval_bytes = 64;
  config.segment.segment_index_bytes = 96;  // 12 offset-index entries, 8 time-index entries
  Fixed f(config);
  // Appends index once per append (and roll when the index is full); recovery rebuilds an entry per batch.
  for (int i = 0; i < 3; ++i) f.AppendBatches(3, 1, /*durable=*/true);
  REQUIRE(f.p->num_segments() == 1);
  f.CrashAndReopen();  // no checkpoint: the segment is validated and its indexes rebuilt
  REQUIRE(f.p->log_end_offset() == 9);
  f.RequireIntact();
}

TEST_CASE("ASegmentWhoseTimeIndexRecoveryFilledStillRolls", "[partition][crash]") {
  PartitionConfig config = SmallSegments();
  config.segment.index_interval_bytes = 0;
  config.segment.segment_index_bytes = 48;  // a time index of four slots, the last kept for the roll entry
  Fixed f(config);
  f.AppendBatches(5, 1, /*durable=*/true);  // one append: one index entry
  // Recovery indexes batch by batch until the time index is full but for its last slot, then puts the
  // segment's largest timestamp there.
  f.CrashAndReopen();
  f.Append(1);  // the index is full: this append rolls, and the roll entry is already there
  REQUIRE(f.p->segment_base_offsets() == std::vector<int64_t>{0, 5});
  f.CrashAndReopen();  // opening finds segment 0 inactive with that full time index
  f.RequireIntact();
}

}  // namespace
}  // namespace seglog

// Partition crash safety, checked against a PartitionModel on a FaultInjectionFileSystem over memory.
//
// Random workloads (appends of single records and of compressed multi-record batches, durable or not,
// flushes, rolls, reads, truncation, DeleteRecords, retention; with and without the append buffer) crash at
// random points: between operations, inside the Nth fsync, right after Close, and again right after the
// reopen that recovers. The crash keeps a random unsynced prefix, tears the last write, or appends garbage
// or zeros. Each reopen must hold every acknowledged record at its offset with its exact bytes, contiguous
// offsets from the log start to the log end, and beyond the durable point only a prefix of what was appended
// after it; the indexes must agree with the log. A corrupt byte in fsynced data fails Open with kDataLoss
// and touches no log file, unless PartitionConfig::truncate_corrupt_flushed_data.
//
// Seeds: every world derives from one base seed (printed on failure; SEGLOG_CRASH_SEED overrides it and
// SEGLOG_CRASH_CYCLES the number of crash cycles, for soak runs).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "seglog/log_files.h"
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

constexpr uint64_t kBaseSeed = 0x5e6109c7a5b1e5a1ULL;
constexpr int kMinCrashCycles = 1000;
constexpr int64_t kT0 = 1'700'000'000'000;

FaultInjectionFileSystem::CrashOptions RandomCrashOptions(std::mt19937_64& rng) {
  FaultInjectionFileSystem::CrashOptions options;
  options.keep_unsynced_prefix = OneIn(rng, 2);
  options.tear_last_write = OneIn(rng, 4);
  if (OneIn(rng, 3)) options.append_garbage_bytes = static_cast<uint64_t>(Uniform(rng, 1, 300));
  if (OneIn(rng, 4)) options.append_zero_bytes = static_cast<uint64_t>(Uniform(rng, 1, 200));
  options.seed = rng();
  return options;
}

std::string Describe(const FaultInjectionFileSystem::CrashOptions& o) {
  return absl::StrCat("{keep_unsynced_prefix ", o.keep_unsynced_prefix, ", tear_last_write ", o.tear_last_write,
                      ", garbage ", o.append_garbage_bytes, ", zeros ", o.append_zero_bytes, ", seed ", o.seed, "}");
}

PartitionConfig RandomConfig(std::mt19937_64& rng) {
  PartitionConfig config;
  config.segment.segment_bytes = Uniform(rng, 2 * 1024, 20 * 1024);
  config.segment.index_interval_bytes = Pick<size_t>(rng, {0, 64, 200, 1024, 4096});
  config.segment.segment_index_bytes = Pick<size_t>(rng, {120, 480, 4800});  // small: rolls on a full index too
  if (OneIn(rng, 4)) config.segment.segment_ms = 20'000;
  config.append_buffer_bytes = OneIn(rng, 2) ? 0 : static_cast<size_t>(Uniform(rng, 256, 16 * 1024));
  if (OneIn(rng, 4)) config.flush_messages = Uniform(rng, 3, 30);
  config.retention_ms = 60'000;
  config.retention_bytes = OneIn(rng, 2) ? -1 : Uniform(rng, 8 * 1024, 40 * 1024);
  return config;
}

std::string DescribeConfig(const PartitionConfig& c) {
  return absl::StrCat("segment.bytes ", c.segment.segment_bytes, ", index.interval.bytes ",
                      c.segment.index_interval_bytes, ", segment.index.bytes ", c.segment.segment_index_bytes,
                      ", segment.ms ", c.segment.segment_ms, ", append buffer ", c.append_buffer_bytes,
                      ", flush.messages ", c.flush_messages, ", retention.bytes ", c.retention_bytes);
}

// One partition directory on a crashable in-memory disk, with the model of what it must hold.
struct World {
  explicit World(uint64_t seed) : rng(seed), config(RandomConfig(rng)) {}

  absl::StatusOr<std::unique_ptr<Partition>> Open(RecoveryReport* report, PartitionConfig c) {
    return Partition::Open(dir, {.fs = &fs, .clock = &clock, .create_if_missing = true, .config = c}, report);
  }
  void Reopen(RecoveryReport* report) {
    auto opened = Open(report, config);
    REQUIRE_OK(opened);
    p = *std::move(opened);
  }
  // Crashes, lets go of the dead partition and reopens it; returns what recovery reported.
  RecoveryReport CrashAndReopen(const FaultInjectionFileSystem::CrashOptions& options) {
    REQUIRE_OK(fs.SimulateCrash(options));
    p.reset();  // its Close fails on dead handles, as after a real crash
    RecoveryReport report;
    Reopen(&report);
    return report;
  }

  // Checks the reopened partition against the model's crash rules, then adopts what survived.
  void CheckRecoveredAndAdopt(const RecoveryReport& report) {
    const int64_t start = p->log_start_offset();
    const int64_t end = p->log_end_offset();
    REQUIRE(report.log_end_offset == end);
    REQUIRE(p->high_watermark() == end);
    REQUIRE(p->recovery_point() <= end);
    auto survivors = test::ReadRecords(*p, start);
    REQUIRE_OK(survivors);
    const std::string problem = model.CheckRecovered(start, end, *survivors);
    INFO(problem);
    REQUIRE(problem.empty());
    model.AdoptRecovered(start, end);
    const std::string indexes = test::CheckEveryOffsetReads(*p);
    INFO(indexes);
    REQUIRE(indexes.empty());
    const std::string by_time = test::CheckOffsetForTimestamp(*p, model, rng, 3);
    INFO(by_time);
    REQUIRE(by_time.empty());
  }

  std::mt19937_64 rng;
  PartitionConfig config;
  std::unique_ptr<FileSystem> mem = NewMemFileSystem();
  FaultInjectionFileSystem fs{mem.get()};
  ManualClock clock{absl::FromUnixMillis(kT0)};
  const std::string dir = "/data/crash-0";
  test::PartitionModel model;
  std::unique_ptr<Partition> p;
};

// Runs one random operation against w.p and updates the model when it succeeds. Appends enter the model
// before the call (a crash inside it may keep any prefix of them). When a crash inside an fsync makes an
// operation fail half-way, the model is widened to allow both outcomes (see the end of the function).
absl::Status RandomOperation(World& w, std::string* trace) {
  std::mt19937_64& rng = w.rng;
  const int64_t kind = Uniform(rng, 0, 99);
  if (kind < 70) {
    const bool use_batches = kind >= 45;
    const auto value_bytes = static_cast<size_t>(Pick<int64_t>(rng, {16, 200, 600, 1500}));
    std::vector<std::vector<test::OwnedRecord>> batches(use_batches ? Uniform(rng, 1, 3) : 1);
    int64_t count = 0;
    for (auto& batch : batches) {
      batch = test::RandomRecords(rng, static_cast<int>(Uniform(rng, 1, use_batches ? 6 : 8)),
                                  absl::ToUnixMillis(w.clock.Now()), value_bytes);
      count += static_cast<int64_t>(batch.size());
    }
    const test::AppendPlan plan{
        .append_batches = use_batches,
        .compression = Pick(rng, {CompressionType::kNone, CompressionType::kLz4, CompressionType::kZstd}),
        .durable = OneIn(rng, 3)};
    const int64_t base = w.model.Append(batches);  // appended before the call: a crash may keep any prefix
    absl::StrAppend(trace, use_batches ? "AppendBatches(" : "Append(", count, plan.durable ? ", durable" : "", ") ");
    absl::StatusOr<AppendResult> r = test::AppendRecords(w.p.get(), batches, plan);
    if (!r.ok()) return r.status();
    if (r->base_offset != base || r->last_offset != base + count - 1) {
      return absl::InternalError(absl::StrCat("append assigned ", r->base_offset, "..", r->last_offset, ", expected ",
                                              base, "..", base + count - 1));
    }
    if (plan.durable) w.model.MarkDurable(r->last_offset + 1);
    return absl::OkStatus();
  }
  if (kind < 78) {
    absl::StrAppend(trace, "Flush ");
    absl::Status s = w.p->Flush();
    if (s.ok()) w.model.MarkDurable(w.model.log_end());
    return s;
  }
  if (kind < 83) {
    absl::StrAppend(trace, "Roll ");
    return w.p->Roll();
  }
  if (kind < 88) {  // also writes the append buffer out
    const int64_t offset = Uniform(rng, w.model.log_start(), w.model.log_end());
    absl::StrAppend(trace, "Read(", offset, ") ");
    const std::string problem =
        test::CheckRead(*w.p, w.model, offset, {.max_bytes = static_cast<size_t>(Uniform(rng, 1, 8192))});
    return problem.empty() ? absl::OkStatus() : absl::InternalError(problem);
  }
  if (kind < 92) {
    w.clock.Advance(absl::Milliseconds(Uniform(rng, 0, 5000)));
    return absl::OkStatus();
  }
  if (kind < 94) {
    const int64_t offset = Uniform(rng, std::max(w.model.log_start(), w.model.log_end() - 12), w.model.log_end());
    absl::StrAppend(trace, "TruncateTo(", offset, ") ");
    absl::Status s = w.p->TruncateTo(offset);
    if (s.ok()) {
      w.model.TruncateTo(offset);
    } else {
      w.model.MayHaveTruncatedTo(offset);  // the cut may be durable already, or undone by the crash
    }
    return s;
  }
  if (kind < 96) {
    const int64_t offset = Uniform(rng, w.model.log_start(), w.model.high_watermark());
    absl::StrAppend(trace, "DeleteRecordsBefore(", offset, ") ");
    absl::Status s = w.p->DeleteRecordsBefore(offset);
    if (s.ok()) {
      REQUIRE_OK(w.model.DeleteRecordsBefore(offset));
    } else {
      w.model.SetLogStart(std::max(w.model.log_start(), offset));  // the checkpoint may have been written
    }
    return s;
  }
  w.clock.Advance(absl::Seconds(Uniform(rng, 20, 90)));
  absl::StrAppend(trace, "EnforceRetention ");
  absl::StatusOr<RetentionResult> r = w.p->EnforceRetention();
  if (!r.ok()) {
    w.model.SetLogStart(std::max(w.model.log_start(), w.p->log_start_offset()));  // whatever it got to
    return r.status();
  }
  if (r->log_start_offset != w.p->log_start_offset() || r->log_start_offset < w.model.log_start()) {
    return absl::InternalError(
        absl::StrCat("retention moved the log start from ", w.model.log_start(), " to ", r->log_start_offset));
  }
  w.model.SetLogStart(r->log_start_offset);
  return absl::OkStatus();
}

// Where a cycle crashes (drawn per cycle; the weights make most crashes land after a run of operations).
enum CrashMode : int64_t { kAfterOperations = 0, kInsideAnFsync = 6, kAfterClose = 8, kLastMode = 9 };

TEST_CASE("RandomCrashesKeepEveryAcknowledgedRecordAndOnlyAPrefixOfTheRest", "[partition][crash]") {
  const uint64_t base_seed = EnvOr("SEGLOG_CRASH_SEED", kBaseSeed);
  const int min_cycles = static_cast<int>(EnvOr("SEGLOG_CRASH_CYCLES", kMinCrashCycles));
  INFO("base seed " << base_seed << " (SEGLOG_CRASH_SEED reproduces a run)");
  int cycles = 0;
  int crashes_in_fsync = 0;
  int crashes_after_close = 0;
  int crashes_during_recovery = 0;
  for (uint64_t world_number = 0; cycles < min_cycles; ++world_number) {
    const uint64_t world_seed = DeriveSeed(base_seed, world_number);
    World w(world_seed);
    INFO("world " << world_number << ", seed " << world_seed << ": " << DescribeConfig(w.config));
    w.Reopen(nullptr);
    const int64_t world_cycles = Uniform(w.rng, 2, 8);
    for (int64_t cycle = 0; cycle < world_cycles; ++cycle, ++cycles) {
      std::string trace;
      INFO("cycle " << cycle);
      const int64_t mode = Uniform(w.rng, kAfterOperations, kLastMode);
      const FaultInjectionFileSystem::CrashOptions crash = RandomCrashOptions(w.rng);
      INFO("crash mode " << mode << ", options " << Describe(crash));

      // Crash inside the Nth fsync (log, index, checkpoint or marker) of this cycle's operations.
      bool crashed = false;
      absl::Status crash_status;
      if (mode == kInsideAnFsync || mode == kInsideAnFsync + 1) {
        const int64_t nth = Uniform(w.rng, 1, 12);
        auto syncs = std::make_shared<int64_t>(0);
        w.fs.SetSyncHook([&, nth, syncs](const std::string&) {
          if (!crashed && ++*syncs == nth) {
            crashed = true;
            crash_status = w.fs.SimulateCrash(crash).status();
          }
        });
      }
      const int64_t ops = Uniform(w.rng, 0, 30);
      for (int64_t op = 0; op < ops && !crashed; ++op) {
        absl::Status s = RandomOperation(w, &trace);
        if (crashed) break;  // the operation may fail (or not); the model already allows for both
        INFO("operation " << op << " of " << trace);
        REQUIRE_OK(s);
        w.model.MarkDurable(w.p->recovery_point());  // "everything below the recovery point is fsynced"
      }
      w.fs.SetSyncHook(nullptr);
      INFO("operations: " << trace);
      RecoveryReport report;
      if (crashed) {
        ++crashes_in_fsync;
        REQUIRE_OK(crash_status);
        w.p.reset();
        w.Reopen(&report);
        REQUIRE_FALSE(report.clean_shutdown);
      } else if (mode == kAfterClose) {
        ++crashes_after_close;
        REQUIRE_OK(w.p->Close());
        w.model.MarkDurable(w.model.log_end());
        report = w.CrashAndReopen(crash);
        REQUIRE(report.clean_shutdown);
        REQUIRE(w.p->log_end_offset() == w.model.log_end());
      } else {
        report = w.CrashAndReopen(crash);
        REQUIRE_FALSE(report.clean_shutdown);
      }
      w.CheckRecoveredAndAdopt(report);

      if (OneIn(w.rng, 4)) {
        // A crash during (right after) recovery, before anything new is written: nothing more may change.
        ++crashes_during_recovery;
        const int64_t end = w.p->log_end_offset();
        const FaultInjectionFileSystem::CrashOptions again = RandomCrashOptions(w.rng);
        INFO("crash during recovery, options " << Describe(again));
        report = w.CrashAndReopen(again);
        REQUIRE(w.p->log_end_offset() == end);
        w.CheckRecoveredAndAdopt(report);
      }
    }
  }
  WARN("crash cycles " << cycles << " (in an fsync " << crashes_in_fsync << ", after Close " << crashes_after_close
                       << ", again during recovery " << crashes_during_recovery << ")");
  REQUIRE(cycles >= kMinCrashCycles);
  REQUIRE(crashes_in_fsync > 0);
  REQUIRE(crashes_after_close > 0);
  REQUIRE(crashes_during_recovery > 0);
}

// The .log and checkpoint files of a directory by name (indexes are derived data that opening rebuilds or
// resizes).
std::map<std::string, std::string> DataFiles(FileSystem* fs, const std::string& dir) {
  std::map<std::string, std::string> files;
  auto names = fs->ListDir(dir);
  REQUIRE_OK(names);
  for (const std::string& name : *names) {
    const std::optional<SegmentFile> segment = ParseSegmentFileName(name);
    if (segment && segment->suffix != kLogSuffix) continue;
    if (name == kPartitionLockFile) continue;
    auto file = fs->OpenFile(JoinPath(dir, name), {.read_only = true});
    REQUIRE_OK(file);
    auto size = (*file)->Size();
    REQUIRE_OK(size);
    std::string bytes(*size, '\0');
    auto read = (*file)->ReadAt(0, absl::MakeSpan(bytes.data(), bytes.size()));
    REQUIRE_OK(read);
    files[name] = std::move(bytes);
  }
  return files;
}

// A flipped byte anywhere in a batch that recovery validates below the recovery point (the segment holding
// the recovery point, written by Flush): kDataLoss, the .log and checkpoint files untouched, and the same
// again on a second try; with truncate_corrupt_flushed_data the log is cut at that batch. Segments wholly
// below the recovery point are trusted without a scan (Kafka's rule), so they are not probed. Positions
// exclude the base offset [0, 8) and the partition leader epoch [12, 16), which Kafka's CRC does not cover.
TEST_CASE("ACorruptByteInFsyncedDataIsDataLossAndLeavesTheFilesUntouched", "[partition][crash]") {
  const uint64_t base_seed = EnvOr("SEGLOG_CRASH_SEED", kBaseSeed) ^ 0xc022u;
  INFO("base seed " << base_seed);
  constexpr int kTrials = 80;
  for (int trial = 0; trial < kTrials; ++trial) {
    const uint64_t seed = DeriveSeed(base_seed, static_cast<uint64_t>(trial));
    std::mt19937_64 rng(seed);
    PartitionConfig config;
    config.segment.segment_bytes = Uniform(rng, 2 * 1024, 8 * 1024);
    config.segment.index_interval_bytes = Pick<size_t>(rng, {0, 256, 4096});
    config.segment.segment_index_bytes = 4800;  // the default 10 MiB would be copied at every open
    config.append_buffer_bytes = OneIn(rng, 2) ? 0 : 4096;
    INFO("trial " << trial << ", seed " << seed << ": " << DescribeConfig(config));
    auto mem = NewMemFileSystem();
    FaultInjectionFileSystem fs(mem.get());
    ManualClock clock{absl::FromUnixMillis(kT0)};
    const std::string dir = "/data/corrupt-0";
    auto open = [&](PartitionConfig c, RecoveryReport* report) {
      return Partition::Open(dir, {.fs = &fs, .clock = &clock, .create_if_missing = true, .config = c}, report);
    };
    test::PartitionModel model;
    {
      auto opened = open(config, nullptr);
      REQUIRE_OK(opened);
      Partition& p = **opened;
      const int64_t appends = Uniform(rng, 1, 25);
      for (int64_t i = 0; i <= appends; ++i) {
        const bool use_batches = OneIn(rng, 2);
        std::vector<std::vector<test::OwnedRecord>> batches(use_batches ? Uniform(rng, 1, 3) : 1);
        for (auto& b : batches) b = test::RandomRecords(rng, static_cast<int>(Uniform(rng, 1, 5)), kT0, 300);
        model.Append(batches);
        REQUIRE_OK(test::AppendRecords(
            &p, batches,
            {.append_batches = use_batches,
             .compression = Pick(rng, {CompressionType::kNone, CompressionType::kLz4, CompressionType::kZstd})}));
      }
      REQUIRE_OK(p.Flush());  // the checkpoint now says: everything is fsynced
      REQUIRE_OK(fs.SimulateCrash());
    }
    // The segment holding the recovery point (the last one, with data) is validated at the next open.
    auto names = mem->ListDir(dir);
    REQUIRE_OK(names);
    int64_t last_base = -1;
    for (const std::string& name : *names) {
      if (auto f = ParseSegmentFileName(name); f && f->suffix == kLogSuffix)
        last_base = std::max(last_base, f->base_offset);
    }
    const std::string log_path = JoinPath(dir, SegmentFileName(last_base, kLogSuffix));
    std::string log = DataFiles(mem.get(), dir)[SegmentFileName(last_base, kLogSuffix)];
    auto batches = test::DecodeLog(log);
    REQUIRE_OK(batches);
    REQUIRE_FALSE(batches->empty());
    const test::DecodedBatch& victim =
        (*batches)[static_cast<size_t>(Uniform(rng, 0, static_cast<int64_t>(batches->size()) - 1))];
    const size_t size = victim.header.size_in_bytes();
    size_t at = 0;
    do {
      at = static_cast<size_t>(Uniform(rng, 0, static_cast<int64_t>(size) - 1));
    } while (at < 8 || (at >= 12 && at < 16));
    const uint64_t position = victim.position + at;
    const char flipped = static_cast<char>(log[position] ^ static_cast<char>(Uniform(rng, 1, 255)));
    INFO("byte " << at << " of the batch at " << victim.header.base_offset << " (" << size << " bytes) in "
                 << log_path);
    {
      auto file = mem->OpenFile(log_path, {});
      REQUIRE_OK(file);
      REQUIRE_OK((*file)->WriteAt(position, std::string_view(&flipped, 1)));
    }
    const std::map<std::string, std::string> before = DataFiles(mem.get(), dir);

    for (int attempt = 0; attempt < 2; ++attempt) {
      RecoveryReport report;
      auto refused = open(config, &report);
      REQUIRE_CODE(refused, absl::StatusCode::kDataLoss);
      REQUIRE(DataFiles(mem.get(), dir) == before);
    }
    PartitionConfig cut = config;
    cut.truncate_corrupt_flushed_data = true;
    RecoveryReport report;
    auto opened = open(cut, &report);
    REQUIRE_OK(opened);
    REQUIRE_FALSE(report.first_invalid_batch.ok());
    REQUIRE((*opened)->log_end_offset() == victim.header.base_offset);
    auto survivors = test::ReadRecords(**opened, (*opened)->log_start_offset());
    REQUIRE_OK(survivors);
    REQUIRE(static_cast<int64_t>(survivors->size()) == victim.header.base_offset);
    for (const test::OwnedRecord& r : *survivors) {
      const std::string problem = model.CompareRecord(r);
      INFO(problem);
      REQUIRE(problem.empty());
    }
  }
}

}  // namespace
}  // namespace seglog

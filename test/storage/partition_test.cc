// Partition: offsets, reads, roll, reopen, recovery, validation of producer batches, LogAppendTime,
// timestamps, retention, DeleteRecords, truncation, group commit, failure stickiness, waiting for data and
// the append buffer. Every case runs on the POSIX and the in-memory file system.
#include "seglog/partition.h"
#include "absl/strings/str_cat.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "seglog/batch_builder.h"
#include "seglog/batch_view.h"
#include "seglog/log_files.h"
#include "support/fault_injection_file_system.h"
#include "support/manual_clock.h"
#include "support/notification.h"
#include "support/test_util.h"

namespace seglog {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

struct Env : test::TestFs {
  explicit Env(bool posix) : TestFs(posix, "/data") { dir = JoinPath(root, "orders-0"); }
  std::unique_ptr<Partition> Open(PartitionConfig config = {}, RecoveryReport* report = nullptr) {
    auto p = Partition::Open(dir, {.fs = fs.get(), .clock = &clock, .create_if_missing = true, .config = config},
                             report);
    REQUIRE_OK(p);
    return *std::move(p);
  }
  std::string SegmentPath(int64_t base) const { return JoinPath(dir, SegmentFileName(base, kLogSuffix)); }
  std::string dir;
  ManualClock clock{absl::FromUnixMillis(kT0)};
};

std::string Value(int64_t i, size_t size = 100) {
  std::string v = absl::StrCat("value-", i, "-");
  v.resize(size, 'x');
  return v;
}

// Appends `n` single-record appends with values Value(first..first+n).
void AppendValues(Partition* p, int64_t first, int n, size_t size = 100, bool durable = false) {
  for (int i = 0; i < n; ++i) {
    const std::string v = Value(first + i, size);
    const Record r{.key = "k", .value = v};
    auto result = p->Append({&r, 1}, {.durable = durable});
    REQUIRE_OK(result);
    REQUIRE(result->base_offset == first + i);
  }
}

// Every record readable from `from` up to the high watermark, in order.
std::vector<test::OwnedRecord> ReadAll(const Partition& p, int64_t from = -1, ReadOptions options = {}) {
  std::vector<test::OwnedRecord> out;
  int64_t offset = from < 0 ? p.log_start_offset() : from;
  while (true) {
    auto read = p.Read(offset, options);
    REQUIRE_OK(read);
    if (read->bytes.empty()) break;
    auto batches = test::DecodeLog(read->bytes);
    REQUIRE_OK(batches);
    for (const auto& b : *batches) {
      for (const auto& r : b.records) {
        if (r.offset >= offset) out.push_back(r);
      }
    }
    REQUIRE(read->next_offset > offset);
    offset = read->next_offset;
  }
  return out;
}

void RequireValues(const std::vector<test::OwnedRecord>& records, int64_t first, int64_t count, size_t size = 100) {
  REQUIRE(records.size() == static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    INFO("record " << i);
    REQUIRE(records[i].offset == first + i);
    REQUIRE(records[i].value == Value(first + i, size));
  }
}

TEST_CASE("AppendAssignsContiguousOffsetsAndReadsThemBack", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    auto p = env.Open();
    REQUIRE(p->log_end_offset() == 0);
    AppendValues(p.get(), 0, 50);
    std::vector<std::string> values;
    std::vector<Record> batch;
    for (int i = 50; i < 60; ++i) values.push_back(Value(i));
    for (const auto& v : values) batch.push_back({.key = std::nullopt, .value = v, .timestamp = kT0 + 5});
    auto r = p->Append(batch);
    REQUIRE_OK(r);
    REQUIRE(r->base_offset == 50);
    REQUIRE(r->last_offset == 59);
    REQUIRE(r->records == 10);
    REQUIRE(p->log_end_offset() == 60);
    REQUIRE(p->high_watermark() == 60);
    const auto all = ReadAll(*p);
    RequireValues(all, 0, 60);
    REQUIRE(all[55].timestamp == kT0 + 5);
    REQUIRE_FALSE(all[55].key.has_value());
    REQUIRE(all[0].timestamp == kT0);  // "now" on the partition's clock
    // Reading from the middle of a batch starts at that batch (the caller skips the earlier records).
    auto mid = p->Read(55);
    REQUIRE_OK(mid);
    auto decoded = test::DecodeLog(mid->bytes);
    REQUIRE_OK(decoded);
    REQUIRE(decoded->front().header.base_offset == 50);
    REQUIRE(mid->next_offset == 60);
  }
}

TEST_CASE("ReadReturnsWholeBatchesUpToMaxBytesAndAtLeastOne", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    auto p = env.Open();
    AppendValues(p.get(), 0, 20, 1000);
    auto one = p->Read(0, {.max_bytes = 10});
    REQUIRE_OK(one);
    REQUIRE(one->next_offset == 1);  // one batch, though larger than max_bytes
    auto none = p->Read(0, {.max_bytes = 10, .min_one_batch = false});
    REQUIRE_OK(none);
    REQUIRE(none->bytes.empty());
    auto some = p->Read(3, {.max_bytes = 3500});
    REQUIRE_OK(some);
    auto batches = test::DecodeLog(some->bytes);
    REQUIRE_OK(batches);
    REQUIRE(batches->size() == 3);
    REQUIRE(some->next_offset == 6);
    REQUIRE(some->file.length == some->bytes.size());
    if (posix) REQUIRE(some->file.fd >= 0);
  }
}

TEST_CASE("ReadOutsideTheLogIsOutOfRangeAndAtTheEndIsEmpty", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    auto p = env.Open();
    AppendValues(p.get(), 0, 5);
    REQUIRE_CODE(p->Read(6), absl::StatusCode::kOutOfRange);
    REQUIRE_CODE(p->Read(-1), absl::StatusCode::kOutOfRange);
    auto end = p->Read(5);
    REQUIRE_OK(end);
    REQUIRE(end->bytes.empty());
    REQUIRE(end->next_offset == 5);
    REQUIRE(end->pin == nullptr);
  }
}

TEST_CASE("SegmentsRollAtSegmentBytesAndReadsCrossThem", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionConfig config;
    config.segment.segment_bytes = 2000;
    auto p = env.Open(config);
    AppendValues(p.get(), 0, 100);
    REQUIRE(p->num_segments() > 5);
    const std::vector<int64_t> bases = p->segment_base_offsets();
    for (size_t i = 1; i < bases.size(); ++i) REQUIRE(bases[i] > bases[i - 1]);
    for (const int64_t b : bases) REQUIRE_OK(env.fs->Exists(env.SegmentPath(b)));
    RequireValues(ReadAll(*p), 0, 100);
    // An explicit roll starts a segment at the log end; rolling an empty segment does nothing.
    REQUIRE_OK(p->Roll());
    REQUIRE(p->segment_base_offsets().back() == 100);
    REQUIRE_OK(p->Roll());
    REQUIRE(p->segment_base_offsets().back() == 100);
  }
}

TEST_CASE("SegmentMsRollsOnTheClock", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionConfig config;
    config.segment.segment_ms = 1000;
    auto p = env.Open(config);
    AppendValues(p.get(), 0, 3);
    env.clock.Advance(absl::Milliseconds(1500));
    AppendValues(p.get(), 3, 1);
    REQUIRE(p->segment_base_offsets() == std::vector<int64_t>{0, 3});
  }
}

TEST_CASE("CleanReopenKeepsEverythingWithoutRecovery", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionConfig config;
    config.segment.segment_bytes = 4000;
    {
      auto p = env.Open(config);
      AppendValues(p.get(), 0, 200);
      REQUIRE_OK(p->Close());
      REQUIRE_CODE(p->Close(), absl::StatusCode::kFailedPrecondition);
      REQUIRE_CODE(p->Append(std::vector<Record>{{.value = "x"}}), absl::StatusCode::kFailedPrecondition);
    }
    REQUIRE_OK(env.fs->Exists(JoinPath(env.dir, kCleanShutdownFile)));
    RecoveryReport report;
    auto p = env.Open(config, &report);
    REQUIRE(report.clean_shutdown);
    REQUIRE(report.segments_recovered == 0);
    REQUIRE(p->log_end_offset() == 200);
    REQUIRE(p->recovery_point() == 200);
    REQUIRE(*env.fs->Exists(JoinPath(env.dir, kCleanShutdownFile)) == false);  // gone while open
    RequireValues(ReadAll(*p), 0, 200);
    AppendValues(p.get(), 200, 10);
    RequireValues(ReadAll(*p), 0, 210);
  }
}

TEST_CASE("AnOwnerKeepsTheCheckpointsAndUncleanReopenCutsAGarbageTail", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionOptions options{.fs = env.fs.get(), .clock = &env.clock, .create_if_missing = true,
                             .checkpoint = PartitionCheckpoint{}};
    PartitionCheckpoint saved;
    {
      auto p = Partition::Open(env.dir, options);
      REQUIRE_OK(p);
      AppendValues(p->get(), 0, 15);
      REQUIRE_OK((*p)->Flush());
      REQUIRE_OK((*p)->Close());
      saved = (*p)->checkpoint();
    }
    REQUIRE(saved.clean_shutdown);
    REQUIRE(saved.recovery_point == 15);
    // An owner-kept partition writes no marker, checkpoint or lock file of its own.
    auto names = env.fs->ListDir(env.dir);
    REQUIRE_OK(names);
    for (const auto& n : *names) REQUIRE(ParseSegmentFileName(n).has_value());
    // The owner says the shutdown was unclean with 10 records flushed; the log has garbage at its end.
    {
      auto log = env.fs->OpenFile(env.SegmentPath(0), {});
      REQUIRE_OK(log);
      REQUIRE_OK((*log)->Append(std::string(300, '\x5a')));
    }
    options.checkpoint = PartitionCheckpoint{.clean_shutdown = false, .recovery_point = 10};
    RecoveryReport report;
    auto p = Partition::Open(env.dir, options, &report);
    REQUIRE_OK(p);
    REQUIRE_FALSE(report.clean_shutdown);
    REQUIRE(report.segments_recovered == 1);
    REQUIRE(report.bytes_truncated == 300);
    REQUIRE_FALSE(report.first_invalid_batch.ok());
    REQUIRE((*p)->log_end_offset() == 15);
    REQUIRE((*p)->recovery_point() == 10);
    RequireValues(ReadAll(**p), 0, 15);
  }
}

TEST_CASE("ARecoveryPointBelowTheCheckpointedLogStartKeepsTheHighWatermarkAtOrAboveIt", "[partition]") {
  // The owner's two checkpoint files are written at different times: after a crash the recovery point can
  // be older than the log start. With high_watermark_is_flushed the high watermark is the recovery point,
  // which must still not be below the log start (log_start_offset <= high_watermark <= log_end_offset).
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionOptions options{.fs = env.fs.get(), .clock = &env.clock, .create_if_missing = true,
                             .config = {.high_watermark_is_flushed = true}, .checkpoint = PartitionCheckpoint{}};
    {
      auto p = Partition::Open(env.dir, options);
      REQUIRE_OK(p);
      AppendValues(p->get(), 0, 15);
      REQUIRE_OK((*p)->Flush());
      REQUIRE_OK((*p)->Close());
    }
    options.checkpoint = PartitionCheckpoint{.clean_shutdown = false, .recovery_point = 3, .log_start_offset = 8};
    auto p = Partition::Open(env.dir, options);
    REQUIRE_OK(p);
    REQUIRE((*p)->log_start_offset() == 8);
    REQUIRE((*p)->log_start_offset() <= (*p)->high_watermark());
    REQUIRE((*p)->high_watermark() <= (*p)->log_end_offset());
    RequireValues(ReadAll(**p), 8, (*p)->high_watermark() - 8);
  }
}

// The crashed-process simulation proper: the fault-injecting FS drops handles and locks at the crash.
struct CrashEnv {
  CrashEnv() : fs(mem.get()) {}
  std::unique_ptr<Partition> Open(PartitionConfig config = {}, RecoveryReport* report = nullptr) {
    auto p = Partition::Open(dir, {.fs = &fs, .clock = &clock, .create_if_missing = true, .config = config}, report);
    REQUIRE_OK(p);
    return *std::move(p);
  }
  absl::StatusOr<std::unique_ptr<Partition>> TryOpen(PartitionConfig config, RecoveryReport* report) {
    return Partition::Open(dir, {.fs = &fs, .clock = &clock, .config = config}, report);
  }
  std::unique_ptr<FileSystem> mem = NewMemFileSystem();
  FaultInjectionFileSystem fs;
  std::string dir = "/data/orders-0";
  ManualClock clock{absl::FromUnixMillis(kT0)};
};

TEST_CASE("CrashKeepsDurableAppendsAndReportsTheDroppedTail", "[partition]") {
  CrashEnv env;
  {
    auto p = env.Open();
    AppendValues(p.get(), 0, 10, 100, /*durable=*/true);
    AppendValues(p.get(), 10, 5);
    REQUIRE_OK(env.fs.SimulateCrash({.keep_unsynced_prefix = true, .append_garbage_bytes = 200, .seed = 3}));
  }
  RecoveryReport report;
  auto p = env.TryOpen({}, &report);
  REQUIRE_OK(p);
  REQUIRE_FALSE(report.clean_shutdown);
  REQUIRE(report.segments_recovered == 1);
  REQUIRE(report.bytes_truncated >= 200);
  REQUIRE_FALSE(report.first_invalid_batch.ok());
  const int64_t end = (*p)->log_end_offset();
  REQUIRE(end >= 10);
  REQUIRE(end <= 15);
  REQUIRE(report.log_end_offset == end);
  RequireValues(ReadAll(**p), 0, end);
  AppendValues(p->get(), end, 3);  // the log continues at the cut
  RequireValues(ReadAll(**p), 0, end + 3);
}

TEST_CASE("UncleanRecoveryValidatesOnlyFromTheRecoveryPoint", "[partition]") {
  CrashEnv env;
  PartitionConfig config;
  config.segment.segment_bytes = 1000;
  {
    auto p = env.Open(config);
    AppendValues(p.get(), 0, 60);
    REQUIRE_OK(p->Close());
  }
  int segments = 0;
  {
    auto p = env.Open(config);  // opening must not grow the inactive segments' indexes
    segments = p->num_segments();
    AppendValues(p.get(), 60, 1, 100, /*durable=*/true);
    REQUIRE_OK(p->Flush());
    AppendValues(p.get(), 61, 1);
    REQUIRE_OK(env.fs.SimulateCrash());
  }
  RecoveryReport report;
  auto p = env.TryOpen(config, &report);
  REQUIRE_OK(p);
  INFO("segments " << segments << ", recovered " << report.segments_recovered << " rp " << report.recovery_point << " clean " << report.clean_shutdown);
  REQUIRE(segments > 10);
  REQUIRE(report.segments_recovered <= 2);
  REQUIRE((*p)->log_end_offset() >= 61);
  RequireValues(ReadAll(**p), 0, (*p)->log_end_offset());
}

TEST_CASE("CorruptFlushedDataIsDataLossUnlessTheCallerOptsIn", "[partition]") {
  CrashEnv env;
  {
    auto p = env.Open();
    AppendValues(p.get(), 0, 20);
    REQUIRE_OK(p->Flush());  // recovery point 20, checkpointed
    AppendValues(p.get(), 20, 5);
    REQUIRE_OK(env.fs.SimulateCrash());
  }
  // Flip a byte inside record 3's batch (fsynced data).
  {
    auto log = env.mem->OpenFile("/data/orders-0/00000000000000000000.log", {});
    REQUIRE_OK(log);
    char c = 0;
    REQUIRE_OK((*log)->ReadAt(3 * 150 + 100, {&c, 1}));
    c = static_cast<char>(c ^ 0x40);
    REQUIRE_OK((*log)->WriteAt(3 * 150 + 100, {&c, 1}));
  }
  RecoveryReport report;
  REQUIRE_CODE(env.TryOpen({}, &report), absl::StatusCode::kDataLoss);
  // Nothing was cut by the refused open: opting in now truncates at the damaged batch.
  PartitionConfig config;
  config.truncate_corrupt_flushed_data = true;
  auto p = env.TryOpen(config, &report);
  REQUIRE_OK(p);
  REQUIRE((*p)->log_end_offset() <= 3);
  REQUIRE((*p)->log_end_offset() >= 2);
  REQUIRE_FALSE(report.first_invalid_batch.ok());
}

TEST_CASE("SegmentsAfterACorruptOneAreDropped", "[partition]") {
  CrashEnv env;
  PartitionConfig config;
  config.segment.segment_bytes = 1000;
  std::vector<int64_t> bases;
  {
    auto p = env.Open(config);
    AppendValues(p.get(), 0, 40);
    bases = p->segment_base_offsets();
    REQUIRE(bases.size() >= 4);
    REQUIRE_OK(env.fs.SimulateCrash());  // nothing was synced: every segment file comes back empty
  }
  // The empty first segment is followed by segments that start later: a gap, so they all go.
  RecoveryReport report;
  auto p = env.TryOpen(config, &report);
  REQUIRE_OK(p);
  REQUIRE((*p)->log_end_offset() == 0);
  REQUIRE((*p)->num_segments() == 1);
  REQUIRE(report.segments_deleted == static_cast<int>(bases.size()) - 1);

  CrashEnv env2;
  {
    auto q = env2.Open(config);
    AppendValues(q.get(), 0, 40, 100, /*durable=*/false);
    bases = q->segment_base_offsets();
    REQUIRE_OK(q->Flush());
    REQUIRE_OK(env2.fs.SimulateCrash());
  }
  // Remove the recovery-point checkpoint so everything is validated, then corrupt segment 1's last byte.
  REQUIRE_OK(env2.mem->RemoveFile("/data/orders-0/recovery-point-offset-checkpoint"));
  const std::string second = JoinPath("/data/orders-0", SegmentFileName(bases[1], kLogSuffix));
  auto size = env2.mem->FileSize(second);
  REQUIRE_OK(size);
  {
    auto log = env2.mem->OpenFile(second, {});
    REQUIRE_OK(log);
    REQUIRE_OK((*log)->WriteAt(*size - 1, "\x01"));
  }
  auto q = env2.TryOpen(config, &report);
  REQUIRE_OK(q);
  REQUIRE(report.segments_deleted == static_cast<int>(bases.size()) - 2);
  REQUIRE(report.dropped_up_to_offset == 40);
  REQUIRE((*q)->num_segments() == 2);
  REQUIRE((*q)->log_end_offset() < bases[2]);
  RequireValues(ReadAll(**q), 0, (*q)->log_end_offset());
}

TEST_CASE("AppendBatchesAssignsOffsetsByRewritingOnlyTheBaseOffset", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    auto p = env.Open();
    AppendValues(p.get(), 0, 7);
    BatchBuilder builder({.base_offset = 1000, .compression = CompressionType::kLz4});
    for (int i = 0; i < 5; ++i) REQUIRE_OK(builder.Append(kT0 + i, "k", Value(7 + i)));
    std::string batch(*builder.Build());
    std::string two = batch + batch;
    auto r = p->AppendBatches(two);
    REQUIRE_OK(r);
    REQUIRE(r->base_offset == 7);
    REQUIRE(r->last_offset == 16);
    auto read = p->Read(7);
    REQUIRE_OK(read);
    REQUIRE(read->bytes.size() == two.size());
    // Identical to the producer's bytes except the 8-byte base offset; the CRC still holds.
    REQUIRE(read->bytes.substr(8, batch.size() - 8) == std::string_view(batch).substr(8));
    REQUIRE_OK(BatchView::Parse(read->bytes));
    auto all = ReadAll(*p);
    REQUIRE(all.size() == 17);
    REQUIRE(all[16].value == Value(11));
  }
}

TEST_CASE("AppendBatchesRejectsBadInputAndWritesNothing", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionConfig config;
    config.max_message_bytes = 2000;
    auto p = env.Open(config);
    AppendValues(p.get(), 0, 3);
    const uint64_t size = p->size_bytes();
    BatchBuilder builder;
    REQUIRE_OK(builder.Append(kT0, "k", Value(0)));
    const std::string good(*builder.Build());

    std::string corrupt = good;
    corrupt[corrupt.size() - 1] ^= 1;
    REQUIRE_CODE(p->AppendBatches(good + corrupt), absl::StatusCode::kDataLoss);
    REQUIRE_CODE(p->AppendBatches(good.substr(0, 40)), absl::StatusCode::kInvalidArgument);
    std::string bad_magic = good;
    bad_magic[16] = 1;
    REQUIRE_FALSE(p->AppendBatches(bad_magic).ok());
    BatchBuilder big;
    REQUIRE_OK(big.Append(kT0, "k", std::string(3000, 'b')));
    REQUIRE_CODE(p->AppendBatches(*big.Build()), absl::StatusCode::kInvalidArgument);
    const std::string huge_value(3000, 'h');
    const Record huge{.value = huge_value};
    REQUIRE_CODE(p->Append({&huge, 1}), absl::StatusCode::kInvalidArgument);
    REQUIRE_CODE(p->Append({}), absl::StatusCode::kInvalidArgument);
    REQUIRE_CODE(p->AppendBatches(""), absl::StatusCode::kInvalidArgument);
    REQUIRE(p->size_bytes() == size);
    REQUIRE(p->log_end_offset() == 3);
    REQUIRE_OK(p->AppendBatches(good));  // still writable: bad input is not an I/O failure
    REQUIRE(p->log_end_offset() == 4);
  }
}

TEST_CASE("LogAppendTimeTopicsStampTheBrokerTime", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionConfig config;
    config.timestamp_type = TimestampType::kLogAppendTime;
    auto p = env.Open(config);
    env.clock.Advance(absl::Seconds(7));
    const Record r{.value = "v", .timestamp = 42};
    auto a = p->Append({&r, 1});
    REQUIRE_OK(a);
    REQUIRE(a->log_append_time == kT0 + 7000);
    BatchBuilder builder;
    REQUIRE_OK(builder.Append(43, "k", "v2"));
    auto b = p->AppendBatches(*builder.Build());
    REQUIRE_OK(b);
    REQUIRE(b->log_append_time == kT0 + 7000);
    auto read = p->Read(0);
    REQUIRE_OK(read);
    auto batches = test::DecodeLog(read->bytes);  // CRCs verified
    REQUIRE_OK(batches);
    REQUIRE(batches->size() == 2);
    for (const auto& batch : *batches) {
      REQUIRE(batch.header.timestamp_type() == TimestampType::kLogAppendTime);
      REQUIRE(batch.header.max_timestamp == kT0 + 7000);
      REQUIRE(batch.records[0].timestamp == kT0 + 7000);
    }
  }
}

TEST_CASE("OffsetForTimestampFindsTheFirstRecordAtOrAfter", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionConfig config;
    config.segment.segment_bytes = 1500;
    config.segment.index_interval_bytes = 200;
    auto p = env.Open(config);
    for (int i = 0; i < 60; ++i) {
      const std::string v = Value(i);
      const Record r{.value = v, .timestamp = kT0 + i * 100};
      REQUIRE_OK(p->Append({&r, 1}));
    }
    REQUIRE(p->num_segments() > 3);
    for (int64_t ts : {kT0 - 5, kT0, kT0 + 1, kT0 + 2550, kT0 + 5900}) {
      auto found = p->OffsetForTimestamp(ts);
      REQUIRE_OK(found);
      REQUIRE(found->has_value());
      const int64_t expect = ts <= kT0 ? 0 : (ts - kT0 + 99) / 100;
      REQUIRE((*found)->offset == expect);
      REQUIRE((*found)->timestamp == kT0 + expect * 100);
    }
    auto none = p->OffsetForTimestamp(kT0 + 6000);
    REQUIRE_OK(none);
    REQUIRE_FALSE(none->has_value());
  }
}

TEST_CASE("RetentionByTimeDeletesOldSegmentsAndReadersKeepTheirViews", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionConfig config;
    config.segment.segment_bytes = 1000;
    config.retention_ms = 60'000;
    auto p = env.Open(config);
    for (int i = 0; i < 30; ++i) {
      const std::string v = Value(i);
      const Record r{.value = v, .timestamp = kT0 + i * 1000};
      REQUIRE_OK(p->Append({&r, 1}));
    }
    const std::vector<int64_t> bases = p->segment_base_offsets();
    auto held = p->Read(0);  // a reader holding the oldest segment
    REQUIRE_OK(held);
    const std::string before(held->bytes);

    env.clock.SetTime(absl::FromUnixMillis(kT0 + 60'000 + 12'500));  // records with ts < kT0+12500 expire
    auto result = p->EnforceRetention();
    REQUIRE_OK(result);
    REQUIRE(result->segments_deleted > 0);
    REQUIRE(p->log_start_offset() == result->log_start_offset);
    REQUIRE(p->log_start_offset() <= 13);
    REQUIRE(p->log_start_offset() == p->segment_base_offsets().front());
    REQUIRE(*env.fs->Exists(env.SegmentPath(0)) == false);
    REQUIRE(held->bytes == before);  // still valid
    REQUIRE_CODE(p->Read(0), absl::StatusCode::kOutOfRange);
    RequireValues(ReadAll(*p), p->log_start_offset(), 30 - p->log_start_offset());

    // Everything expired: the active segment is rolled first so one empty segment remains.
    env.clock.SetTime(absl::FromUnixMillis(kT0 + 10'000'000));
    REQUIRE_OK(p->EnforceRetention());
    REQUIRE(p->num_segments() == 1);
    REQUIRE(p->log_start_offset() == 30);
    REQUIRE(p->log_end_offset() == 30);
    AppendValues(p.get(), 30, 2);
    RequireValues(ReadAll(*p), 30, 2);
  }
}

TEST_CASE("RetentionBySizeKeepsTheNewestBytes", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionConfig config;
    config.segment.segment_bytes = 1000;
    config.retention_bytes = 2500;
    auto p = env.Open(config);
    AppendValues(p.get(), 0, 50);
    const uint64_t before = p->size_bytes();
    REQUIRE_OK(p->EnforceRetention());
    // Kafka's rule: whole oldest segments go while at least retention.bytes remain.
    REQUIRE(p->size_bytes() < before);
    REQUIRE(p->size_bytes() >= 2500);
    auto oldest = p->Read(p->log_start_offset(), {.max_bytes = 1 << 20});
    REQUIRE_OK(oldest);
    REQUIRE(p->size_bytes() - oldest->bytes.size() < 2500);
    RequireValues(ReadAll(*p), p->log_start_offset(), 50 - p->log_start_offset());
  }
}

TEST_CASE("RetentionNeverPassesTheHighWatermark", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionConfig config;
    config.segment.segment_bytes = 1000;
    config.retention_bytes = 0;
    config.high_watermark_is_flushed = true;
    auto p = env.Open(config);
    AppendValues(p.get(), 0, 30);
    REQUIRE(p->high_watermark() == 0);  // nothing flushed, nothing visible
    auto empty = p->Read(0);
    REQUIRE_OK(empty);
    REQUIRE(empty->bytes.empty());
    REQUIRE_OK(p->EnforceRetention());
    REQUIRE(p->log_start_offset() == 0);
    REQUIRE_CODE(p->DeleteRecordsBefore(5), absl::StatusCode::kOutOfRange);
    REQUIRE_OK(p->Flush());
    REQUIRE(p->high_watermark() == 30);
    REQUIRE_OK(p->EnforceRetention());
    REQUIRE(p->log_start_offset() == 30);
  }
}

TEST_CASE("DeleteRecordsBeforeMovesTheLogStartAndSurvivesReopen", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionConfig config;
    config.segment.segment_bytes = 1000;
    {
      auto p = env.Open(config);
      AppendValues(p.get(), 0, 30);
      const auto bases = p->segment_base_offsets();
      REQUIRE_OK(p->DeleteRecordsBefore(bases[2] + 1));
      REQUIRE(p->log_start_offset() == bases[2] + 1);
      REQUIRE(p->segment_base_offsets().front() == bases[2]);  // the segment holding the new start stays
      REQUIRE_CODE(p->Read(bases[2]), absl::StatusCode::kOutOfRange);
      RequireValues(ReadAll(*p), bases[2] + 1, 30 - bases[2] - 1);
      REQUIRE_OK(p->DeleteRecordsBefore(1));  // below the start: nothing to do
      REQUIRE_CODE(p->DeleteRecordsBefore(31), absl::StatusCode::kOutOfRange);
    }  // destructor closes cleanly
    auto p = env.Open(config);
    REQUIRE(p->log_start_offset() == p->segment_base_offsets().front() + 1);
  }
}

TEST_CASE("TruncateToRemovesEverythingFromTheOffset", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionConfig config;
    config.segment.segment_bytes = 1000;
    auto p = env.Open(config);
    AppendValues(p.get(), 0, 40);
    REQUIRE_OK(p->Flush());
    const auto bases = p->segment_base_offsets();
    auto held = p->Read(bases[1]);
    REQUIRE_OK(held);
    const std::string before(held->bytes);
    REQUIRE_OK(p->TruncateTo(bases[1] + 1));
    REQUIRE(p->log_end_offset() == bases[1] + 1);
    REQUIRE(p->recovery_point() == bases[1] + 1);
    REQUIRE(p->num_segments() == 2);
    REQUIRE(held->bytes == before);  // a reader's view outlives the truncation
    RequireValues(ReadAll(*p), 0, bases[1] + 1);
    AppendValues(p.get(), bases[1] + 1, 5);
    RequireValues(ReadAll(*p), 0, bases[1] + 6);
    REQUIRE_OK(p->TruncateTo(1000));  // past the end: nothing to do
    REQUIRE_OK(p->TruncateTo(0));
    REQUIRE(p->log_end_offset() == 0);
    REQUIRE(p->num_segments() == 1);
    AppendValues(p.get(), 0, 3);
    REQUIRE_OK(p->Close());
    auto q = env.Open(config);
    RequireValues(ReadAll(*q), 0, 3);
  }
}

TEST_CASE("DurableAppendsFromManyThreadsShareFsyncs", "[partition]") {
  auto mem = NewMemFileSystem();
  FaultInjectionFileSystem fs(mem.get());
  auto opened = Partition::Open("/d/t-0", {.fs = &fs, .create_if_missing = true});
  REQUIRE_OK(opened);
  Partition& p = **opened;
  // The first fsync is held in flight until the other seven appenders have written and queued behind it.
  constexpr int kThreads = 8;
  Notification syncing;  // the leader's fsync has started (so it covers the leader's record only)
  Notification release;
  std::atomic<bool> first{true};
  fs.SetSyncHook([&](const std::string& path) {
    if (absl::EndsWith(path, ".log") && first.exchange(false)) {
      syncing.Notify();
      release.WaitForNotification();
    }
  });
  const int64_t syncs_before = fs.sync_count();
  auto append = [&](int t) {
    const std::string v = absl::StrCat("t", t);
    const Record r{.value = v};
    auto a = p.Append({&r, 1}, {.durable = true});
    return a.ok() && p.recovery_point() > a->last_offset;
  };
  std::atomic<int> acked{0};
  std::thread leader([&] { acked += append(0); });
  std::vector<std::thread> followers;
  // Wait until the leader's fsync is in flight: had the followers written first, that one fsync would cover
  // all eight records and the count below would be 1 (CI saw it once).
  syncing.WaitForNotification();
  for (int t = 1; t < kThreads; ++t) followers.emplace_back([&, t] { acked += append(t); });
  REQUIRE_OK(p.WaitForData(kThreads - 1, absl::InfiniteFuture()));  // all eight written
  release.Notify();
  leader.join();
  for (auto& t : followers) t.join();
  REQUIRE(acked.load() == kThreads);
  // One fsync for the leader's round, one shared by the seven that queued behind it.
  REQUIRE(fs.sync_count() - syncs_before == 2);
  fs.SetSyncHook(nullptr);

  // And under free-running load, every acknowledged record survives a crash.
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) acked += append(t);
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(acked.load() == kThreads * 101);
  REQUIRE_OK(fs.SimulateCrash());
  opened->reset();
  auto q = Partition::Open("/d/t-0", {.fs = &fs});
  REQUIRE_OK(q);
  REQUIRE((*q)->log_end_offset() == kThreads * 101);
}

TEST_CASE("AFailedFsyncMakesThePartitionRefuseWritesUntilReopened", "[partition]") {
  auto mem = NewMemFileSystem();
  FaultInjectionFileSystem fs(mem.get());
  {
    auto p = Partition::Open("/d/t-0", {.fs = &fs, .create_if_missing = true});
    REQUIRE_OK(p);
    const Record r{.value = "a"};
    REQUIRE_OK((*p)->Append({&r, 1}, {.durable = true}));
    fs.InjectError(FaultInjectionFileSystem::Op::kSync, absl::DataLossError("EIO on fsync"), ".log");
    REQUIRE_CODE((*p)->Append({&r, 1}, {.durable = true}), absl::StatusCode::kDataLoss);
    // Never retried: later writes and flushes are refused, reads still work.
    REQUIRE_CODE((*p)->Append({&r, 1}), absl::StatusCode::kFailedPrecondition);
    REQUIRE_CODE((*p)->Flush(), absl::StatusCode::kFailedPrecondition);
    REQUIRE_CODE((*p)->Roll(), absl::StatusCode::kFailedPrecondition);
    REQUIRE_OK((*p)->Read(0));
    REQUIRE_FALSE((*p)->Close().ok());
  }
  auto p = Partition::Open("/d/t-0", {.fs = &fs});
  REQUIRE_OK(p);
  REQUIRE((*p)->log_end_offset() >= 1);
  const Record r{.value = "b"};
  REQUIRE_OK((*p)->Append({&r, 1}, {.durable = true}));
}

TEST_CASE("AFailedWriteMakesThePartitionRefuseWrites", "[partition]") {
  auto mem = NewMemFileSystem();
  FaultInjectionFileSystem fs(mem.get());
  auto p = Partition::Open("/d/t-0", {.fs = &fs, .create_if_missing = true});
  REQUIRE_OK(p);
  const Record r{.value = "a"};
  REQUIRE_OK((*p)->Append({&r, 1}));
  fs.SetFreeSpace(10);
  REQUIRE_CODE((*p)->Append({&r, 1}), absl::StatusCode::kResourceExhausted);
  fs.SetFreeSpace(std::nullopt);
  REQUIRE_CODE((*p)->Append({&r, 1}), absl::StatusCode::kFailedPrecondition);
  REQUIRE((*p)->log_end_offset() == 1);
}

TEST_CASE("WaitForDataWakesOnAppendAndTimesOutOnTheClock", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    auto p = env.Open();
    absl::Status waited;
    std::thread waiter([&] { waited = p->WaitForData(0, env.clock.Now() + absl::Hours(1)); });
    env.clock.AwaitWaiters(1);
    AppendValues(p.get(), 0, 1);
    waiter.join();
    REQUIRE_OK(waited);
    REQUIRE_OK(p->WaitForData(0, env.clock.Now()));  // already there
    std::thread timeout([&] { waited = p->WaitForData(1, env.clock.Now() + absl::Seconds(5)); });
    env.clock.AwaitWaiters(1);
    env.clock.Advance(absl::Seconds(6));
    timeout.join();
    REQUIRE_CODE(waited, absl::StatusCode::kDeadlineExceeded);
    std::thread closing([&] { waited = p->WaitForData(1, env.clock.Now() + absl::Hours(1)); });
    env.clock.AwaitWaiters(1);
    REQUIRE_OK(p->Close());
    closing.join();
    REQUIRE_CODE(waited, absl::StatusCode::kFailedPrecondition);
  }
}

TEST_CASE("ConcurrentReadersSeeAPrefixOfTheAppends", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionConfig config;
    config.segment.segment_bytes = 20'000;
    auto p = env.Open(config);
    constexpr int kRecords = 2000;
    std::atomic<bool> bad{false};
    std::vector<std::thread> readers;
    for (int t = 0; t < 2; ++t) {
      readers.emplace_back([&] {
        int64_t next = 0;
        while (next < kRecords) {
          if (!p->WaitForData(next, absl::InfiniteFuture()).ok()) break;
          auto read = p->Read(next);
          if (!read.ok()) { bad = true; break; }
          auto batches = test::DecodeLog(read->bytes);
          if (!batches.ok()) { bad = true; break; }
          for (const auto& b : *batches) {
            for (const auto& r : b.records) {
              if (r.offset < next) continue;
              if (r.offset != next || r.value != Value(next)) bad = true;
              ++next;
            }
          }
        }
      });
    }
    AppendValues(p.get(), 0, kRecords);
    for (auto& r : readers) r.join();
    REQUIRE_FALSE(bad.load());
  }
}

TEST_CASE("TheAppendBufferIsReadableAndWrittenOutByCloseAndFlush", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    PartitionConfig config;
    config.append_buffer_bytes = 64 * 1024;
    {
      auto p = env.Open(config);
      AppendValues(p.get(), 0, 10);
      REQUIRE(p->size_bytes() == 0);  // still in memory
      RequireValues(ReadAll(*p), 0, 10);  // a read writes the buffer out
      REQUIRE(p->size_bytes() > 0);
      AppendValues(p.get(), 10, 1000);  // fills the buffer several times
      AppendValues(p.get(), 1010, 5, 100, /*durable=*/true);
      REQUIRE(p->recovery_point() == 1015);
      AppendValues(p.get(), 1015, 5);
      REQUIRE_OK(p->Close());
    }
    auto p = env.Open(config);
    RequireValues(ReadAll(*p), 0, 1020);
  }
}

TEST_CASE("FlushPolicyFsyncsEveryNMessages", "[partition]") {
  auto mem = NewMemFileSystem();
  FaultInjectionFileSystem fs(mem.get());
  PartitionConfig config;
  config.flush_messages = 3;
  auto p = Partition::Open("/d/t-0", {.fs = &fs, .create_if_missing = true, .config = config});
  REQUIRE_OK(p);
  AppendValues(p->get(), 0, 2);
  REQUIRE((*p)->recovery_point() == 0);
  AppendValues(p->get(), 2, 1);
  REQUIRE((*p)->recovery_point() == 3);
}

// Found by seglog_fuzz_checkpoint: a log-start-offset checkpoint may put the log's start anywhere up to
// INT64_MAX, and the next append's offsets then overflowed int64.
TEST_CASE("AppendsPastTheLargestOffsetAreRefused", "[partition]") {
  Env env(false);
  auto p = Partition::Open(env.dir, {.fs = env.fs.get(), .clock = &env.clock, .create_if_missing = true,
                                     .checkpoint = PartitionCheckpoint{.log_start_offset = INT64_MAX - 1}});
  REQUIRE_OK(p);
  REQUIRE((*p)->log_end_offset() == INT64_MAX - 1);
  const Record two[] = {{.value = "a"}, {.value = "b"}};
  REQUIRE_CODE((*p)->Append(two), absl::StatusCode::kOutOfRange);
  REQUIRE((*p)->log_end_offset() == INT64_MAX - 1);
  auto last = (*p)->Append({&two[0], 1});  // the last offset there is: INT64_MAX - 1, the log end INT64_MAX
  REQUIRE_OK(last);
  REQUIRE(last->base_offset == INT64_MAX - 1);
  REQUIRE((*p)->log_end_offset() == INT64_MAX);
  REQUIRE_CODE((*p)->Append({&two[0], 1}), absl::StatusCode::kOutOfRange);
  BatchBuilder builder;
  REQUIRE_OK(builder.Append(kT0, std::nullopt, "c"));
  auto batch = builder.Build();
  REQUIRE_OK(batch);
  REQUIRE_CODE((*p)->AppendBatches(*batch), absl::StatusCode::kOutOfRange);
  REQUIRE((*p)->log_end_offset() == INT64_MAX);
  const std::vector<test::OwnedRecord> records = ReadAll(**p);
  REQUIRE(records.size() == 1);
  CHECK(records[0].offset == INT64_MAX - 1);
  CHECK(records[0].value == "a");
}

TEST_CASE("OpenValidatesItsInputs", "[partition]") {
  Env env(false);
  REQUIRE_CODE(Partition::Open("/data/no-partition-number", {.fs = env.fs.get(), .create_if_missing = true}),
               absl::StatusCode::kInvalidArgument);
  REQUIRE_CODE(Partition::Open("/data/bad topic-0", {.fs = env.fs.get(), .create_if_missing = true}),
               absl::StatusCode::kInvalidArgument);
  REQUIRE_CODE(Partition::Open("/data/missing-0", {.fs = env.fs.get()}), absl::StatusCode::kNotFound);
  REQUIRE_CODE(Partition::Open("/data/t-0", {}), absl::StatusCode::kInvalidArgument);
  PartitionConfig config;
  config.segment.segment_bytes = 10;
  REQUIRE_CODE(Partition::Open("/data/t-0", {.fs = env.fs.get(), .create_if_missing = true, .config = config}),
               absl::StatusCode::kInvalidArgument);
  auto first = env.Open();
  REQUIRE_CODE(Partition::Open(env.dir, {.fs = env.fs.get()}), absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("OpensAPartitionWrittenByApacheKafka", "[partition]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    const std::string dir = JoinPath(env.root, "__cluster_metadata-0");
    REQUIRE_OK(env.fs->CreateDirs(dir));
    const std::string name = "00000000000000000000.log";
    REQUIRE_OK(WriteFileAtomically(env.fs.get(), JoinPath(dir, name),
                                   test::ReadTestdata("kafka/real/__cluster_metadata-0/" + name)));
    RecoveryReport report;
    auto p = Partition::Open(dir, {.fs = env.fs.get()}, &report);
    REQUIRE_OK(p);
    REQUIRE(report.segments_recovered == 1);
    REQUIRE(report.bytes_truncated == 0);
    REQUIRE(*env.fs->Exists(JoinPath(dir, "00000000000000000000.index")));
    REQUIRE(*env.fs->Exists(JoinPath(dir, "00000000000000000000.timeindex")));
    REQUIRE((*p)->log_end_offset() == 4929);
    const auto all = ReadAll(**p, 0, {.max_bytes = 64 * 1024});
    REQUIRE(all.size() == 4929);
    for (size_t i = 0; i < all.size(); ++i) REQUIRE(all[i].offset == static_cast<int64_t>(i));
    // Random lookups land on the batch holding the offset.
    for (int64_t o : {0, 1, 777, 2500, 4928}) {
      auto read = (*p)->Read(o, {.max_bytes = 1});
      REQUIRE_OK(read);
      auto header = DecodeBatchHeader(read->bytes);
      REQUIRE_OK(header);
      REQUIRE(header->base_offset <= o);
      REQUIRE(header->last_offset() >= o);
    }
  }
}

}  // namespace
}  // namespace seglog

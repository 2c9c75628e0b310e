// Segment: appends with Kafka's index rule, offset translation, recovery of torn/garbage/zero/corrupt tails,
// truncation, timestamp search, roll conditions, reopen and delete. Runs on POSIX and in-memory; also opens
// a segment written by Apache Kafka.
#include "seglog/segment.h"
#include "absl/strings/str_cat.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "seglog/batch_builder.h"
#include "seglog/batch_view.h"
#include "seglog/log_files.h"
#include "support/fault_injection_file_system.h"
#include "support/test_util.h"

namespace seglog {
namespace {

struct Env : test::TestFs {
  explicit Env(bool posix) : TestFs(posix, "/t-0") {}
  std::string Path(int64_t base, std::string_view suffix) const { return JoinPath(root, SegmentFileName(base, suffix)); }
};

constexpr int64_t kT0 = 1700000000000;

// A batch of `n` records at `base`, timestamps kT0 + offset * 10, values of `value_size` bytes.
std::string Batch(int64_t base, int n, size_t value_size = 100) {
  BatchBuilder builder({.base_offset = base});
  for (int i = 0; i < n; ++i) {
    REQUIRE_OK(builder.Append(kT0 + (base + i) * 10, absl::StrCat("k", base + i), std::string(value_size, 'v')));
  }
  return std::string(*builder.Build());
}

AppendInfo InfoFor(const std::string& batch) {
  auto view = BatchView::Parse(batch);
  REQUIRE_OK(view);
  return {.last_offset = view->last_offset(), .max_timestamp = view->header().max_timestamp,
          .offset_of_max_timestamp = view->last_offset()};
}

std::unique_ptr<Segment> OpenSegment(const Env& env, int64_t base, SegmentConfig config = {}) {
  auto segment = Segment::Open(env.fs.get(), env.root, base, config, kT0);
  REQUIRE_OK(segment);
  return *std::move(segment);
}

// Appends `batches` batches of 10 records from `base`; returns the batches.
std::vector<std::string> Fill(Segment* segment, int64_t base, int batches, size_t value_size = 100) {
  std::vector<std::string> out;
  for (int b = 0; b < batches; ++b) {
    out.push_back(Batch(base + b * 10, 10, value_size));
    REQUIRE_OK(segment->Append(out.back(), InfoFor(out.back())));
  }
  return out;
}

TEST_CASE("AppendedOffsetsTranslateToTheirBatch", "[segment]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    auto segment = OpenSegment(env, 100);
    const auto batches = Fill(segment.get(), 100, 50);  // ~1.2 KB each: an index entry every ~4 batches
    CHECK(segment->offset_index().entries() > 5);
    uint64_t position = 0;
    for (int b = 0; b < 50; ++b) {
      for (int64_t offset = 100 + b * 10; offset < 110 + b * 10; offset += 3) {
        auto at = segment->TranslateOffset(offset);
        REQUIRE_OK(at);
        REQUIRE(at->has_value());
        CHECK((*at)->base_offset == 100 + b * 10);
        CHECK((*at)->position == position);
        CHECK((*at)->size == batches[b].size());
      }
      position += batches[b].size();
    }
    CHECK(segment->size() == position);
    auto past = segment->TranslateOffset(600);
    REQUIRE_OK(past);
    CHECK_FALSE(past->has_value());
    auto before = segment->TranslateOffset(3);  // below the base: the first batch
    REQUIRE_OK(before);
    CHECK((*before)->position == 0);
    CHECK(*segment->ReadNextOffset() == 600);
  }
}

TEST_CASE("IndexEntriesFollowKafkasRule", "[segment]") {
  Env env(false);
  auto segment = OpenSegment(env, 0, {.index_interval_bytes = 2000});
  const auto batches = Fill(segment.get(), 0, 12);
  // Kafka: before each append, if more than index.interval.bytes were written since the last entry, add
  // {this append's last offset, this append's start position}.
  std::vector<IndexEntry> expected;
  uint64_t since = 0;
  uint64_t position = 0;
  for (int b = 0; b < 12; ++b) {
    if (since > 2000) {
      expected.push_back({b * 10 + 9, static_cast<int64_t>(position)});
      since = 0;
    }
    since += batches[b].size();
    position += batches[b].size();
  }
  REQUIRE(segment->offset_index().entries() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) CHECK(segment->offset_index().Entry(i) == expected[i]);
  // Time index: {largest timestamp so far, its offset} at the same moments.
  REQUIRE(segment->time_index().entries() == expected.size());
  CHECK(segment->time_index().Entry(0) == IndexEntry{kT0 + expected[0].key * 10, expected[0].key});
}

TEST_CASE("RecoveryRebuildsTheSameIndexes", "[segment]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    std::vector<IndexEntry> offsets;
    {
      auto segment = OpenSegment(env, 0);
      Fill(segment.get(), 0, 40);
      for (size_t i = 0; i < segment->offset_index().entries(); ++i) offsets.push_back(segment->offset_index().Entry(i));
      REQUIRE_OK(segment->Close());
    }
    REQUIRE_OK(env.fs->RemoveFile(env.Path(0, kIndexSuffix)));
    REQUIRE_OK(env.fs->RemoveFile(env.Path(0, kTimeIndexSuffix)));
    auto segment = OpenSegment(env, 0);  // missing indexes are rebuilt from the log
    REQUIRE(segment->offset_index().entries() == offsets.size());
    for (size_t i = 0; i < offsets.size(); ++i) CHECK(segment->offset_index().Entry(i) == offsets[i]);
    CHECK(segment->max_timestamp() == TimestampAndOffset{kT0 + 399 * 10, 399});
  }
}

TEST_CASE("RecoveryCutsTornGarbageAndZeroTails", "[segment]") {
  struct Tail {
    const char* name;
    std::string bytes;
    const char* why;
  };
  const std::string next = Batch(100, 10);
  const std::vector<Tail> tails = {
      {"torn batch", next.substr(0, next.size() / 2), "incomplete"},
      {"torn header", next.substr(0, 7), "trailing bytes"},
      {"zero-filled", std::string(4096, '\0'), "too small"},
      {"garbage", std::string("\x00\x00\x00\x00\x00\x00\x00\x64\x00\x00\x01\x00 garbage!", 21) + std::string(300, 'g'),
       ""},
  };
  for (bool posix : {false, true}) {
    for (const Tail& tail : tails) {
      INFO((posix ? "posix " : "mem ") << tail.name);
      Env env(posix);
      uint64_t good = 0;
      {
        auto segment = OpenSegment(env, 0);
        Fill(segment.get(), 0, 10);
        good = segment->size();
        REQUIRE_OK(segment->Close());
      }
      {
        auto file = env.fs->OpenFile(env.Path(0, kLogSuffix), {});
        REQUIRE_OK(file);
        REQUIRE_OK((*file)->Append(tail.bytes));
      }
      auto segment = OpenSegment(env, 0);
      auto result = segment->Recover();
      REQUIRE_OK(result);
      CHECK(result->valid_bytes == good);
      CHECK(result->truncated_bytes == tail.bytes.size());
      CHECK(result->batches == 10);
      CHECK(result->next_offset == 100);
      CHECK_FALSE(result->stopped_by.ok());
      CHECK(std::string(result->stopped_by.message()).find(absl::StrCat("at byte ", good)) != std::string::npos);
      CHECK(std::string(result->stopped_by.message()).find(tail.why) != std::string::npos);
      CHECK(*env.fs->FileSize(env.Path(0, kLogSuffix)) == good);
      CHECK(segment->size() == good);
      REQUIRE_OK(segment->Append(next, InfoFor(next)));  // appendable again where the tail was
      CHECK(*segment->ReadNextOffset() == 110);
    }
  }
}

TEST_CASE("RecoveryOfAnInactiveSegmentRegainsIndexCapacity", "[segment]") {
  Env env(false);
  auto segment = OpenSegment(env, 0, {.index_interval_bytes = 500});
  Fill(segment.get(), 0, 30);
  const size_t entries = segment->offset_index().entries();
  REQUIRE_OK(segment->OnBecomeInactive());  // trimmed: no free slot left
  CHECK(segment->offset_index().IsFull());
  auto result = segment->Recover();
  REQUIRE_OK(result);
  CHECK(result->stopped_by.ok());
  CHECK(segment->offset_index().entries() == entries);
}

TEST_CASE("AppendOnAFullIndexFailsBeforeWriting", "[segment]") {
  Env env(false);
  // 24 bytes: 3 offset entries, 2 time entries of which one is kept for the roll entry.
  auto segment = OpenSegment(env, 0, {.index_interval_bytes = 100, .segment_index_bytes = 24});
  Fill(segment.get(), 0, 2);  // an entry at batch 1
  CHECK(segment->time_index().IsFull());
  const uint64_t size = segment->size();
  const std::string b = Batch(20, 10);
  REQUIRE_CODE(segment->Append(b, InfoFor(b)), absl::StatusCode::kResourceExhausted);
  CHECK(segment->size() == size);
  CHECK(*env.fs->FileSize(env.Path(0, kLogSuffix)) == size);
}

TEST_CASE("RecoveryStopsAtAChecksumMismatchMidLog", "[segment]") {
  Env env(false);
  auto segment = OpenSegment(env, 0);
  const auto batches = Fill(segment.get(), 0, 10);
  REQUIRE_OK(segment->Close());
  uint64_t bad_at = 0;  // where batch 4 starts
  for (int b = 0; b < 4; ++b) bad_at += batches[b].size();
  {
    auto file = env.fs->OpenFile(env.Path(0, kLogSuffix), {});
    REQUIRE_OK(file);
    REQUIRE_OK((*file)->WriteAt(bad_at + 100, "X"));
  }
  segment = OpenSegment(env, 0);
  auto result = segment->Recover();
  REQUIRE_OK(result);
  CHECK(result->batches == 4);
  CHECK(result->valid_bytes == bad_at);
  CHECK(result->stopped_by.code() == absl::StatusCode::kDataLoss);
  CHECK(std::string(result->stopped_by.message()).find("CRC") != std::string::npos);
}

TEST_CASE("RecoveryStopsAtOffsetsGoingBackwards", "[segment]") {
  Env env(false);
  auto segment = OpenSegment(env, 0);
  Fill(segment.get(), 0, 3);
  const std::string stale = Batch(5, 10);  // offsets 5-14 after 0-29
  REQUIRE_OK(segment->Append(stale, InfoFor(stale)));
  auto result = segment->Recover();
  REQUIRE_OK(result);
  CHECK(result->batches == 3);
  CHECK(result->stopped_by.code() == absl::StatusCode::kDataLoss);
  CHECK(result->truncated_bytes == stale.size());
}

// Found by seglog_fuzz_index: a batch ending at INT64_MAX (its base offset is not covered by the CRC) made
// Recover and ReadNextOffset compute INT64_MAX + 1. Offsets stop at INT64_MAX - 1 (Partition refuses appends
// past it), so such a batch is outside any segment.
TEST_CASE("ABatchEndingAtTheLargestOffsetIsOutsideTheSegment", "[segment]") {
  Env env(false);
  constexpr int64_t kBase = INT64_MAX - 1000;
  std::string batch = Batch(0, 10);
  SetBaseOffset(batch.data(), INT64_MAX - 9);  // offsets INT64_MAX - 9 .. INT64_MAX, CRC still valid
  REQUIRE_OK(WriteFileAtomically(env.fs.get(), env.Path(kBase, kLogSuffix), batch));
  auto segment = Segment::Open(env.fs.get(), env.root, kBase, {}, kT0, 0, /*rebuild_indexes=*/false);
  REQUIRE_OK(segment);
  auto next = (*segment)->ReadNextOffset();
  REQUIRE_OK(next);
  CHECK(*next == kBase);
  auto at = (*segment)->TranslateOffset(INT64_MAX);
  REQUIRE_OK(at);
  CHECK_FALSE(at->has_value());
  auto result = (*segment)->Recover();
  REQUIRE_OK(result);
  CHECK(result->batches == 0);
  CHECK(result->next_offset == kBase);
  CHECK(result->stopped_by.code() == absl::StatusCode::kDataLoss);
  CHECK(result->truncated_bytes == batch.size());
}

TEST_CASE("TruncateToRemovesWholeBatchesFromTheOffset", "[segment]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    auto segment = OpenSegment(env, 0, {.index_interval_bytes = 1000});
    const auto batches = Fill(segment.get(), 0, 20);
    uint64_t kept = 0;  // batches 0-9 (offsets 0-99) stay
    for (int b = 0; b < 10; ++b) kept += batches[b].size();
    const uint64_t before = segment->size();
    auto removed = segment->TruncateTo(105);  // batch 100-109 goes entirely
    REQUIRE_OK(removed);
    CHECK(*removed == before - kept);
    CHECK(segment->size() == kept);
    CHECK(*segment->ReadNextOffset() == 100);
    for (size_t i = 0; i < segment->offset_index().entries(); ++i) CHECK(segment->offset_index().Entry(i).key < 105);
    CHECK(segment->max_timestamp().offset < 105);
    const std::string again = Batch(100, 10);
    REQUIRE_OK(segment->Append(again, InfoFor(again)));
    CHECK(*segment->ReadNextOffset() == 110);
    CHECK(*segment->TruncateTo(1000) == 0);  // past the end: nothing
    const uint64_t all = segment->size();
    CHECK(*segment->TruncateTo(0) == all);
    CHECK(segment->size() == 0);
  }
}

TEST_CASE("FindOffsetByTimestampReturnsTheFirstRecordAtOrAfter", "[segment]") {
  Env env(false);
  auto segment = OpenSegment(env, 0, {.index_interval_bytes = 500});
  Fill(segment.get(), 0, 30);  // record o has timestamp kT0 + 10 o
  auto at = segment->FindOffsetByTimestamp(kT0 + 1234, 0);
  REQUIRE_OK(at);
  REQUIRE(at->has_value());
  CHECK(**at == TimestampAndOffset{kT0 + 1240, 124});
  CHECK(**segment->FindOffsetByTimestamp(0, 0) == TimestampAndOffset{kT0, 0});
  CHECK(**segment->FindOffsetByTimestamp(kT0, 77) == TimestampAndOffset{kT0 + 770, 77});
  CHECK_FALSE(segment->FindOffsetByTimestamp(kT0 + 300 * 10, 0)->has_value());
}

TEST_CASE("RollConditionsLiveInOneFunction", "[segment]") {
  Env env(false);
  auto segment = OpenSegment(env, 1000, {.segment_index_bytes = 24});  // 3 offset entries, 2 time entries
  RollParams p{.max_segment_bytes = 1 << 20, .max_segment_ms = 60000, .max_timestamp_in_messages = kT0,
               .max_offset_in_messages = 1000, .messages_size = 100, .now_ms = kT0};
  CHECK_FALSE(segment->ShouldRoll(p));  // empty: nothing forces a roll
  p.now_ms = kT0 + 10 * 60000;
  CHECK_FALSE(segment->ShouldRoll(p));  // an empty segment never rolls on time
  const std::string b = Batch(1000, 10);
  REQUIRE_OK(segment->Append(b, InfoFor(b)));
  p.max_timestamp_in_messages = kT0 + 10000 + 59000;  // 59 s after the first batch's max timestamp
  CHECK_FALSE(segment->ShouldRoll(p));
  p.max_timestamp_in_messages = kT0 + 10000 + 90 + 60001;
  CHECK(segment->ShouldRoll(p));  // segment.ms passed (measured from record time, not wall time)
  p.max_timestamp_in_messages = kT0;
  p.max_segment_bytes = static_cast<int64_t>(b.size()) + 99;
  CHECK(segment->ShouldRoll(p));  // the next 100 bytes would overflow segment.bytes
  p.max_segment_bytes = 1 << 20;
  p.max_offset_in_messages = 1000 + int64_t{INT32_MAX} + 1;
  CHECK(segment->ShouldRoll(p));  // relative offset overflow
  p.max_offset_in_messages = 1010;
  CHECK_FALSE(segment->ShouldRoll(p));

  auto jittered = Segment::Open(env.fs.get(), "/t-0", 5000, {}, kT0, /*roll_jitter_ms=*/30000);
  REQUIRE_OK(jittered);
  const std::string c = Batch(5000, 1);
  REQUIRE_OK((*jittered)->Append(c, InfoFor(c)));
  RollParams q{.max_segment_bytes = 1 << 20, .max_segment_ms = 60000,
               .max_timestamp_in_messages = kT0 + 50000 + 31000, .max_offset_in_messages = 5001, .now_ms = kT0};
  CHECK((*jittered)->ShouldRoll(q));  // 31 s waited > 60 s - 30 s jitter
}

TEST_CASE("ReopenRestoresSizeIndexesAndTimestamps", "[segment]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    {
      auto segment = OpenSegment(env, 0);
      Fill(segment.get(), 0, 30);
      REQUIRE_OK(segment->OnBecomeInactive());
      REQUIRE_OK(segment->Flush());
      REQUIRE_OK(segment->Close());
      REQUIRE_CODE(segment->Append("x", {}), absl::StatusCode::kFailedPrecondition);
    }
    auto segment = OpenSegment(env, 0);
    CHECK(*segment->ReadNextOffset() == 300);
    CHECK(segment->max_timestamp() == TimestampAndOffset{kT0 + 2990, 299});
    auto at = segment->TranslateOffset(155);
    REQUIRE_OK(at);
    CHECK((*at)->base_offset == 150);
    std::string bytes;
    REQUIRE_OK(segment->ReadAt((*at)->position, (*at)->size, &bytes));
    auto decoded = test::DecodeBatch(bytes);
    REQUIRE_OK(decoded);
    CHECK(decoded->at(5).offset == 155);
  }
}

TEST_CASE("ReadAtStopsAtTheEnd", "[segment]") {
  Env env(false);
  auto segment = OpenSegment(env, 0);
  Fill(segment.get(), 0, 2);
  std::string out;
  CHECK(*segment->ReadAt(segment->size() - 10, 1000, &out) == 10);
  CHECK(*segment->ReadAt(segment->size(), 1000, &out) == 0);
  CHECK(out.size() == 10);
}

TEST_CASE("DeletedSegmentStaysReadableByItsHolder", "[segment]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    auto segment = OpenSegment(env, 0);
    Fill(segment.get(), 0, 20);
    REQUIRE_OK(segment->Delete());
    for (auto suffix : {kLogSuffix, kIndexSuffix, kTimeIndexSuffix}) {
      CHECK_FALSE(*env.fs->Exists(env.Path(0, suffix)));
      CHECK_FALSE(*env.fs->Exists(env.Path(0, suffix) + ".deleted"));
    }
    auto at = segment->TranslateOffset(123);  // index lookup and log read on the deleted files
    REQUIRE_OK(at);
    std::string bytes;
    REQUIRE_OK(segment->ReadAt((*at)->position, (*at)->size, &bytes));
    CHECK(test::DecodeBatch(bytes)->front().offset == 120);
    segment.reset();  // closing must not recreate anything
    CHECK(*env.fs->ListDir(env.root) == std::vector<std::string>{});
  }
}

TEST_CASE("OpensASegmentWrittenByApacheKafka", "[segment]") {
  Env env(false);
  const std::string log = test::ReadTestdata("kafka/real/__cluster_metadata-0/00000000000000000000.log");
  REQUIRE_OK(WriteFileAtomically(env.fs.get(), env.Path(0, kLogSuffix), log));
  auto segment = OpenSegment(env, 0);  // no index files: rebuilt from the log
  CHECK(segment->size() == log.size());
  CHECK(*segment->ReadNextOffset() == 4929);
  CHECK(segment->offset_index().entries() > 0);
  auto result = segment->Recover();
  REQUIRE_OK(result);
  CHECK(result->batches == 4814);
  CHECK(result->truncated_bytes == 0);
  CHECK(result->stopped_by.ok());
  for (int64_t offset = 0; offset < 4929; offset += 97) {
    auto at = segment->TranslateOffset(offset);
    REQUIRE_OK(at);
    REQUIRE(at->has_value());
    CHECK((*at)->base_offset <= offset);
    CHECK((*at)->last_offset >= offset);
  }
}

}  // namespace
}  // namespace seglog

namespace seglog {
namespace {

// A Segment whose index could not be opened was destroyed with a null index and crashed.
TEST_CASE("OpenThatFailsOnAnIndexReturnsTheErrorWithoutCrashing", "[segment]") {
  std::unique_ptr<FileSystem> mem = NewMemFileSystem();
  REQUIRE_OK(mem->CreateDirs("/t-0"));
  FaultInjectionFileSystem fs(mem.get());
  for (const char* which : {".index", ".timeindex"}) {
    fs.InjectError(FaultInjectionFileSystem::Op::kOpen, absl::PermissionDeniedError("no index"), which);
    auto segment = Segment::Open(&fs, "/t-0", 0, SegmentConfig{}, kT0);
    REQUIRE_CODE(segment, absl::StatusCode::kPermissionDenied);
  }
  auto segment = Segment::Open(&fs, "/t-0", 0, SegmentConfig{}, kT0);
  REQUIRE_OK(segment);
}

}  // namespace
}  // namespace seglog

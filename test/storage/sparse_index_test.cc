// SparseIndex: Kafka's .index/.timeindex layout, greatest-entry-<=-target lookup (warm tail and cold part),
// preallocation and trimming, reopen, truncation, and concurrent readers. Runs on POSIX and in-memory.
#include "seglog/sparse_index.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/test_util.h"

namespace seglog {
namespace {

struct Env : test::TestFs {
  explicit Env(bool posix) : TestFs(posix, "/idx") {}
  std::string Path(const std::string& name) const { return JoinPath(root, name); }
};

std::unique_ptr<SparseIndex> OpenIndex(FileSystem* fs, const std::string& path, IndexKind kind, int64_t base,
                                       size_t max_bytes = 1 << 20) {
  auto index = SparseIndex::Open(fs, path, kind, base, max_bytes);
  REQUIRE_OK(index);
  return *std::move(index);
}

TEST_CASE("OffsetIndexLookupFindsGreatestEntryAtOrBelowTarget", "[index]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    auto index = OpenIndex(env.fs.get(), env.Path("00000000000000001000.index"), IndexKind::kOffset, 1000);
    CHECK(index->Lookup(5000) == IndexEntry{1000, 0});  // empty: the segment start
    // 5,000 entries (more than the 1,024-entry warm section) at offsets 1000+10i, positions 100i.
    for (int i = 1; i <= 5000; ++i) REQUIRE_OK(index->Append(1000 + 10 * i, 100 * i));
    CHECK(index->entries() == 5000);
    CHECK(index->Lookup(999) == IndexEntry{1000, 0});
    CHECK(index->Lookup(1009) == IndexEntry{1000, 0});
    CHECK(index->Lookup(1010) == IndexEntry{1010, 100});
    CHECK(index->Lookup(1015) == IndexEntry{1010, 100});
    CHECK(index->Lookup(1000 + 10 * 2500 + 3) == IndexEntry{1000 + 10 * 2500, 100 * 2500});  // cold part
    CHECK(index->Lookup(1000 + 10 * 4990) == IndexEntry{1000 + 10 * 4990, 100 * 4990});      // warm part
    CHECK(index->Lookup(INT64_MAX) == IndexEntry{1000 + 10 * 5000, 100 * 5000});
    for (int64_t t = 990; t < 1000 + 10 * 5001; t += 7) {  // exhaustive against a plain formula
      const int64_t i = std::clamp<int64_t>((t - 1000) / 10, 0, 5000);
      const IndexEntry expected = i == 0 ? IndexEntry{1000, 0} : IndexEntry{1000 + 10 * i, 100 * i};
      REQUIRE(index->Lookup(t) == expected);
    }
  }
}

TEST_CASE("OffsetIndexBytesAreKafkasLayout", "[index]") {
  Env env(false);
  const std::string path = env.Path("00000000000000000100.index");
  auto index = OpenIndex(env.fs.get(), path, IndexKind::kOffset, 100, 80);
  REQUIRE_OK(index->Append(105, 4242));
  REQUIRE_OK(index->Close());
  auto bytes = ReadFileToString(env.fs.get(), path);
  REQUIRE_OK(bytes);
  CHECK(test::ToHex(*bytes) == "0000000500001092");  // relative offset 5, position 4242; trimmed to 1 entry
}

TEST_CASE("TimeIndexBytesAreKafkasLayoutAndOnlyLaterTimestampsAreIndexed", "[index]") {
  Env env(false);
  const std::string path = env.Path("00000000000000000100.timeindex");
  auto index = OpenIndex(env.fs.get(), path, IndexKind::kTime, 100, 120);
  REQUIRE_OK(index->MaybeAppendTime(1700000000000, 104));
  REQUIRE_OK(index->MaybeAppendTime(1700000000000, 110));  // same timestamp: not indexed
  REQUIRE_OK(index->MaybeAppendTime(1699999999999, 111));  // earlier: not indexed
  REQUIRE_OK(index->MaybeAppendTime(1700000000500, 120));
  CHECK(index->entries() == 2);
  REQUIRE_CODE(index->MaybeAppendTime(1800000000000, 119), absl::StatusCode::kInvalidArgument);  // offset back
  CHECK(index->Lookup(1) == IndexEntry{-1, 100});
  CHECK(index->Lookup(1700000000100) == IndexEntry{1700000000000, 104});
  CHECK(index->Lookup(1800000000000) == IndexEntry{1700000000500, 120});
  REQUIRE_OK(index->Close());
  auto bytes = ReadFileToString(env.fs.get(), path);
  REQUIRE_OK(bytes);
  // {1700000000000, relative offset 4}, {1700000000500, relative offset 20}
  CHECK(test::ToHex(*bytes) == "0000018bcfe5680000000004" "0000018bcfe569f400000014");
}

TEST_CASE("ReopenTakesEntriesFromTheTrimmedFileLength", "[index]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    const std::string path = env.Path("00000000000000000000.index");
    {
      auto index = OpenIndex(env.fs.get(), path, IndexKind::kOffset, 0, 4096);
      CHECK(*env.fs->FileSize(path) == 4096);  // preallocated while active
      for (int i = 1; i <= 10; ++i) REQUIRE_OK(index->Append(i * 3, i * 50));
      REQUIRE_OK(index->Close());
      CHECK(*env.fs->FileSize(path) == 80);  // trimmed to its entries
    }
    auto index = OpenIndex(env.fs.get(), path, IndexKind::kOffset, 0, 4096);
    CHECK(index->entries() == 10);
    CHECK(index->last_entry() == IndexEntry{30, 500});
    REQUIRE_OK(index->SanityCheck());
    CHECK(*env.fs->FileSize(path) == 80);  // not grown by opening: a crash leaves no zero tail
    CHECK(index->IsFull());
    REQUIRE_OK(index->Resize(4096));  // the active segment's index grows back
    REQUIRE_OK(index->Append(33, 550));
    CHECK(index->Lookup(34) == IndexEntry{33, 550});
  }
}

TEST_CASE("PartialEntryFileIsDataLoss", "[index]") {
  Env env(false);
  const std::string path = env.Path("00000000000000000000.index");
  REQUIRE_OK(WriteFileAtomically(env.fs.get(), path, std::string(13, '\0')));
  auto index = SparseIndex::Open(env.fs.get(), path, IndexKind::kOffset, 0, 4096);
  REQUIRE_CODE(index, absl::StatusCode::kDataLoss);
  CHECK(std::string(index.status().message()).find(path) != std::string::npos);
}

TEST_CASE("SanityCheckCatchesEntriesOutOfOrder", "[index]") {
  Env env(false);
  const std::string path = env.Path("00000000000000000000.index");
  // Three entries: relative offsets 5, 9, 7 (out of order), as a torn or foreign file might hold.
  REQUIRE_OK(WriteFileAtomically(env.fs.get(), path,
                                 test::FromHex("0000000500000010" "0000000900000020" "0000000700000030")));
  auto index = OpenIndex(env.fs.get(), path, IndexKind::kOffset, 0, 4096);
  CHECK(index->entries() == 3);
  REQUIRE_CODE(index->SanityCheck(), absl::StatusCode::kDataLoss);
  REQUIRE_OK(index->Reset());
  CHECK(index->entries() == 0);
  REQUIRE_OK(index->SanityCheck());
}

// Found by seglog_fuzz_index: a segment file name may carry any base offset up to INT64_MAX, and the base
// offset plus a relative offset overflowed int64 when an entry was decoded.
TEST_CASE("EntriesPastTheTopOfTheOffsetRangeAreDataLossNotOverflow", "[index]") {
  Env env(false);
  for (const IndexKind kind : {IndexKind::kOffset, IndexKind::kTime}) {
    const std::string path = env.Path(kind == IndexKind::kOffset ? "09223372036854775807.index"
                                                                 : "09223372036854775807.timeindex");
    REQUIRE_OK(WriteFileAtomically(env.fs.get(), path,
                                   kind == IndexKind::kOffset ? test::FromHex("0000000100000010")
                                                              : test::FromHex("0000018bcfe56859" "00000001")));
    auto index = OpenIndex(env.fs.get(), path, kind, INT64_MAX, 4096);
    REQUIRE(index->entries() == 1);
    REQUIRE_CODE(index->SanityCheck(), absl::StatusCode::kDataLoss);
    (void)index->Lookup(INT64_MAX);
    (void)index->last_entry();
  }
}

// Kafka reads a relative offset as an int32: one of 2^31 or more is negative there, and fails the sanity check.
TEST_CASE("SanityCheckRejectsRelativeOffsetsPastInt32", "[index]") {
  Env env(false);
  const std::string path = env.Path("00000000000000000000.index");
  REQUIRE_OK(WriteFileAtomically(env.fs.get(), path, test::FromHex("0000000500000010" "8000000000000020")));
  auto index = OpenIndex(env.fs.get(), path, IndexKind::kOffset, 0, 4096);
  REQUIRE_CODE(index->SanityCheck(), absl::StatusCode::kDataLoss);
}

TEST_CASE("AppendRejectsWhatKafkaRejects", "[index]") {
  Env env(false);
  auto index = OpenIndex(env.fs.get(), env.Path("00000000000000000100.index"), IndexKind::kOffset, 100, 16);
  CHECK(index->max_entries() == 2);
  REQUIRE_CODE(index->Append(99, 0), absl::StatusCode::kInvalidArgument);                     // below base
  REQUIRE_CODE(index->Append(100 + (int64_t{1} << 31), 0), absl::StatusCode::kInvalidArgument);  // overflow
  REQUIRE_CODE(index->Append(101, int64_t{1} << 32), absl::StatusCode::kInvalidArgument);        // position
  REQUIRE_OK(index->Append(101, 10));
  REQUIRE_CODE(index->Append(101, 20), absl::StatusCode::kInvalidArgument);  // not increasing
  REQUIRE_OK(index->Append(102, 20));
  CHECK(index->IsFull());
  REQUIRE_CODE(index->Append(103, 30), absl::StatusCode::kResourceExhausted);
  CHECK(index->CanAppendOffset(100 + int64_t{INT32_MAX}));
  CHECK_FALSE(index->CanAppendOffset(100 + int64_t{INT32_MAX} + 1));
}

TEST_CASE("TimeIndexKeepsItsLastSlotForTheRollEntry", "[index]") {
  Env env(false);
  auto index = OpenIndex(env.fs.get(), env.Path("00000000000000000000.timeindex"), IndexKind::kTime, 0, 36);
  CHECK(index->max_entries() == 3);
  REQUIRE_OK(index->MaybeAppendTime(10, 1));
  REQUIRE_OK(index->MaybeAppendTime(20, 2));
  CHECK(index->IsFull());
  REQUIRE_CODE(index->MaybeAppendTime(30, 3), absl::StatusCode::kResourceExhausted);
  REQUIRE_OK(index->MaybeAppendTime(30, 3, /*skip_full_check=*/true));
  CHECK(index->entries() == 3);
}

TEST_CASE("TruncateToRemovesEntriesAtAndAfterTheOffset", "[index]") {
  Env env(false);
  auto offsets = OpenIndex(env.fs.get(), env.Path("00000000000000000000.index"), IndexKind::kOffset, 0);
  auto times = OpenIndex(env.fs.get(), env.Path("00000000000000000000.timeindex"), IndexKind::kTime, 0);
  for (int i = 1; i <= 10; ++i) {
    REQUIRE_OK(offsets->Append(i * 10, i * 1000));
    REQUIRE_OK(times->MaybeAppendTime(500 + i, i * 10));
  }
  REQUIRE_OK(offsets->TruncateTo(50));
  REQUIRE_OK(times->TruncateTo(50));
  CHECK(offsets->entries() == 4);
  CHECK(offsets->last_entry() == IndexEntry{40, 4000});
  CHECK(times->entries() == 4);
  CHECK(times->last_entry() == IndexEntry{504, 40});
  REQUIRE_OK(offsets->Append(45, 4500));  // appendable after the cut
  REQUIRE_OK(offsets->TruncateTo(0));
  CHECK(offsets->entries() == 0);
}

TEST_CASE("TrimThenResizeKeepsEntries", "[index]") {
  for (bool posix : {false, true}) {
    Env env(posix);
    const std::string path = env.Path("00000000000000000000.index");
    auto index = OpenIndex(env.fs.get(), path, IndexKind::kOffset, 0, 8000);
    for (int i = 1; i <= 5; ++i) REQUIRE_OK(index->Append(i, i * 7));
    REQUIRE_OK(index->TrimToEntries());
    CHECK(*env.fs->FileSize(path) == 40);
    CHECK(index->IsFull());
    CHECK(index->Lookup(3) == IndexEntry{3, 21});
    REQUIRE_OK(index->Resize(8000));
    CHECK(*env.fs->FileSize(path) == 8000);
    CHECK(index->Lookup(5) == IndexEntry{5, 35});
    REQUIRE_OK(index->Append(6, 42));
    REQUIRE_OK(index->Sync());
  }
}

TEST_CASE("ClosedIndexRefusesWrites", "[index]") {
  Env env(false);
  auto index = OpenIndex(env.fs.get(), env.Path("00000000000000000000.index"), IndexKind::kOffset, 0);
  REQUIRE_OK(index->Close());
  REQUIRE_CODE(index->Append(1, 1), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(index->Close(), absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("ReadersLookUpWhileTheWriterAppends", "[index]") {
  Env env(false);
  auto index = OpenIndex(env.fs.get(), env.Path("00000000000000000000.index"), IndexKind::kOffset, 0, 8 * 20000);
  constexpr int kEntries = 20000;
  std::atomic<bool> bad{false};
  auto reader = [&] {
    size_t seen = 0;
    for (int64_t t = 0; seen < kEntries; t = (t + 7919) % (kEntries * 4 + 3)) {
      seen = index->entries();
      const IndexEntry e = index->Lookup(t);
      // Every published entry i is {4i, 9i}: any answer must be one of them (or the start) and <= t.
      const bool ok = (e == IndexEntry{0, 0}) || (e.key % 4 == 0 && e.value == e.key / 4 * 9 && e.key <= t);
      if (!ok) bad = true;
    }
  };
  std::thread r1(reader), r2(reader);
  for (int i = 1; i <= kEntries; ++i) REQUIRE_OK(index->Append(4 * i, 9 * i));
  r1.join();
  r2.join();
  CHECK_FALSE(bad.load());
}

}  // namespace
}  // namespace seglog

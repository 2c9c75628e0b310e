// Partition: idempotent producer state (duplicates of the last 5 batches, fenced epochs, sequence gaps,
// sequence wrap, multi-batch calls, rebuilding at open and after truncation) and IncrementSequence.
#include <catch2/catch.hpp>
#include <climits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "seglog/partition.h"
#include "seglog/record_batch.h"
#include "support/manual_clock.h"
#include "support/test_util.h"

namespace seglog {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

struct Env : test::TestFs {
  explicit Env(bool posix = false) : TestFs(posix, "/data") { dir = JoinPath(root, "orders-0"); }
  std::unique_ptr<Partition> Open(PartitionConfig config = {}, int producer_state_segments = 2) {
    auto p = Partition::Open(dir, {.fs = fs.get(),
                                   .clock = &clock,
                                   .create_if_missing = true,
                                   .config = config,
                                   .producer_state_segments = producer_state_segments});
    REQUIRE_OK(p);
    return *std::move(p);
  }
  std::string dir;
  ManualClock clock{absl::FromUnixMillis(kT0)};
};

// A batch of `n` records from producer `pid` at `epoch`, sequences seq..seq+n-1 (wrapping).
std::string Batch(int64_t pid, int16_t epoch, int32_t seq, int n = 1, bool control = false) {
  std::vector<test::OwnedRecord> records;
  for (int i = 0; i < n; ++i) {
    records.push_back(
        {.offset = i, .timestamp = kT0 + i, .key = "k", .value = absl::StrCat("v", seq, "-", i), .headers = {}});
  }
  auto b = test::BuildBatch(
      {.producer_id = pid, .producer_epoch = epoch, .base_sequence = seq, .transactional = control, .control = control},
      records);
  REQUIRE_OK(b);
  return *b;
}

AppendResult RequireAppend(Partition* p, const std::string& batches) {
  auto r = p->AppendBatches(batches);
  REQUIRE_OK(r);
  return *r;
}

TEST_CASE("IncrementSequence wraps past INT32_MAX to 0 like Kafka's", "[producer_state]") {
  STATIC_REQUIRE(IncrementSequence(0, 1) == 1);
  STATIC_REQUIRE(IncrementSequence(INT32_MAX, 1) == 0);
  STATIC_REQUIRE(IncrementSequence(INT32_MAX - 1, 3) == 1);
  STATIC_REQUIRE(IncrementSequence(INT32_MAX, 0) == INT32_MAX);
  BatchHeader h;
  h.base_sequence = INT32_MAX - 1;
  h.last_offset_delta = 4;
  REQUIRE(h.last_sequence() == 2);
  h.base_sequence = batch_format::kNoSequence;
  REQUIRE(h.last_sequence() == batch_format::kNoSequence);
}

TEST_CASE("A retried idempotent batch is a duplicate: nothing is written and the original offsets come back",
          "[producer_state]") {
  const bool posix = GENERATE(false, true);
  Env env(posix);
  auto p = env.Open();
  const std::string first = Batch(7, 0, 0, 3);
  AppendResult original = RequireAppend(p.get(), first);
  REQUIRE_FALSE(original.duplicate);
  REQUIRE(original.base_offset == 0);
  REQUIRE(original.last_offset == 2);
  RequireAppend(p.get(), Batch(7, 0, 3, 2));  // offsets 3..4
  const uint64_t size = p->size_bytes();

  AppendResult retry = RequireAppend(p.get(), first);
  REQUIRE(retry.duplicate);
  REQUIRE(retry.base_offset == 0);
  REQUIRE(retry.last_offset == 2);
  REQUIRE(retry.records == 3);
  REQUIRE(retry.max_timestamp == original.max_timestamp);
  REQUIRE(retry.bytes == 0);
  REQUIRE(p->log_end_offset() == 5);
  REQUIRE(p->size_bytes() == size);

  // A durable retry is fine too, and the producer carries on at the next sequence.
  auto durable = p->AppendBatches(Batch(7, 0, 3, 2), {.durable = true});
  REQUIRE_OK(durable);
  REQUIRE(durable->duplicate);
  REQUIRE(durable->base_offset == 3);
  REQUIRE(p->recovery_point() >= 5);
  REQUIRE(RequireAppend(p.get(), Batch(7, 0, 5)).base_offset == 5);
}

TEST_CASE("A sequence gap or repeat outside the last batches is an out-of-order sequence naming the numbers",
          "[producer_state]") {
  Env env;
  auto p = env.Open();
  RequireAppend(p.get(), Batch(42, 3, 0, 2));
  auto gap = p->AppendBatches(Batch(42, 3, 5));
  REQUIRE_CODE(gap, absl::StatusCode::kInvalidArgument);
  const std::string message(gap.status().message());
  INFO(message);
  REQUIRE(absl::StrContains(message, "out of order sequence"));
  REQUIRE(absl::StrContains(message, "producer 42"));
  REQUIRE(absl::StrContains(message, "expected sequence 2"));
  REQUIRE(absl::StrContains(message, "found 5"));
  // A batch overlapping the last one without matching it exactly is no duplicate either.
  REQUIRE_CODE(p->AppendBatches(Batch(42, 3, 1)), absl::StatusCode::kInvalidArgument);
  REQUIRE(p->log_end_offset() == 2);
  // Other producers are independent; an unknown producer may start anywhere (its earlier batches may be gone).
  REQUIRE(RequireAppend(p.get(), Batch(43, 0, 100)).base_offset == 2);
  REQUIRE(RequireAppend(p.get(), Batch(42, 3, 2)).base_offset == 3);
}

TEST_CASE("Only the last 5 batches of a producer are recognised as duplicates", "[producer_state]") {
  Env env;
  auto p = env.Open();
  for (int i = 0; i < 6; ++i) RequireAppend(p.get(), Batch(1, 0, i));
  for (int i = 1; i < 6; ++i) {
    AppendResult r = RequireAppend(p.get(), Batch(1, 0, i));
    REQUIRE(r.duplicate);
    REQUIRE(r.base_offset == i);
  }
  REQUIRE_CODE(p->AppendBatches(Batch(1, 0, 0)), absl::StatusCode::kInvalidArgument);
  REQUIRE(p->log_end_offset() == 6);
}

TEST_CASE("An older epoch is fenced; a newer epoch must start at sequence 0", "[producer_state]") {
  Env env;
  auto p = env.Open();
  RequireAppend(p.get(), Batch(9, 1, 0, 2));
  REQUIRE_CODE(p->AppendBatches(Batch(9, 0, 2)), absl::StatusCode::kAborted);
  auto bad = p->AppendBatches(Batch(9, 2, 2));
  REQUIRE_CODE(bad, absl::StatusCode::kInvalidArgument);
  REQUIRE(absl::StrContains(bad.status().message(), "new epoch 2 must start at sequence 0"));
  REQUIRE(RequireAppend(p.get(), Batch(9, 2, 0)).base_offset == 2);
  // The old epoch is fenced now, retries of its batches included.
  REQUIRE_CODE(p->AppendBatches(Batch(9, 1, 0, 2)), absl::StatusCode::kAborted);
  REQUIRE(RequireAppend(p.get(), Batch(9, 2, 0)).duplicate);
  REQUIRE(p->log_end_offset() == 3);
}

TEST_CASE("Sequences wrap from INT32_MAX to 0", "[producer_state]") {
  Env env;
  auto p = env.Open();
  RequireAppend(p.get(), Batch(5, 0, INT32_MAX - 1, 2));  // sequences INT32_MAX-1, INT32_MAX
  REQUIRE_CODE(p->AppendBatches(Batch(5, 0, INT32_MAX)), absl::StatusCode::kInvalidArgument);
  RequireAppend(p.get(), Batch(5, 0, 0, 3));
  // A batch that itself wraps: INT32_MAX, 0, 1 ... then 2.
  RequireAppend(p.get(), Batch(6, 0, INT32_MAX, 2));
  REQUIRE(RequireAppend(p.get(), Batch(6, 0, INT32_MAX, 2)).duplicate);
  REQUIRE(RequireAppend(p.get(), Batch(6, 0, 1)).base_offset == 7);
}

TEST_CASE("Batches without a sequence (plain, or Kafka's control batches) are not tracked", "[producer_state]") {
  Env env;
  auto p = env.Open();
  const std::string plain = Batch(-1, -1, -1);
  REQUIRE_FALSE(RequireAppend(p.get(), plain).duplicate);
  REQUIRE_FALSE(RequireAppend(p.get(), plain).duplicate);
  // A control batch (a transaction marker: producer id, no sequence) is appended every time.
  const std::string marker = Batch(3, 0, -1, 1, /*control=*/true);
  REQUIRE_FALSE(RequireAppend(p.get(), marker).duplicate);
  REQUIRE_FALSE(RequireAppend(p.get(), marker).duplicate);
  Record r{.key = "k", .value = "v"};
  REQUIRE_OK(p->Append({&r, 1}));
  REQUIRE(p->log_end_offset() == 5);
  // ...and do not make producer 3 known: it may start at any sequence.
  REQUIRE_OK(p->AppendBatches(Batch(3, 0, 17)));
}

TEST_CASE("A call with several batches is checked batch by batch and written all or nothing", "[producer_state]") {
  Env env;
  auto p = env.Open();
  const std::string a = Batch(1, 0, 0, 2);
  const std::string b = Batch(1, 0, 2, 3);
  const std::string c = Batch(2, 0, 0);
  AppendResult first = RequireAppend(p.get(), a + b + c);  // b follows a within the call
  REQUIRE(first.base_offset == 0);
  REQUIRE(first.last_offset == 5);

  SECTION("every batch a duplicate: the original offsets, nothing written") {
    AppendResult retry = RequireAppend(p.get(), a + b);
    REQUIRE(retry.duplicate);
    REQUIRE(retry.base_offset == 0);
    REQUIRE(retry.last_offset == 4);
    REQUIRE(retry.records == 5);
    REQUIRE(p->log_end_offset() == 6);
  }
  SECTION("duplicates mixed with new batches are refused") {
    auto mixed = p->AppendBatches(b + Batch(1, 0, 5));
    REQUIRE_CODE(mixed, absl::StatusCode::kInvalidArgument);
    REQUIRE(absl::StrContains(mixed.status().message(), "1 of the 2 batches"));
    REQUIRE(p->log_end_offset() == 6);
  }
  SECTION("a bad later batch stops the whole call before anything is written") {
    REQUIRE_CODE(p->AppendBatches(Batch(1, 0, 5) + Batch(1, 0, 7)), absl::StatusCode::kInvalidArgument);
    REQUIRE_CODE(p->AppendBatches(Batch(2, 0, 1) + Batch(1, 0, 5) + Batch(2, 1, 0) + Batch(2, 0, 2)),
                 absl::StatusCode::kAborted);
    REQUIRE(p->log_end_offset() == 6);
    // Nothing of the refused calls was recorded either.
    REQUIRE(RequireAppend(p.get(), Batch(1, 0, 5)).base_offset == 6);
    REQUIRE(RequireAppend(p.get(), Batch(2, 0, 1)).base_offset == 7);
  }
}

TEST_CASE("Producer state is rebuilt from the log when the partition reopens", "[producer_state]") {
  const bool posix = GENERATE(false, true);
  Env env(posix);
  const std::string retry = Batch(11, 4, 10, 2);
  {
    auto p = env.Open();
    RequireAppend(p.get(), Batch(11, 4, 0, 10));
    RequireAppend(p.get(), retry);  // offsets 10..11
    REQUIRE_OK(p->Roll());
    RequireAppend(p.get(), Batch(12, 0, 0));  // offset 12
    REQUIRE_OK(p->Close());
  }
  auto p = env.Open();
  AppendResult r = RequireAppend(p.get(), retry);
  REQUIRE(r.duplicate);
  REQUIRE(r.base_offset == 10);
  REQUIRE(r.last_offset == 11);
  REQUIRE_CODE(p->AppendBatches(Batch(11, 3, 12)), absl::StatusCode::kAborted);
  REQUIRE_CODE(p->AppendBatches(Batch(11, 4, 13)), absl::StatusCode::kInvalidArgument);
  REQUIRE_CODE(p->AppendBatches(Batch(12, 0, 2)), absl::StatusCode::kInvalidArgument);
  REQUIRE(RequireAppend(p.get(), Batch(11, 4, 12)).base_offset == 13);
}

TEST_CASE("Only the newest producer_state_segments segments are scanned at open", "[producer_state]") {
  Env env;
  {
    auto p = env.Open();
    RequireAppend(p.get(), Batch(1, 0, 0));
    REQUIRE_OK(p->Roll());
    RequireAppend(p.get(), Batch(2, 0, 0));
    REQUIRE_OK(p->Close());
  }
  auto p = env.Open({}, /*producer_state_segments=*/1);
  // Producer 1's batch is in the older segment: the partition no longer knows it, so a retry is appended
  // again (the cost of bounded state) and any sequence is accepted.
  REQUIRE_FALSE(RequireAppend(p.get(), Batch(1, 0, 0)).duplicate);
  REQUIRE(RequireAppend(p.get(), Batch(2, 0, 0)).duplicate);
  REQUIRE_CODE(p->AppendBatches(Batch(2, 0, 5)), absl::StatusCode::kInvalidArgument);
}

TEST_CASE("TruncateTo forgets the truncated batches: the producer continues from what the log holds",
          "[producer_state]") {
  Env env;
  auto p = env.Open();
  RequireAppend(p.get(), Batch(8, 0, 0, 2));  // 0..1
  RequireAppend(p.get(), Batch(8, 0, 2, 2));  // 2..3
  RequireAppend(p.get(), Batch(8, 1, 0, 2));  // 4..5, a new epoch
  REQUIRE_OK(p->TruncateTo(4));
  // Epoch 1 is gone with its batch: epoch 0 is no longer fenced, and its sequence continues at 4.
  REQUIRE(RequireAppend(p.get(), Batch(8, 0, 2, 2)).duplicate);
  REQUIRE_CODE(p->AppendBatches(Batch(8, 0, 6)), absl::StatusCode::kInvalidArgument);
  AppendResult r = RequireAppend(p.get(), Batch(8, 0, 4));
  REQUIRE_FALSE(r.duplicate);
  REQUIRE(r.base_offset == 4);
  REQUIRE_OK(p->TruncateTo(0));
  REQUIRE_FALSE(RequireAppend(p.get(), Batch(8, 0, 0, 2)).duplicate);  // nothing left: unknown again
}

}  // namespace
}  // namespace seglog

namespace seglog {
namespace {

TEST_CASE("TruncateTo keeps the state of producers whose batches are in older segments", "[producer_state]") {
  Env env;
  auto p = env.Open({}, /*producer_state_segments=*/1);
  RequireAppend(p.get(), Batch(1, 0, 0, 2));  // 0..1, producer 1
  REQUIRE_OK(p->Roll());
  RequireAppend(p.get(), Batch(2, 0, 0, 2));  // 2..3, producer 2
  RequireAppend(p.get(), Batch(2, 0, 2, 2));  // 4..5
  REQUIRE_OK(p->TruncateTo(4));
  // Producer 1's batch is outside the one segment a rebuild would scan: it is still a duplicate.
  REQUIRE(RequireAppend(p.get(), Batch(1, 0, 0, 2)).duplicate);
  REQUIRE_CODE(p->AppendBatches(Batch(1, 0, 7)), absl::StatusCode::kInvalidArgument);
  REQUIRE(RequireAppend(p.get(), Batch(2, 0, 2, 2)).base_offset == 4);
}

TEST_CASE("Opening reads no producer state until an idempotent append needs it", "[producer_state]") {
  Env env;
  {
    auto p = env.Open();
    RequireAppend(p.get(), Batch(3, 0, 0, 2));
    REQUIRE_OK(p->Close());
  }
  auto p = env.Open();
  // A non-idempotent append first: the state is still built correctly by the idempotent one after it.
  Record plain[] = {{.value = "plain"}};
  REQUIRE(p->Append(plain).ok());
  REQUIRE(RequireAppend(p.get(), Batch(3, 0, 0, 2)).duplicate);
  REQUIRE(RequireAppend(p.get(), Batch(3, 0, 2)).base_offset == 3);
}

}  // namespace
}  // namespace seglog

// Partition: data listeners (called when the high watermark moves and at close, without the append mutex,
// never after removal) and MaybeFlush (flush.ms for a Store's housekeeping).
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "seglog/batch_view.h"
#include "seglog/partition.h"
#include "support/fault_injection_file_system.h"
#include "support/manual_clock.h"
#include "support/notification.h"
#include "support/test_util.h"

namespace seglog {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

struct Env {
  Env() { REQUIRE_OK(mem->CreateDirs("/data")); }
  std::unique_ptr<Partition> Open(PartitionConfig config = {}) {
    auto p =
        Partition::Open("/data/orders-0", {.fs = &fs, .clock = &clock, .create_if_missing = true, .config = config});
    REQUIRE_OK(p);
    return *std::move(p);
  }
  std::unique_ptr<FileSystem> mem = NewMemFileSystem();
  FaultInjectionFileSystem fs{mem.get()};
  ManualClock clock{absl::FromUnixMillis(kT0)};
};

absl::Status TryAppendOne(Partition* p, bool durable = false) {
  const Record r{.key = "k", .value = "v"};
  return p->Append({&r, 1}, {.durable = durable}).status();
}

// Catch2's assertions are not thread-safe: only the test's own thread may call this.
void AppendOne(Partition* p, bool durable = false) { REQUIRE_OK(TryAppendOne(p, durable)); }

TEST_CASE("A data listener hears appends, truncation and close, and nothing after it is removed", "[listener]") {
  Env env;
  auto p = env.Open();
  std::atomic<int> calls{0};
  std::atomic<int64_t> seen_hw{-1};
  Partition* raw = p.get();
  p->AddDataListener([&] {
    // The append mutex is not held: checkpoint() takes it (and would deadlock otherwise).
    (void)raw->checkpoint();
    seen_hw.store(raw->high_watermark());
    calls.fetch_add(1);
  });
  AppendOne(p.get());
  REQUIRE(calls.load() >= 1);
  REQUIRE(seen_hw.load() == 1);

  const int before_truncate = calls.load();
  REQUIRE_OK(p->TruncateTo(0));
  REQUIRE(calls.load() > before_truncate);
  REQUIRE(seen_hw.load() == 0);

  // Operations that do not move the high watermark stay quiet.
  AppendOne(p.get());
  const int quiet = calls.load();
  REQUIRE_OK(p->Roll());
  REQUIRE_OK(p->Flush());
  REQUIRE(p->Read(0).ok());
  REQUIRE(calls.load() == quiet);

  const int before_close = calls.load();
  REQUIRE_OK(p->Close());
  REQUIRE(calls.load() == before_close + 1);

  p = env.Open();
  raw = p.get();
  const uint64_t id2 = p->AddDataListener([&] { calls.fetch_add(1); });
  const uint64_t id3 = p->AddDataListener([&] { calls.fetch_add(1); });
  REQUIRE(id2 != id3);
  p->RemoveDataListener(id2);
  p->RemoveDataListener(id3);
  p->RemoveDataListener(12345);  // unknown: ignored
  const int removed = calls.load();
  AppendOne(p.get());
  REQUIRE_OK(p->Close());
  REQUIRE(calls.load() == removed);
}

TEST_CASE("With high_watermark_is_flushed, listeners hear the fsync that moves the high watermark", "[listener]") {
  Env env;
  auto p = env.Open({.high_watermark_is_flushed = true});
  std::atomic<int> calls{0};
  p->AddDataListener([&] { calls.fetch_add(1); });
  AppendOne(p.get());
  REQUIRE(p->high_watermark() == 0);
  REQUIRE(calls.load() == 0);
  REQUIRE_OK(p->Flush());
  REQUIRE(p->high_watermark() == 1);
  REQUIRE(calls.load() >= 1);
  const int flushed = calls.load();
  AppendOne(p.get(), /*durable=*/true);
  REQUIRE(p->high_watermark() == 2);
  REQUIRE(calls.load() > flushed);
  REQUIRE_OK(p->Close());  // (the listener uses locals)
}

TEST_CASE("Several listeners are each called; removing one leaves the others", "[listener]") {
  Env env;
  auto p = env.Open();
  std::atomic<int> a{0};
  std::atomic<int> b{0};
  const uint64_t ida = p->AddDataListener([&] { a.fetch_add(1); });
  p->AddDataListener([&] { b.fetch_add(1); });
  AppendOne(p.get());
  REQUIRE(a.load() >= 1);
  REQUIRE(b.load() >= 1);
  p->RemoveDataListener(ida);
  const int a_before = a.load();
  const int b_before = b.load();
  AppendOne(p.get());
  REQUIRE(a.load() == a_before);
  REQUIRE(b.load() > b_before);
  REQUIRE_OK(p->Close());  // (the listener uses locals)
}

TEST_CASE("RemoveDataListener returns only after a running listener has finished", "[listener]") {
  Env env;
  auto p = env.Open();
  Notification entered;
  Notification release;
  std::atomic<bool> listener_done{false};
  std::atomic<bool> first{true};
  const uint64_t id = p->AddDataListener([&] {
    if (!first.exchange(false)) return;
    entered.Notify();
    release.WaitForNotification();
    listener_done.store(true);
  });
  absl::Status appended;
  std::thread appender([&] { appended = TryAppendOne(p.get()); });
  entered.WaitForNotification();
  std::atomic<bool> done_when_removed{false};
  std::thread remover([&] {
    p->RemoveDataListener(id);
    done_when_removed.store(listener_done.load());
  });
  release.Notify();
  remover.join();
  appender.join();
  REQUIRE_OK(appended);
  REQUIRE(done_when_removed.load());
}

TEST_CASE("A consumer woken by a listener never misses the high watermark reaching its target", "[listener]") {
  Env env;
  auto p = env.Open();
  constexpr int kThreads = 4;
  constexpr int kAppends = 100;
  std::mutex mu;
  std::condition_variable cv;
  p->AddDataListener([&] {
    std::lock_guard<std::mutex> lock(mu);
    cv.notify_all();
  });
  bool appends_failed = false;  // guarded by mu; releases the consumer only when an append failed
  std::thread consumer([&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return appends_failed || p->high_watermark() >= kThreads * kAppends; });
  });
  // Catch2's assertions are not thread-safe: the appenders record their errors for the test to check.
  std::vector<std::thread> appenders;
  std::vector<absl::Status> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    appenders.emplace_back([&, t] {
      for (int i = 0; i < kAppends && errors[t].ok(); ++i) errors[t] = TryAppendOne(p.get());
    });
  }
  for (auto& t : appenders) t.join();
  for (const absl::Status& e : errors) {
    if (e.ok()) continue;
    std::lock_guard<std::mutex> lock(mu);
    appends_failed = true;
    cv.notify_all();
  }
  consumer.join();
  for (const absl::Status& e : errors) REQUIRE_OK(e);
  REQUIRE(p->high_watermark() == kThreads * kAppends);
  REQUIRE_OK(p->Close());  // (the listener uses locals)
}

TEST_CASE("MaybeFlush flushes only once flush.ms has passed and there is unflushed data", "[listener][flush]") {
  Env env;
  auto p = env.Open({.flush_ms = 1000});
  const int64_t syncs_at_open = env.fs.sync_count();
  REQUIRE_OK(p->MaybeFlush());  // nothing appended
  AppendOne(p.get());
  REQUIRE(p->recovery_point() == 0);
  REQUIRE_OK(p->MaybeFlush());
  env.clock.Advance(absl::Milliseconds(999));
  REQUIRE_OK(p->MaybeFlush());
  REQUIRE(p->recovery_point() == 0);
  REQUIRE(env.fs.sync_count() == syncs_at_open);
  env.clock.Advance(absl::Milliseconds(1));
  REQUIRE_OK(p->MaybeFlush());
  REQUIRE(p->recovery_point() == 1);
  const int64_t syncs = env.fs.sync_count();
  REQUIRE(syncs > syncs_at_open);
  env.clock.Advance(absl::Seconds(5));
  REQUIRE_OK(p->MaybeFlush());  // due, but nothing to flush
  REQUIRE(env.fs.sync_count() == syncs);
  REQUIRE_OK(p->Close());
  REQUIRE_CODE(p->MaybeFlush(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace seglog

namespace seglog {
namespace {

// Reads after Close used to reach a closed segment index (a null mapping) and crash.
TEST_CASE("Reads of a closed partition are kFailedPrecondition and held results stay valid", "[partition]") {
  std::unique_ptr<FileSystem> fs = NewMemFileSystem();
  auto p = Partition::Open("/d/t-0", {.fs = fs.get(), .create_if_missing = true,
                                      .config = {.segment = {.index_interval_bytes = 1}}});
  REQUIRE_OK(p);
  const std::string value(100, 'v');
  for (int i = 0; i < 20; ++i) {
    Record r[] = {{.value = value, .timestamp = 1000 + i}};
    REQUIRE_OK((*p)->Append(r));
  }
  auto held = (*p)->Read(10);
  REQUIRE_OK(held);
  REQUIRE_OK((*p)->Close());
  REQUIRE_CODE((*p)->Read(10), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE((*p)->OffsetForTimestamp(1005), absl::StatusCode::kFailedPrecondition);
  auto batch = BatchView::Parse(held->bytes);
  REQUIRE_OK(batch);
  REQUIRE(batch->base_offset() == 10);
}

}  // namespace
}  // namespace seglog

// Producer: batching and linger, per-key order under concurrent senders, codecs and the topic override, acks
// and durability, buffer.memory backpressure, record and request limits, errors reaching callbacks and Flush,
// producer ids and sequences, idempotent retries. The log is checked by reading the partitions back.
#include "seglog/producer.h"
#include "absl/strings/str_cat.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "client/producer_internal.h"
#include "seglog/batch_builder.h"
#include "seglog/store.h"
#include "support/fault_injection_file_system.h"
#include "support/manual_clock.h"
#include "support/test_util.h"

namespace seglog {
namespace {

using test::DecodedBatch;

// A store in a fresh directory on a ManualClock: on the POSIX file system, or through a fault-injecting file
// system over an in-memory one.
struct Fixture {
  explicit Fixture(bool fault_fs = false) {
    base_fs = fault_fs ? NewMemFileSystem() : NewPosixFileSystem();
    if (fault_fs) fault = std::make_unique<FaultInjectionFileSystem>(base_fs.get());
    OpenStore();
  }

  void OpenStore() {
    StoreOptions options;
    options.clock = &clock;
    options.fs = fault != nullptr ? static_cast<FileSystem*>(fault.get()) : base_fs.get();
    auto opened = Store::Open(dir.path() + "/data", options);
    REQUIRE_OK(opened);
    store = std::move(*opened);
  }

  std::shared_ptr<Topic> CreateTopic(const std::string& name, int32_t partitions, ConfigMap config = {}) {
    config.emplace("segment.index.bytes", "65536");  // small index files keep the tests fast
    auto created = store->CreateTopic(name, partitions, config);
    REQUIRE_OK(created);
    return *created;
  }

  std::unique_ptr<Producer> NewProducer(ProducerOptions options = {}) {
    options.clock = &clock;
    auto producer = Producer::Create(store.get(), options);
    REQUIRE_OK(producer);
    return std::move(*producer);
  }

  // Every batch of topic `name`'s partition `p`, decoded.
  std::vector<DecodedBatch> Batches(const std::string& name, int32_t p) {
    auto topic = store->GetTopic(name);
    REQUIRE_OK(topic);
    std::shared_ptr<Partition> partition = (*topic)->partition(p);
    REQUIRE(partition != nullptr);
    std::string log;
    int64_t offset = partition->log_start_offset();
    for (;;) {
      auto read = partition->Read(offset);
      REQUIRE_OK(read);
      if (read->bytes.empty()) break;
      log.append(read->bytes);
      offset = read->next_offset;
    }
    auto decoded = test::DecodeLog(log);
    REQUIRE_OK(decoded);
    return *decoded;
  }

  // The values of topic `name`'s partition `p`, in log order.
  std::vector<std::string> Values(const std::string& name, int32_t p) {
    std::vector<std::string> values;
    for (const DecodedBatch& b : Batches(name, p)) {
      for (const test::OwnedRecord& r : b.records) values.push_back(r.value.value_or("<null>"));
    }
    return values;
  }

  test::TempDir dir;
  ManualClock clock;
  std::unique_ptr<FileSystem> base_fs;
  std::unique_ptr<FaultInjectionFileSystem> fault;
  std::unique_ptr<Store> store;
};

std::string Value(int i, size_t size = 100) {
  std::string v = absl::StrCat("value-", i, "-");
  v.resize(size, 'x');
  return v;
}

// A latch a callback can wait on.
struct Gate {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
};

TEST_CASE("Producer: records are gathered into few batches, in order, with their offsets reported") {
  Fixture f;
  f.CreateTopic("t", 1);
  auto producer = f.NewProducer({.linger_ms = 60000, .batch_size = 16384});
  constexpr int kRecords = 1000;
  std::vector<int64_t> offsets(kRecords, -2);
  for (int i = 0; i < kRecords; ++i) {
    const std::string value = Value(i);
    REQUIRE_OK(producer->Send({.topic = "t", .partition = 0, .key = "k", .value = value},
                              [&offsets, i](const absl::StatusOr<RecordMetadata>& md) {
                                offsets[i] = md.ok() ? md->offset : -1;
                              }));
  }
  REQUIRE_OK(producer->Flush());
  std::vector<DecodedBatch> batches = f.Batches("t", 0);
  // ~110 bytes a record in 16 KiB batches: 6 full batches and the rest.
  REQUIRE(batches.size() >= 6);
  REQUIRE(batches.size() <= 8);
  for (size_t b = 0; b + 1 < batches.size(); ++b) REQUIRE(batches[b].header.records_count >= 100);
  std::vector<std::string> values = f.Values("t", 0);
  REQUIRE(values.size() == kRecords);
  for (int i = 0; i < kRecords; ++i) {
    REQUIRE(values[i] == Value(i));
    REQUIRE(offsets[i] == i);
  }
}

TEST_CASE("Producer: linger.ms holds a batch that is not full until it is due") {
  Fixture f;
  std::shared_ptr<Topic> topic = f.CreateTopic("t", 1);
  auto producer = f.NewProducer({.linger_ms = 100});
  std::vector<std::future<absl::StatusOr<RecordMetadata>>> results;
  for (int i = 0; i < 3; ++i) results.push_back(producer->SendAsync({.topic = "t", .value = Value(i, 10)}));
  f.clock.AwaitWaiters(1);  // the sender waits for the batch's linger deadline
  REQUIRE(topic->partition(0)->log_end_offset() == 0);
  f.clock.Advance(absl::Milliseconds(100));
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<RecordMetadata> md = results[i].get();
    REQUIRE_OK(md);
    REQUIRE(md->topic == "t");
    REQUIRE(md->partition == 0);
    REQUIRE(md->offset == i);
    REQUIRE(md->timestamp == f.clock.NowMillis() - 100);
  }
  REQUIRE(f.Batches("t", 0).size() == 1);
}

TEST_CASE("Producer: Flush sends batches whose linger.ms has not passed") {
  Fixture f;
  f.CreateTopic("t", 2);
  auto producer = f.NewProducer({.linger_ms = 3600 * 1000});
  REQUIRE_OK(producer->Send({.topic = "t", .partition = 0, .value = "a"}));
  REQUIRE_OK(producer->Send({.topic = "t", .partition = 1, .value = "b"}));
  REQUIRE_OK(producer->Flush());
  REQUIRE(f.Values("t", 0) == std::vector<std::string>{"a"});
  REQUIRE(f.Values("t", 1) == std::vector<std::string>{"b"});
}

TEST_CASE("Producer: records of one key keep their order under concurrent senders") {
  Fixture f;
  f.CreateTopic("t", 3);
  auto producer = f.NewProducer({.linger_ms = 0, .batch_size = 4096});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 3000;
  std::vector<std::thread> threads;
  std::vector<absl::Status> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread && errors[t].ok(); ++i) {
        const std::string key = absl::StrCat("key-", t, "-", i % 7);
        const std::string value = std::to_string(t) + ":" + std::to_string(i);
        errors[t] = producer->Send({.topic = "t", .key = key, .value = value});
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& e : errors) REQUIRE_OK(e);
  REQUIRE_OK(producer->Flush());
  std::map<std::string, int> last;  // key -> last i seen
  std::map<std::string, int32_t> partition_of;
  int total = 0;
  for (int32_t p = 0; p < 3; ++p) {
    for (const DecodedBatch& b : f.Batches("t", p)) {
      for (const test::OwnedRecord& r : b.records) {
        ++total;
        const std::string& key = *r.key;
        REQUIRE(PartitionForKey(key, 3) == p);
        const int i = std::stoi(r.value->substr(r.value->find(':') + 1));
        auto it = last.find(key);
        if (it != last.end()) REQUIRE(i > it->second);
        last[key] = i;
      }
    }
  }
  REQUIRE(total == kThreads * kPerThread);
  REQUIRE(last.size() == kThreads * 7);
}

TEST_CASE("Producer: batches are compressed with the producer's codec unless the topic sets one") {
  Fixture f;
  const CompressionType codecs[] = {CompressionType::kNone, CompressionType::kGzip, CompressionType::kSnappy,
                                    CompressionType::kLz4, CompressionType::kZstd};
  f.CreateTopic("producer-codec", 1);
  f.CreateTopic("zstd-topic", 1, {{"compression.type", "zstd"}});
  f.CreateTopic("plain-topic", 1, {{"compression.type", "uncompressed"}});
  for (CompressionType codec : codecs) {
    INFO(CompressionTypeName(codec));
    auto producer = f.NewProducer({.linger_ms = 60000, .compression = codec});
    const std::string topics[] = {"producer-codec", "zstd-topic", "plain-topic"};
    const CompressionType expected[] = {codec, CompressionType::kZstd, CompressionType::kNone};
    std::map<std::string, size_t> before;
    for (const std::string& t : topics) before[t] = f.Values(t, 0).size();
    const RecordHeader headers[] = {{"h", "v"}};
    for (const std::string& t : topics) {
      for (int i = 0; i < 50; ++i) {
        const std::string value = Value(i, 200);
        REQUIRE_OK(producer->Send({.topic = t, .key = std::nullopt, .value = value, .headers = headers}));
      }
    }
    REQUIRE_OK(producer->Flush());
    for (int k = 0; k < 3; ++k) {
      std::vector<DecodedBatch> batches = f.Batches(topics[k], 0);
      const DecodedBatch& last = batches.back();
      REQUIRE(last.header.compression() == expected[k]);
      REQUIRE(last.header.records_count == 50);
      for (int i = 0; i < 50; ++i) {
        REQUIRE(last.records[i].value == Value(i, 200));
        REQUIRE(!last.records[i].key.has_value());
        REQUIRE(last.records[i].headers.size() == 1);
        REQUIRE(last.records[i].headers[0].second == "v");
      }
      REQUIRE(f.Values(topics[k], 0).size() == before[topics[k]] + 50);
    }
  }
}

TEST_CASE("Producer: acks=all records survive a crash right after Flush; acks=1 records need not") {
  Fixture f(/*fault_fs=*/true);
  f.CreateTopic("durable", 1);
  f.CreateTopic("fast", 1);
  REQUIRE_OK(f.store->Flush());  // the topics themselves are durable
  auto all = f.NewProducer({.acks = -1});
  auto one = f.NewProducer({.acks = 1});
  const int64_t syncs_before = f.fault->sync_count();
  for (int i = 0; i < 100; ++i) {
    REQUIRE_OK(all->Send({.topic = "durable", .value = Value(i)}));
    REQUIRE_OK(one->Send({.topic = "fast", .value = Value(i)}));
  }
  REQUIRE_OK(all->Flush());
  REQUIRE_OK(one->Flush());
  REQUIRE(f.fault->sync_count() > syncs_before);
  REQUIRE_OK(all->Close());
  REQUIRE_OK(one->Close());
  REQUIRE_OK(f.fault->SimulateCrash());
  std::unique_ptr<Store> crashed = std::move(f.store);  // its handles are dead; closed after the checks
  f.OpenStore();
  std::vector<std::string> durable = f.Values("durable", 0);
  REQUIRE(durable.size() == 100);
  for (int i = 0; i < 100; ++i) REQUIRE(durable[i] == Value(i));
  REQUIRE(f.Values("fast", 0).empty());  // appended but never fsynced
  REQUIRE_OK(f.store->Close());
  crashed.reset();
}

TEST_CASE("Producer: Send blocks while buffer.memory is full and fails after max.block.ms") {
  Fixture f;
  f.CreateTopic("t", 1);
  // Every 600-byte record takes a 1 KiB batch of its own; two batches fill buffer.memory.
  auto producer = f.NewProducer({.linger_ms = 0, .batch_size = 1024, .buffer_memory = 2048, .max_block_ms = 5000});
  Gate gate;
  const std::string big = Value(0, 600);
  REQUIRE_OK(producer->Send({.topic = "t", .value = big}, [&gate](const absl::StatusOr<RecordMetadata>&) {
    gate.entered.set_value();
    gate.released.wait();  // holds the sender (the first batch's memory is already free)
  }));
  gate.entered.get_future().wait();
  REQUIRE_OK(producer->Send({.topic = "t", .value = Value(1, 600)}));
  REQUIRE_OK(producer->Send({.topic = "t", .value = Value(2, 600)}));  // two batches queued: memory is full now

  SECTION("until max.block.ms passes: kResourceExhausted") {
    std::thread advancer([&f] {
      f.clock.AwaitWaiters(1);
      f.clock.Advance(absl::Milliseconds(5000));
    });
    absl::Status status = producer->Send({.topic = "t", .value = Value(3, 600)});
    advancer.join();
    REQUIRE_CODE(status, absl::StatusCode::kResourceExhausted);
    INFO(status.ToString());
    REQUIRE(status.message().find("buffer.memory") != absl::string_view::npos);
    gate.release.set_value();
    REQUIRE_OK(producer->Flush());
    REQUIRE(f.Values("t", 0) == std::vector<std::string>{big, Value(1, 600), Value(2, 600)});
  }
  SECTION("until memory is freed: then it succeeds") {
    absl::Status status;
    std::thread sender([&] { status = producer->Send({.topic = "t", .value = Value(3, 600)}); });
    f.clock.AwaitWaiters(1);  // blocked in Send
    gate.release.set_value();
    sender.join();
    REQUIRE_OK(status);
    REQUIRE_OK(producer->Flush());
    REQUIRE(f.Values("t", 0) == std::vector<std::string>{big, Value(1, 600), Value(2, 600), Value(3, 600)});
  }
  REQUIRE(internal::ProducerAccess::AvailableMemory(producer.get()) == 2048);
}

TEST_CASE("Producer: memory freed just as max.block.ms passes is taken once, and Send succeeds") {
  Fixture f;
  f.CreateTopic("t", 1);
  auto producer = f.NewProducer({.linger_ms = 0, .batch_size = 1024, .buffer_memory = 2048, .max_block_ms = 5000});
  // The sender frees the waiting Send's memory and, before the Send can look, max.block.ms passes.
  std::atomic<bool> armed{false};
  internal::ProducerTestHooks hooks;
  hooks.on_release_locked = [&] {
    if (armed.exchange(false)) f.clock.Advance(absl::Milliseconds(5000));
  };
  internal::ProducerAccess::SetTestHooks(producer.get(), std::move(hooks));
  Gate gate;
  REQUIRE_OK(producer->Send({.topic = "t", .value = Value(0, 600)}, [&gate](const absl::StatusOr<RecordMetadata>&) {
    gate.entered.set_value();
    gate.released.wait();
  }));
  gate.entered.get_future().wait();
  REQUIRE_OK(producer->Send({.topic = "t", .value = Value(1, 600)}));
  REQUIRE_OK(producer->Send({.topic = "t", .value = Value(2, 600)}));  // memory is full
  absl::Status status;
  std::thread sender([&] { status = producer->Send({.topic = "t", .value = Value(3, 600)}); });
  f.clock.AwaitWaiters(1);  // blocked in Send
  armed = true;
  gate.release.set_value();
  sender.join();
  REQUIRE_OK(status);
  REQUIRE_OK(producer->Flush());
  REQUIRE(f.Values("t", 0) == std::vector<std::string>{Value(0, 600), Value(1, 600), Value(2, 600), Value(3, 600)});
  REQUIRE(internal::ProducerAccess::AvailableMemory(producer.get()) == 2048);  // nothing reserved twice
}

TEST_CASE("Producer: a full batch is appended at once, whatever linger.ms") {
  Fixture f;
  f.CreateTopic("t", 1);
  auto producer = f.NewProducer({.linger_ms = 3600 * 1000, .batch_size = 1024});
  std::vector<std::future<absl::StatusOr<RecordMetadata>>> results;
  for (int i = 0; i < 12; ++i) results.push_back(producer->SendAsync({.topic = "t", .value = Value(i)}));
  // ~110 bytes a record: the first batch filled and closed; the clock never moves.
  absl::StatusOr<RecordMetadata> md = results[0].get();
  REQUIRE_OK(md);
  REQUIRE(md->offset == 0);
  REQUIRE_OK(producer->Flush());
  REQUIRE(f.Values("t", 0).size() == 12);
}

TEST_CASE("Producer: a Send waiting for memory held by lingering batches gets it without waiting out linger.ms") {
  Fixture f;
  f.CreateTopic("t", 3);
  auto producer = f.NewProducer({.linger_ms = 3600 * 1000, .batch_size = 1024, .buffer_memory = 2048});
  auto a = producer->SendAsync({.topic = "t", .partition = 0, .value = "a"});
  auto b = producer->SendAsync({.topic = "t", .partition = 1, .value = "b"});
  // Two lingering 1 KiB batches hold all of buffer.memory; the clock never moves.
  REQUIRE_OK(producer->Send({.topic = "t", .partition = 2, .value = "c"}));
  REQUIRE_OK(a.get());
  REQUIRE_OK(b.get());
  REQUIRE_OK(producer->Flush());
  REQUIRE(f.Values("t", 2) == std::vector<std::string>{"c"});
}

TEST_CASE("Producer: a Send from a callback gets the callback's batch memory, and never blocks the sender") {
  Fixture f;
  f.CreateTopic("t", 2);
  SECTION("the completed batch's memory is free during its callbacks") {
    auto producer = f.NewProducer({.linger_ms = 0, .batch_size = 1024, .buffer_memory = 1024});
    std::promise<absl::Status> inner;
    REQUIRE_OK(producer->Send({.topic = "t", .partition = 0, .value = Value(0, 600)},
                              [&](const absl::StatusOr<RecordMetadata>&) {
                                inner.set_value(producer->Send({.topic = "t", .partition = 0, .value = Value(1, 600)}));
                              }));
    REQUIRE_OK(inner.get_future().get());
    REQUIRE_OK(producer->Flush());
    REQUIRE(f.Values("t", 0) == std::vector<std::string>{Value(0, 600), Value(1, 600)});
  }
  SECTION("when memory is held elsewhere: kResourceExhausted at once") {
    auto producer =
        f.NewProducer({.linger_ms = 3600 * 1000, .batch_size = 1024, .buffer_memory = 3000, .max_block_ms = 60000});
    REQUIRE_OK(producer->Send({.topic = "t", .partition = 1, .value = "lingering"}));  // holds 1 KiB
    std::promise<absl::Status> inner;
    // A record larger than batch.size fills its batch at once; its callback wants more than is free.
    REQUIRE_OK(producer->Send({.topic = "t", .partition = 0, .value = Value(0, 1500)},
                              [&](const absl::StatusOr<RecordMetadata>&) {
                                inner.set_value(producer->Send({.topic = "t", .partition = 0, .value = Value(1, 2500)}));
                              }));
    absl::Status status = inner.get_future().get();
    REQUIRE_CODE(status, absl::StatusCode::kResourceExhausted);
    INFO(status.ToString());
    REQUIRE(status.message().find("callback") != absl::string_view::npos);
    REQUIRE_OK(producer->Flush());
    REQUIRE(f.Values("t", 1) == std::vector<std::string>{"lingering"});
  }
}

TEST_CASE("Producer: a record that could outgrow max.message.bytes once compressed fails alone") {
  Fixture f;
  f.CreateTopic("t", 1, {{"max.message.bytes", "10000"}});
  auto producer = f.NewProducer({.linger_ms = 3600 * 1000, .compression = CompressionType::kGzip});
  std::mt19937 rng(42);
  auto random_bytes = [&rng](size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
  };
  // Uncompressed it fits exactly (a 61-byte header plus a record of at most 9939 bytes); gzip's framing of
  // incompressible bytes would take it past 10000.
  const std::string incompressible = random_bytes(9913);
  BatchBuilder alone({.compression = CompressionType::kGzip});
  REQUIRE_OK(alone.Append(0, std::nullopt, incompressible));
  REQUIRE(alone.uncompressed_size() <= 10000);
  REQUIRE(alone.Build()->size() > 10000);
  absl::StatusOr<RecordMetadata> md = producer->SendAsync({.topic = "t", .value = incompressible}).get();
  REQUIRE_CODE(md, absl::StatusCode::kInvalidArgument);
  INFO(md.status().ToString());
  REQUIRE(md.status().message().find("gzip") != absl::string_view::npos);
  // Two records that fit one uncompressed batch of 10000 bytes, but not once compressed: two batches.
  const std::string r1 = random_bytes(4900);
  const std::string r2 = random_bytes(4900);
  auto f1 = producer->SendAsync({.topic = "t", .value = r1});
  auto f2 = producer->SendAsync({.topic = "t", .value = r2});
  auto after = producer->SendAsync({.topic = "t", .value = "after"});
  REQUIRE_OK(producer->Flush());
  REQUIRE_OK(f1.get());
  REQUIRE_OK(f2.get());
  REQUIRE_OK(after.get());
  REQUIRE(f.Values("t", 0) == std::vector<std::string>{r1, r2, "after"});
}

TEST_CASE("Producer: a second Close returns only once the first has flushed") {
  Fixture f;
  f.CreateTopic("t", 1);
  auto producer = f.NewProducer({.linger_ms = 0});
  Gate gate;
  std::atomic<bool> done{false};
  REQUIRE_OK(producer->Send({.topic = "t", .value = "x"}, [&](const absl::StatusOr<RecordMetadata>&) {
    gate.entered.set_value();
    gate.released.wait();
    done = true;
  }));
  gate.entered.get_future().wait();
  REQUIRE_OK(producer->Send({.topic = "t", .value = "y"}));
  absl::Status first;
  std::thread closer([&] { first = producer->Close(); });  // flushes: waits for the gate
  // Wait (without sleeping) until the first Close has marked the producer closed.
  while (producer->Send({.topic = "t", .value = "z"}).ok()) std::this_thread::yield();
  std::promise<void> second_started;
  absl::Status second;
  bool done_when_second_returned = false;
  std::thread second_closer([&] {
    second_started.set_value();
    second = producer->Close();
    done_when_second_returned = done.load();
  });
  second_started.get_future().wait();
  gate.release.set_value();
  second_closer.join();
  closer.join();
  REQUIRE_OK(first);
  REQUIRE_OK(second);
  REQUIRE(done_when_second_returned);
  REQUIRE(f.Values("t", 0).size() >= 2);
}

TEST_CASE("Producer: a record over max.request.size, max.message.bytes or buffer.memory fails alone") {
  Fixture f;
  f.CreateTopic("t", 1);
  f.CreateTopic("small", 1, {{"max.message.bytes", "500"}});
  auto producer = f.NewProducer({.buffer_memory = 1500, .max_request_size = 1000});
  REQUIRE_OK(producer->Send({.topic = "t", .value = "before"}));
  REQUIRE_CODE(producer->Send({.topic = "t", .value = std::string(2000, 'x')}), absl::StatusCode::kInvalidArgument);
  REQUIRE_CODE(producer->Send({.topic = "small", .value = std::string(600, 'x')}), absl::StatusCode::kInvalidArgument);
  REQUIRE_OK(producer->Send({.topic = "small", .value = std::string(300, 'x')}));
  auto failed = producer->SendAsync({.topic = "t", .value = std::string(990, 'x')});
  REQUIRE_CODE(failed.get(), absl::StatusCode::kInvalidArgument);
  REQUIRE_OK(producer->Send({.topic = "t", .value = "after"}));
  REQUIRE_OK(producer->Flush());
  REQUIRE(f.Values("t", 0) == std::vector<std::string>{"before", "after"});
  REQUIRE(f.Values("small", 0).size() == 1);

  auto tiny_memory = f.NewProducer({.buffer_memory = 300});
  absl::Status status = tiny_memory->Send({.topic = "t", .value = std::string(400, 'x')});
  REQUIRE_CODE(status, absl::StatusCode::kInvalidArgument);
  REQUIRE(status.message().find("buffer.memory") != absl::string_view::npos);
}

TEST_CASE("Producer: unknown topics, bad partitions, bad options and Send after Close are refused") {
  Fixture f;
  f.CreateTopic("t", 2);
  auto producer = f.NewProducer();
  REQUIRE_CODE(producer->Send({.topic = "nope", .value = "x"}), absl::StatusCode::kNotFound);
  REQUIRE_CODE(producer->SendAsync({.topic = "nope", .value = "x"}).get(), absl::StatusCode::kNotFound);
  REQUIRE_CODE(producer->Send({.topic = "t", .partition = 2, .value = "x"}), absl::StatusCode::kInvalidArgument);
  REQUIRE_CODE(producer->Send({.topic = "t", .partition = -1, .value = "x"}), absl::StatusCode::kInvalidArgument);
  REQUIRE_CODE(producer->Send({.topic = "t", .value = "x", .timestamp = -5}), absl::StatusCode::kInvalidArgument);

  auto bad = f.NewProducer({.partitioner = NewFunctionPartitioner(
                                [](std::string_view, std::optional<std::string_view>, int32_t n) { return n; })});
  REQUIRE_CODE(bad->Send({.topic = "t", .value = "x"}), absl::StatusCode::kInvalidArgument);

  REQUIRE_CODE(Producer::Create(f.store.get(), {.acks = 2}), absl::StatusCode::kInvalidArgument);
  REQUIRE_CODE(Producer::Create(f.store.get(), {.linger_ms = -1}), absl::StatusCode::kInvalidArgument);
  REQUIRE_CODE(Producer::Create(f.store.get(), {.buffer_memory = 0}), absl::StatusCode::kInvalidArgument);
  REQUIRE_CODE(Producer::Create(nullptr, {}), absl::StatusCode::kInvalidArgument);

  REQUIRE_OK(producer->Send({.topic = "t", .partition = 1, .value = "last"}));
  REQUIRE_OK(producer->Close());
  REQUIRE(f.Values("t", 1) == std::vector<std::string>{"last"});
  REQUIRE_CODE(producer->Send({.topic = "t", .value = "x"}), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(producer->Flush(), absl::StatusCode::kFailedPrecondition);
  REQUIRE_OK(producer->Close());
}

TEST_CASE("Producer: sees partitions added after it first sent to a topic") {
  Fixture f;
  f.CreateTopic("t", 1);
  auto producer = f.NewProducer();
  REQUIRE_OK(producer->Send({.topic = "t", .value = "a"}));
  REQUIRE_OK(f.store->IncreasePartitions("t", 3));
  REQUIRE_OK(producer->Send({.topic = "t", .partition = 2, .value = "b"}));
  REQUIRE_OK(producer->Flush());
  REQUIRE(f.Values("t", 2) == std::vector<std::string>{"b"});
}

TEST_CASE("Producer: append errors reach the callbacks, and Flush for records without one") {
  Fixture f(/*fault_fs=*/true);
  f.CreateTopic("t", 2);
  auto producer = f.NewProducer({.linger_ms = 0, .enable_idempotence = false});
  f.fault->InjectError(FaultInjectionFileSystem::Op::kWrite, absl::DataLossError("injected write error"), "/t-0/",
                       /*count=*/1000);
  auto with_callback = producer->SendAsync({.topic = "t", .partition = 0, .value = "x"});
  REQUIRE(!with_callback.get().ok());
  REQUIRE_OK(producer->Flush());  // that error went to the callback only

  REQUIRE_OK(producer->Send({.topic = "t", .partition = 0, .value = "y"}));
  REQUIRE_OK(producer->Send({.topic = "t", .partition = 1, .value = "z"}));
  REQUIRE(!producer->Flush().ok());
  REQUIRE_OK(producer->Flush());  // reported once
  REQUIRE(f.Values("t", 1) == std::vector<std::string>{"z"});
  f.fault->ClearErrors();
}

TEST_CASE("Producer: with idempotence a failed append makes the partition refuse later records") {
  Fixture f(/*fault_fs=*/true);
  f.CreateTopic("t", 2);
  auto producer = f.NewProducer({.linger_ms = 0});
  f.fault->InjectError(FaultInjectionFileSystem::Op::kWrite, absl::DataLossError("injected write error"), "/t-0/");
  REQUIRE(!producer->SendAsync({.topic = "t", .partition = 0, .value = "x"}).get().ok());
  REQUIRE(!producer->Send({.topic = "t", .partition = 0, .value = "y"}).ok());
  REQUIRE_OK(producer->Send({.topic = "t", .partition = 1, .value = "z"}));
  REQUIRE_OK(producer->Flush());
  REQUIRE(f.Values("t", 1) == std::vector<std::string>{"z"});
}

TEST_CASE("Producer: batches carry the producer id, its epoch and consecutive sequences per partition") {
  Fixture f;
  f.CreateTopic("t", 2);
  auto producer = f.NewProducer({.linger_ms = 60000, .batch_size = 1024});
  const ProducerIdAndEpoch id = producer->producer_id();
  REQUIRE(id.producer_id >= 0);
  for (int i = 0; i < 100; ++i) {
    REQUIRE_OK(producer->Send({.topic = "t", .partition = i % 2, .value = Value(i)}));
    if (i == 50) REQUIRE_OK(producer->Flush());
  }
  REQUIRE_OK(producer->Flush());
  for (int32_t p = 0; p < 2; ++p) {
    int32_t expected_sequence = 0;
    std::vector<DecodedBatch> batches = f.Batches("t", p);
    REQUIRE(batches.size() > 2);
    for (const DecodedBatch& b : batches) {
      REQUIRE(b.header.producer_id == id.producer_id);
      REQUIRE(b.header.producer_epoch == id.epoch);
      REQUIRE(b.header.base_sequence == expected_sequence);
      expected_sequence += b.header.records_count;
    }
    REQUIRE(expected_sequence == 50);
  }
  auto second = f.NewProducer();
  REQUIRE(second->producer_id().producer_id != id.producer_id);

  auto plain = f.NewProducer({.enable_idempotence = false});
  REQUIRE(plain->producer_id().producer_id == -1);
  REQUIRE_OK(plain->Send({.topic = "t", .partition = 0, .value = "plain"}));
  REQUIRE_OK(plain->Flush());
  const DecodedBatch last = f.Batches("t", 0).back();
  REQUIRE(last.header.producer_id == -1);
  REQUIRE(last.header.base_sequence == -1);
}

TEST_CASE("Producer: a retried append of the same batches is stored once") {
  Fixture f;
  f.CreateTopic("t", 1);
  auto producer = f.NewProducer({.linger_ms = 60000});
  std::vector<absl::StatusOr<AppendResult>> retries;
  internal::ProducerTestHooks hooks;
  hooks.on_retry = [&retries](int32_t, const absl::StatusOr<AppendResult>& r) { retries.push_back(r); };
  internal::ProducerAccess::SetTestHooks(producer.get(), std::move(hooks));
  std::vector<std::future<absl::StatusOr<RecordMetadata>>> results;
  for (int i = 0; i < 10; ++i) results.push_back(producer->SendAsync({.topic = "t", .value = Value(i)}));
  REQUIRE_OK(producer->Flush());
  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<RecordMetadata> md = results[i].get();
    REQUIRE_OK(md);
    REQUIRE(md->offset == i);
  }
  for (int i = 10; i < 15; ++i) REQUIRE_OK(producer->Send({.topic = "t", .value = Value(i)}));
  REQUIRE_OK(producer->Flush());
  REQUIRE(retries.size() == 2);
  REQUIRE_OK(retries[0]);
  REQUIRE(retries[0]->duplicate);
  REQUIRE(retries[0]->base_offset == 0);
  REQUIRE(retries[0]->last_offset == 9);
  REQUIRE_OK(retries[1]);
  REQUIRE(retries[1]->duplicate);
  REQUIRE(retries[1]->base_offset == 10);
  std::vector<std::string> values = f.Values("t", 0);
  REQUIRE(values.size() == 15);
  for (int i = 0; i < 15; ++i) REQUIRE(values[i] == Value(i));
}

TEST_CASE("Producer: a LogAppendTime topic reports the append time") {
  Fixture f;
  f.CreateTopic("t", 1, {{"message.timestamp.type", "LogAppendTime"}});
  auto producer = f.NewProducer({.linger_ms = 0});
  absl::StatusOr<RecordMetadata> md = producer->SendAsync({.topic = "t", .value = "x", .timestamp = 12345}).get();
  REQUIRE_OK(md);
  REQUIRE(md->timestamp == f.clock.NowMillis());
}

TEST_CASE("Producer: Flush and Close from a callback fail with kFailedPrecondition") {
  Fixture f;
  f.CreateTopic("t", 1);
  auto producer = f.NewProducer({.linger_ms = 0});
  std::promise<std::pair<absl::Status, absl::Status>> inside;
  REQUIRE_OK(producer->Send({.topic = "t", .value = "x"}, [&](const absl::StatusOr<RecordMetadata>&) {
    inside.set_value({producer->Flush(), producer->Close()});
  }));
  auto [flush, close] = inside.get_future().get();
  REQUIRE_CODE(flush, absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(close, absl::StatusCode::kFailedPrecondition);
  REQUIRE_OK(producer->Send({.topic = "t", .value = "y"}));
  REQUIRE_OK(producer->Close());
  REQUIRE(f.Values("t", 0) == std::vector<std::string>{"x", "y"});
}

}  // namespace
}  // namespace seglog

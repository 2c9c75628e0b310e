// Consumer: positions and auto.offset.reset, seeks, pause/resume, round-robin, long poll and wake-up,
// record lifetime and the zero-copy batch poll. Data is produced by appending to partitions directly.
#include "seglog/consumer.h"
#include "absl/strings/str_cat.h"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "seglog/store.h"
#include "support/manual_clock.h"
#include "support/test_util.h"

namespace seglog {
namespace {

using test::OwnedRecord;

// A store in a fresh directory, on a ManualClock.
struct Fixture {
  explicit Fixture(int32_t partitions = 1, ConfigMap config = {}) {
    StoreOptions options;
    options.clock = &clock;
    auto opened = Store::Open(dir.path() + "/data", options);
    REQUIRE_OK(opened);
    store = std::move(*opened);
    auto created = store->CreateTopic("t", partitions, config);
    REQUIRE_OK(created);
    topic = *created;
  }

  Partition& partition(int32_t p) { return *topic->partition(p); }

  // Appends one uncompressed batch with values "<prefix><i>" for i in [0, n), timestamps `timestamp`.
  void Append(int32_t p, int n, const std::string& prefix = "v", int64_t timestamp = -1) {
    std::vector<std::string> values;
    for (int i = 0; i < n; ++i) values.push_back(prefix + std::to_string(i));
    std::vector<Record> records;
    for (const std::string& v : values)
      records.push_back(Record{.key = std::nullopt, .value = v, .timestamp = timestamp});
    REQUIRE_OK(partition(p).Append(records));
  }

  // Appends one batch of `n` records compressed with `codec`, values "<prefix><i>", keys "k<i>", one header.
  void AppendCompressed(int32_t p, int n, const std::string& prefix, CompressionType codec = CompressionType::kZstd) {
    std::vector<OwnedRecord> records;
    for (int i = 0; i < n; ++i) {
      records.push_back(OwnedRecord{.offset = i,
                                    .timestamp = clock.NowMillis(),
                                    .key = absl::StrCat("k", i),
                                    .value = prefix + std::to_string(i),
                                    .headers = {{"h", std::string("x")}}});
    }
    auto batch = test::BuildBatch({.compression = codec}, records);
    REQUIRE_OK(batch);
    REQUIRE_OK(partition(p).AppendBatches(*batch));
  }

  std::unique_ptr<Consumer> NewConsumer(ConsumerOptions options = {}) {
    options.clock = &clock;
    auto consumer = Consumer::Create(store.get(), options);
    REQUIRE_OK(consumer);
    return std::move(*consumer);
  }

  test::TempDir dir;
  ManualClock clock;
  std::unique_ptr<Store> store;
  std::shared_ptr<Topic> topic;
};

std::vector<std::string> Values(const ConsumerRecords& records) {
  std::vector<std::string> out;
  for (const ConsumerRecord& r : records) out.emplace_back(r.value.value_or("<null>"));
  return out;
}

std::vector<int64_t> Offsets(const ConsumerRecords& records) {
  std::vector<int64_t> out;
  for (const ConsumerRecord& r : records) out.push_back(r.offset);
  return out;
}

std::vector<int64_t> Range(int64_t from, int64_t to) {
  std::vector<int64_t> out;
  for (int64_t i = from; i < to; ++i) out.push_back(i);
  return out;
}

ConsumerRecords PollNow(Consumer& consumer) {
  auto records = consumer.Poll(absl::ZeroDuration());
  REQUIRE_OK(records);
  return std::move(*records);
}

const TopicPartition kT0{"t", 0};
const TopicPartition kT1{"t", 1};
const TopicPartition kT2{"t", 2};

ConsumerOptions WithReset(OffsetReset reset, int max_poll_records = 500) {
  ConsumerOptions options;
  options.auto_offset_reset = reset;
  options.max_poll_records = max_poll_records;
  return options;
}

TEST_CASE("Consumer: assigning an unknown topic or partition is kNotFound and changes nothing") {
  Fixture f(2);
  auto consumer = f.NewConsumer();
  REQUIRE_OK(consumer->Assign({kT0}));
  REQUIRE_CODE(consumer->Assign({kT1, {"nope", 0}}), absl::StatusCode::kNotFound);
  REQUIRE_CODE(consumer->Assign({{"t", 2}}), absl::StatusCode::kNotFound);
  REQUIRE_CODE(consumer->Assign({{"t", -1}}), absl::StatusCode::kNotFound);
  REQUIRE(consumer->assignment() == std::vector<TopicPartition>{kT0});
  REQUIRE_OK(consumer->Assign({kT1, kT0, kT1}));  // duplicates ignored, order kept
  REQUIRE(consumer->assignment() == std::vector<TopicPartition>{kT1, kT0});
}

TEST_CASE("Consumer: bad options, unassigned partitions and a closed consumer are refused") {
  Fixture f;
  ConsumerOptions bad;
  bad.max_poll_records = 0;
  REQUIRE_CODE(Consumer::Create(f.store.get(), bad), absl::StatusCode::kInvalidArgument);
  REQUIRE_CODE(Consumer::Create(nullptr, {}), absl::StatusCode::kInvalidArgument);
  REQUIRE(ParseOffsetReset("earliest").value() == OffsetReset::kEarliest);
  REQUIRE_CODE(ParseOffsetReset("smallest"), absl::StatusCode::kInvalidArgument);

  auto consumer = f.NewConsumer();
  REQUIRE_CODE(consumer->Poll(absl::ZeroDuration()), absl::StatusCode::kFailedPrecondition);  // nothing assigned
  REQUIRE_CODE(consumer->Seek(kT0, 0), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(consumer->Position(kT0), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(consumer->Pause(std::vector<TopicPartition>{kT0}), absl::StatusCode::kFailedPrecondition);
  REQUIRE_OK(consumer->Assign({kT0}));
  REQUIRE_CODE(consumer->Seek(kT0, -1), absl::StatusCode::kInvalidArgument);
  REQUIRE_OK(consumer->Close());
  REQUIRE_CODE(consumer->Poll(absl::ZeroDuration()), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(consumer->Assign({kT0}), absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("Consumer: auto.offset.reset earliest starts at the log start, latest at the high watermark") {
  Fixture f;
  f.Append(0, 5, "old");

  auto earliest = f.NewConsumer(WithReset(OffsetReset::kEarliest));
  REQUIRE_OK(earliest->Assign({kT0}));
  REQUIRE(earliest->Position(kT0).value() == 0);
  ConsumerRecords records = PollNow(*earliest);
  REQUIRE(Values(records) == std::vector<std::string>{"old0", "old1", "old2", "old3", "old4"});
  REQUIRE(Offsets(records) == Range(0, 5));
  REQUIRE(records[0].topic == "t");
  REQUIRE(records[0].partition == 0);
  REQUIRE(records[0].timestamp == f.clock.NowMillis());
  REQUIRE(!records[0].key.has_value());
  REQUIRE(earliest->Position(kT0).value() == 5);

  auto latest = f.NewConsumer(WithReset(OffsetReset::kLatest));
  REQUIRE_OK(latest->Assign({kT0}));
  REQUIRE(PollNow(*latest).empty());
  REQUIRE(latest->Position(kT0).value() == 5);
  f.Append(0, 2, "new");
  REQUIRE(Values(PollNow(*latest)) == std::vector<std::string>{"new0", "new1"});
}

TEST_CASE("Consumer: auto.offset.reset none needs a position and refuses an out-of-range one") {
  Fixture f;
  f.Append(0, 5);
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kNone));
  REQUIRE_OK(consumer->Assign({kT0}));
  REQUIRE_CODE(consumer->Poll(absl::ZeroDuration()), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(consumer->Position(kT0), absl::StatusCode::kFailedPrecondition);

  REQUIRE_OK(consumer->Seek(kT0, 9));  // beyond the log end (5)
  auto polled = consumer->Poll(absl::ZeroDuration());
  REQUIRE_CODE(polled, absl::StatusCode::kOutOfRange);
  const std::string message(polled.status().message());
  INFO(message);
  REQUIRE(message.find("t-0") != std::string::npos);
  REQUIRE(message.find("position 9") != std::string::npos);
  REQUIRE(message.find("log end 5") != std::string::npos);
  REQUIRE(consumer->Position(kT0).value() == 9);  // unchanged until the application seeks

  REQUIRE_OK(consumer->Seek(kT0, 3));
  REQUIRE(Offsets(PollNow(*consumer)) == Range(3, 5));
}

TEST_CASE("Consumer: a position below the log start after DeleteRecordsBefore resets by policy") {
  for (OffsetReset reset : {OffsetReset::kEarliest, OffsetReset::kLatest, OffsetReset::kNone}) {
    DYNAMIC_SECTION("auto.offset.reset=" << OffsetResetName(reset)) {
      Fixture f;
      f.Append(0, 10);
      auto consumer = f.NewConsumer(WithReset(reset, /*max_poll_records=*/2));
      REQUIRE_OK(consumer->Assign({kT0}));
      REQUIRE_OK(consumer->Seek(kT0, 0));
      REQUIRE(Offsets(PollNow(*consumer)) == Range(0, 2));  // the rest of the read is kept for the next poll
      REQUIRE_OK(f.partition(0).DeleteRecordsBefore(6));
      REQUIRE(f.partition(0).log_start_offset() == 6);
      auto polled = consumer->Poll(absl::ZeroDuration());
      if (reset == OffsetReset::kEarliest) {
        REQUIRE_OK(polled);
        REQUIRE(Offsets(*polled) == Range(6, 8));
      } else if (reset == OffsetReset::kLatest) {
        REQUIRE_OK(polled);
        REQUIRE(polled->empty());
        REQUIRE(consumer->Position(kT0).value() == 10);
      } else {
        REQUIRE_CODE(polled, absl::StatusCode::kOutOfRange);
        REQUIRE(std::string(polled.status().message()).find("log start 6") != std::string::npos);
      }
    }
  }
}

TEST_CASE("Consumer: a position whose segment retention deleted resets to the new log start") {
  Fixture f(1, {{"retention.ms", "1000"}});
  f.Append(0, 5, "gone");
  REQUIRE_OK(f.partition(0).Roll());
  f.Append(0, 5, "kept", f.clock.NowMillis() + 100000);
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kEarliest));
  REQUIRE_OK(consumer->Assign({kT0}));
  REQUIRE_OK(consumer->Seek(kT0, 1));
  f.clock.Advance(absl::Seconds(2));
  auto retention = f.partition(0).EnforceRetention();
  REQUIRE_OK(retention);
  REQUIRE(retention->segments_deleted == 1);
  REQUIRE(f.partition(0).log_start_offset() == 5);
  REQUIRE(Values(PollNow(*consumer)) == std::vector<std::string>{"kept0", "kept1", "kept2", "kept3", "kept4"});
}

TEST_CASE("Consumer: SeekToBeginning and SeekToEnd are evaluated at the next poll") {
  Fixture f;
  f.Append(0, 3);
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kNone));
  REQUIRE_OK(consumer->Assign({kT0}));
  REQUIRE_OK(consumer->SeekToEnd());
  f.Append(0, 2, "later");  // the end moves before the next poll: that poll sees the new end
  REQUIRE(PollNow(*consumer).empty());
  REQUIRE(consumer->Position(kT0).value() == 5);
  REQUIRE_OK(consumer->SeekToBeginning(std::vector<TopicPartition>{kT0}));
  REQUIRE(Offsets(PollNow(*consumer)) == Range(0, 5));
  REQUIRE(consumer->BeginningOffset(kT0).value() == 0);
  REQUIRE(consumer->EndOffset(kT0).value() == 5);
  REQUIRE_CODE(consumer->EndOffset({"nope", 0}), absl::StatusCode::kNotFound);
}

TEST_CASE("Consumer: seeking into the middle of a compressed batch returns records from that offset on") {
  Fixture f;
  f.AppendCompressed(0, 10, "z", CompressionType::kZstd);
  f.AppendCompressed(0, 10, "g", CompressionType::kGzip);
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kNone));
  REQUIRE_OK(consumer->Assign({kT0}));
  REQUIRE_OK(consumer->Seek(kT0, 7));
  ConsumerRecords records = PollNow(*consumer);
  REQUIRE(Offsets(records) == Range(7, 20));
  REQUIRE(records[0].value == "z7");
  REQUIRE(records[0].key == "k7");
  REQUIRE(records[3].value == "g0");
  REQUIRE(records[3].headers.size() == 1);
  REQUIRE(records[3].headers.begin()->key == "h");
  REQUIRE(records[3].headers.begin()->value == "x");
}

TEST_CASE("Consumer: SeekToTimestamp goes to the first record at or after the time, or to the end") {
  Fixture f;
  f.Append(0, 2, "a", 1000);
  f.Append(0, 2, "b", 2000);
  f.Append(0, 2, "c", 3000);
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kNone));
  REQUIRE_OK(consumer->Assign({kT0}));
  REQUIRE_OK(consumer->SeekToTimestamp(kT0, 1500));
  REQUIRE(consumer->Position(kT0).value() == 2);
  REQUIRE(Values(PollNow(*consumer)) == std::vector<std::string>{"b0", "b1", "c0", "c1"});
  REQUIRE_OK(consumer->SeekToTimestamp(kT0, 3000));
  REQUIRE(consumer->Position(kT0).value() == 4);
  REQUIRE_OK(consumer->SeekToTimestamp(kT0, 3001));
  REQUIRE(consumer->Position(kT0).value() == 6);
  REQUIRE(PollNow(*consumer).empty());
}

TEST_CASE("Consumer: control batches are skipped") {
  Fixture f;
  f.Append(0, 2, "a");
  BatchBuilderOptions control;
  control.control = true;
  control.transactional = true;
  control.producer_id = 7;
  control.producer_epoch = 0;
  std::string key("\0\0\0\0", 4);  // version 0, type 0 (abort)
  std::string value("\0\0\0\0\0\0", 6);
  auto batch =
      test::BuildBatch(control, {OwnedRecord{.offset = 0, .timestamp = 1, .key = key, .value = value, .headers = {}}});
  REQUIRE_OK(batch);
  REQUIRE_OK(f.partition(0).AppendBatches(*batch));
  f.Append(0, 2, "b");
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kEarliest));
  REQUIRE_OK(consumer->Assign({kT0}));
  ConsumerRecords records = PollNow(*consumer);
  REQUIRE(Offsets(records) == std::vector<int64_t>{0, 1, 3, 4});
  REQUIRE(consumer->Position(kT0).value() == 5);

  REQUIRE_OK(consumer->Seek(kT0, 2));  // at the marker itself: the poll passes it
  auto batches = consumer->PollBatches(absl::ZeroDuration());
  REQUIRE_OK(batches);
  REQUIRE(batches->batch_count() == 1);
  REQUIRE(batches->partitions()[0].batches[0].base_offset() == 3);
}

TEST_CASE("Consumer: paused partitions return nothing until resumed, keeping their positions") {
  Fixture f(2);
  f.Append(0, 3, "p0-");
  f.Append(1, 3, "p1-");
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kEarliest));
  REQUIRE_OK(consumer->Assign({kT0, kT1}));
  REQUIRE_OK(consumer->Pause(std::vector<TopicPartition>{kT0}));
  REQUIRE(consumer->paused() == std::vector<TopicPartition>{kT0});
  ConsumerRecords records = PollNow(*consumer);
  REQUIRE(Values(records) == std::vector<std::string>{"p1-0", "p1-1", "p1-2"});
  REQUIRE(records.records(kT0).empty());
  REQUIRE(records.records(kT1).size() == 3);
  REQUIRE(PollNow(*consumer).empty());
  REQUIRE_OK(consumer->Resume(std::vector<TopicPartition>{kT0}));
  REQUIRE(consumer->paused().empty());
  REQUIRE(Values(PollNow(*consumer)) == std::vector<std::string>{"p0-0", "p0-1", "p0-2"});
}

TEST_CASE("Consumer: a busy partition does not starve the others (round-robin)") {
  Fixture f(3);
  for (int i = 0; i < 10; ++i) f.Append(0, 100, "busy");
  f.Append(1, 5, "one");
  f.Append(2, 5, "two");
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kEarliest, /*max_poll_records=*/10));
  REQUIRE_OK(consumer->Assign({kT0, kT1, kT2}));
  ConsumerRecords first = PollNow(*consumer);
  REQUIRE(first.size() == 10);
  REQUIRE(first.records(kT0).size() == 10);
  ConsumerRecords second = PollNow(*consumer);  // starts after the partition that was served last
  REQUIRE(second.size() == 10);
  REQUIRE(second.records(kT1).size() == 5);
  REQUIRE(second.records(kT2).size() == 5);
  ConsumerRecords third = PollNow(*consumer);
  REQUIRE(third.records(kT0).size() == 10);
  REQUIRE(third.records(kT0)[0].offset == 10);  // continues exactly where the first poll stopped
}

TEST_CASE("Consumer: a failing partition does not block the healthy ones at later polls") {
  Fixture f;
  auto other = f.store->CreateTopic("u", 1, {});
  REQUIRE_OK(other);
  REQUIRE_OK((*other)->partition(0)->Append(std::vector<Record>{{.key = std::nullopt, .value = "u0"}}));
  f.Append(0, 2, "t");
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kEarliest));
  const TopicPartition kU0{"u", 0};
  REQUIRE_OK(consumer->Assign({kT0, kU0}));  // "t" comes first in the round-robin
  REQUIRE_OK(f.store->DeleteTopic("t"));
  REQUIRE_CODE(consumer->Poll(absl::ZeroDuration()), absl::StatusCode::kFailedPrecondition);
  ConsumerRecords records = PollNow(*consumer);  // starts after the failing partition
  REQUIRE(Values(records) == std::vector<std::string>{"u0"});
  REQUIRE(records.records(kU0).size() == 1);
  // The rotation comes back to the failing partition: its error shows again, and so on alternately.
  REQUIRE_CODE(consumer->Poll(absl::ZeroDuration()), absl::StatusCode::kFailedPrecondition);
  REQUIRE_OK((*other)->partition(0)->Append(std::vector<Record>{{.key = std::nullopt, .value = "u1"}}));
  REQUIRE(Values(PollNow(*consumer)) == std::vector<std::string>{"u1"});
  REQUIRE_CODE(consumer->PollBatches(absl::ZeroDuration()), absl::StatusCode::kFailedPrecondition);
  REQUIRE_OK((*other)->partition(0)->Append(std::vector<Record>{{.key = std::nullopt, .value = "u2"}}));
  auto batches = consumer->PollBatches(absl::ZeroDuration());
  REQUIRE_OK(batches);
  REQUIRE(batches->partitions().size() == 1);
  REQUIRE(batches->partitions()[0].topic == "u");
}

TEST_CASE("Consumer: max_poll_records cuts inside batches without losing or repeating records") {
  Fixture f;
  f.AppendCompressed(0, 7, "a", CompressionType::kLz4);
  f.Append(0, 7, "b");
  f.AppendCompressed(0, 7, "c", CompressionType::kSnappy);
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kEarliest, /*max_poll_records=*/3));
  REQUIRE_OK(consumer->Assign({kT0}));
  std::vector<int64_t> offsets;
  for (int i = 0; i < 7; ++i) {
    ConsumerRecords records = PollNow(*consumer);
    REQUIRE(records.size() == 3);
    for (int64_t o : Offsets(records)) offsets.push_back(o);
  }
  REQUIRE(PollNow(*consumer).empty());
  REQUIRE(offsets == Range(0, 21));
}

TEST_CASE("Consumer: records of an earlier poll stay valid after later polls, retention and Close") {
  Fixture f;
  f.AppendCompressed(0, 5, "z", CompressionType::kZstd);
  f.Append(0, 5, "p");
  REQUIRE_OK(f.partition(0).Roll());
  f.AppendCompressed(0, 5, "g", CompressionType::kGzip);
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kEarliest, /*max_poll_records=*/2));
  REQUIRE_OK(consumer->Assign({kT0}));
  std::vector<ConsumerRecords> kept;
  for (int i = 0; i < 8; ++i) kept.push_back(PollNow(*consumer));
  REQUIRE_OK(f.partition(0).DeleteRecordsBefore(10));  // deletes the first segment
  REQUIRE(f.partition(0).num_segments() == 1);
  REQUIRE_OK(consumer->Close());
  std::vector<std::string> values;
  for (const ConsumerRecords& records : kept) {
    for (const std::string& v : Values(records)) values.push_back(v);
  }
  REQUIRE(values == std::vector<std::string>{"z0", "z1", "z2", "z3", "z4", "p0", "p1", "p2", "p3", "p4", "g0", "g1",
                                             "g2", "g3", "g4"});
  REQUIRE(kept[0][1].key == "k1");
}

TEST_CASE("Consumer: PollBatches returns the segment's own bytes and moves the position past them") {
  Fixture f;
  f.AppendCompressed(0, 4, "z");
  f.Append(0, 4, "p");
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kNone));
  REQUIRE_OK(consumer->Assign({kT0}));
  REQUIRE_OK(consumer->Seek(kT0, 2));
  auto polled = consumer->PollBatches(absl::ZeroDuration());
  REQUIRE_OK(polled);
  REQUIRE(polled->partitions().size() == 1);
  const PartitionBatches& p = polled->partitions()[0];
  REQUIRE(p.topic == "t");
  REQUIRE(p.partition == 0);
  REQUIRE(p.fetch_offset == 2);
  REQUIRE(p.next_offset == 8);
  REQUIRE(p.high_watermark == 8);
  REQUIRE(p.batches.size() == 2);
  REQUIRE(p.batches[0].base_offset() == 0);
  REQUIRE(p.batches[0].compression() == CompressionType::kZstd);
  REQUIRE(p.batches[1].base_offset() == 4);
  auto read = f.partition(0).Read(0);
  REQUIRE_OK(read);
  REQUIRE(p.batches[0].data().data() == read->bytes.data());  // zero-copy: the mapped segment itself
  REQUIRE(consumer->Position(kT0).value() == 8);
  auto again = consumer->PollBatches(absl::ZeroDuration());
  REQUIRE_OK(again);
  REQUIRE(again->empty());
}

TEST_CASE("Consumer: a blocked poll wakes when data is appended to any assigned partition") {
  Fixture f(2);
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kLatest));
  REQUIRE_OK(consumer->Assign({kT0, kT1}));
  absl::StatusOr<ConsumerRecords> polled;
  std::thread poller([&] { polled = consumer->Poll(absl::Hours(1)); });
  f.clock.AwaitWaiters(1);  // the poll found nothing and waits
  f.Append(1, 1, "hello");
  poller.join();
  REQUIRE_OK(polled);
  REQUIRE(Values(*polled) == std::vector<std::string>{"hello0"});
  REQUIRE(polled->records(kT1).size() == 1);
}

TEST_CASE("Consumer: a poll with nothing to read returns empty when its timeout passes") {
  Fixture f;
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kEarliest));
  REQUIRE_OK(consumer->Assign({kT0}));
  absl::StatusOr<ConsumerRecords> polled;
  std::thread poller([&] { polled = consumer->Poll(absl::Seconds(5)); });
  f.clock.AwaitWaiters(1);
  f.clock.Advance(absl::Seconds(5));
  poller.join();
  REQUIRE_OK(polled);
  REQUIRE(polled->empty());
}

TEST_CASE("Consumer: Wakeup makes a blocked poll, or the next one, return at once") {
  Fixture f;
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kEarliest));
  REQUIRE_OK(consumer->Assign({kT0}));
  absl::StatusOr<ConsumerRecords> polled;
  std::thread poller([&] { polled = consumer->Poll(absl::Hours(1)); });
  f.clock.AwaitWaiters(1);
  consumer->Wakeup();
  poller.join();
  REQUIRE_OK(polled);
  REQUIRE(polled->empty());

  consumer->Wakeup();  // nobody is polling: the next poll returns at once instead of waiting an hour
  auto next = consumer->Poll(absl::Hours(1));
  REQUIRE_OK(next);
  REQUIRE(next->empty());

  f.Append(0, 1);  // a spent wakeup does not cut later polls short
  REQUIRE(PollNow(*consumer).size() == 1);
}

TEST_CASE("Consumer: a blocked poll returns only data of partitions that are not paused") {
  Fixture f(2);
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kLatest));
  REQUIRE_OK(consumer->Assign({kT0, kT1}));
  REQUIRE_OK(consumer->Pause(std::vector<TopicPartition>{kT0}));
  absl::StatusOr<ConsumerRecords> polled;
  std::thread poller([&] { polled = consumer->Poll(absl::Hours(1)); });
  f.clock.AwaitWaiters(1);
  f.Append(0, 3, "paused");
  f.Append(1, 1, "live");
  poller.join();
  REQUIRE_OK(polled);
  REQUIRE(Values(*polled) == std::vector<std::string>{"live0"});
  REQUIRE_OK(consumer->Resume(std::vector<TopicPartition>{kT0}));
  REQUIRE(Values(PollNow(*consumer)) == std::vector<std::string>{"paused0", "paused1", "paused2"});
}

TEST_CASE("Consumer: partitions that stay assigned keep their positions; new ones start by the policy") {
  Fixture f(2);
  f.Append(0, 4);
  f.Append(1, 4);
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kEarliest));
  REQUIRE_OK(consumer->Assign({kT0}));
  REQUIRE_OK(consumer->Seek(kT0, 3));
  REQUIRE_OK(consumer->Assign({kT1, kT0}));
  REQUIRE(consumer->Position(kT0).value() == 3);
  REQUIRE(consumer->Position(kT1).value() == 0);
  REQUIRE_OK(consumer->Assign({}));
  REQUIRE(consumer->assignment().empty());
  REQUIRE_OK(consumer->Assign({kT0}));
  REQUIRE(consumer->Position(kT0).value() == 0);  // unassigned in between: the position was forgotten
}

TEST_CASE("Consumer: reads stop at the high watermark") {
  Fixture f;
  f.Append(0, 3);
  auto consumer = f.NewConsumer(WithReset(OffsetReset::kNone));
  REQUIRE_OK(consumer->Assign({kT0}));
  REQUIRE_OK(consumer->Seek(kT0, 0));
  const int64_t high_watermark = f.partition(0).high_watermark();
  ConsumerRecords records = PollNow(*consumer);
  REQUIRE(records.size() == 3);
  for (const ConsumerRecord& r : records) REQUIRE(r.offset < high_watermark);
  REQUIRE(consumer->Position(kT0).value() == high_watermark);
  REQUIRE(PollNow(*consumer).empty());
}

}  // namespace
}  // namespace seglog

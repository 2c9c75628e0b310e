// Data directories written by earlier releases keep opening: test/data/compat/store-<version>/ is a data
// directory written by that release (topics, several segments per partition, idempotent and compressed
// batches, a moved log start offset, checkpoints and the clean-shutdown marker), and this release must open
// it, read back every record exactly, and keep writing to it. doc/format/compatibility.md is the policy.
//
// The directory is made by the hidden test case below, with the release it is named after:
//   SEGLOG_COMPAT_OUT=/tmp/store-0.1.0 build/default/test/store_test "[.compat-generate]"
// Its records are a pure function of (topic, partition, index), so the reading test regenerates what it
// expects instead of storing it.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "seglog/batch_builder.h"
#include "seglog/store.h"
#include "seglog/version.h"
#include "store/store_test_util.h"
#include "support/test_util.h"

namespace seglog {
namespace {

using test::DecodedBatch;
using test::OwnedRecord;

// The release whose directory is stored, and what it holds.
constexpr char kCompatDir[] = "compat/store-0.1.0";
constexpr int64_t kBaseTimestamp = 1760000000000;  // 2025-10-09, fixed so records are reproducible

struct TopicShape {
  const char* name;
  int32_t partitions;
  int records_per_partition;
  ConfigMap config;
};

const std::vector<TopicShape>& Topics() {
  static const std::vector<TopicShape> topics = {
      // Compressed, idempotent batches of 5 in segments of about 1 KB: several segments per partition.
      {"orders", 3, 60, {{"segment.bytes", "1024"}, {"compression.type", "lz4"}, {"retention.ms", "-1"}}},
      // Plain appends with null keys and values and headers; its log start offset is moved to 10.
      {"events", 1, 40, {{"segment.bytes", "2048"}, {"retention.ms", "-1"}}},
  };
  return topics;
}

constexpr int kBatchRecords = 5;
constexpr int64_t kEventsLogStart = 10;

// Record `i` of a partition; views into `storage`, which must outlive the record.
struct RecordText {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t timestamp = 0;
};

RecordText MakeRecord(const std::string& topic, int32_t partition, int i) {
  RecordText r;
  r.timestamp = kBaseTimestamp + 1000 * partition + i;
  if (i % 4 != 0) r.key = topic + "-key-" + std::to_string(partition) + "-" + std::to_string(i);
  if (i % 7 != 3) r.value = std::string(static_cast<size_t>(i * 3 % 50), static_cast<char>('a' + i % 26)) + "#" +
                            std::to_string(i);
  if (i % 2 == 1) r.headers = {{"trace", std::to_string(i * 31)}, {"empty", ""}};
  return r;
}

int64_t ExpectedLogStart(const std::string& topic) { return topic == "events" ? kEventsLogStart : 0; }

// --- Writing (run by hand with the release named in kCompatDir) ------------------------------------------

void AppendAll(Store& store, const TopicShape& shape) {
  std::shared_ptr<Topic> topic = test::GetTopicOrDie(store, shape.name);
  const bool idempotent = std::string(shape.name) == "orders";
  for (int32_t p = 0; p < shape.partitions; ++p) {
    Partition& partition = *topic->partition(p);
    ProducerIdAndEpoch pid;
    if (idempotent) {
      absl::StatusOr<ProducerIdAndEpoch> allocated = store.AllocateProducerId();
      REQUIRE_OK(allocated);
      pid = *allocated;
    }
    for (int first = 0; first < shape.records_per_partition; first += kBatchRecords) {
      std::vector<RecordText> texts;
      for (int i = first; i < first + kBatchRecords; ++i) texts.push_back(MakeRecord(shape.name, p, i));
      std::vector<std::vector<RecordHeader>> headers(texts.size());
      std::vector<Record> records;
      for (size_t j = 0; j < texts.size(); ++j) {
        for (const auto& [k, v] : texts[j].headers) headers[j].push_back(RecordHeader{.key = k, .value = v});
        records.push_back(Record{.key = texts[j].key, .value = texts[j].value, .timestamp = texts[j].timestamp,
                                 .headers = headers[j]});
      }
      if (idempotent) {
        BatchBuilder builder({.compression = CompressionType::kLz4,
                              .producer_id = pid.producer_id,
                              .producer_epoch = pid.epoch,
                              .base_sequence = first});
        REQUIRE_OK(builder.AppendRecords(records, kBaseTimestamp));
        absl::StatusOr<std::string_view> batch = builder.Build();
        REQUIRE_OK(batch);
        REQUIRE_OK(partition.AppendBatches(*batch));
      } else {
        REQUIRE_OK(partition.Append(records));
      }
    }
  }
}

TEST_CASE("Write the compatibility data directory of this release", "[.compat-generate]") {
  const char* out = std::getenv("SEGLOG_COMPAT_OUT");
  REQUIRE(out != nullptr);
  REQUIRE_FALSE(std::filesystem::exists(out));
  std::unique_ptr<Store> store = test::OpenStoreOrDie(out, {});
  for (const TopicShape& shape : Topics()) {
    REQUIRE_OK(store->CreateTopic(shape.name, shape.partitions, shape.config));
    AppendAll(*store, shape);
  }
  REQUIRE_OK(test::GetTopicOrDie(*store, "events")->partition(0)->DeleteRecordsBefore(kEventsLogStart));
  REQUIRE_OK(store->Close());
}

// --- Reading ----------------------------------------------------------------------------------------------

std::vector<OwnedRecord> ReadAll(const Partition& p) {
  std::vector<OwnedRecord> out;
  int64_t offset = p.log_start_offset();
  while (offset < p.high_watermark()) {
    absl::StatusOr<ReadResult> read = p.Read(offset);
    REQUIRE_OK(read);
    REQUIRE_FALSE(read->bytes.empty());
    absl::StatusOr<std::vector<DecodedBatch>> batches = test::DecodeLog(read->bytes);
    REQUIRE_OK(batches);
    for (const DecodedBatch& b : *batches) {
      for (const OwnedRecord& r : b.records) {
        if (r.offset >= offset) out.push_back(r);
      }
    }
    offset = read->next_offset;
  }
  return out;
}

void CheckRecords(const std::string& topic, int32_t partition, const std::vector<OwnedRecord>& got, int64_t from,
                  int64_t count) {
  REQUIRE(got.size() == static_cast<size_t>(count - from));
  for (size_t j = 0; j < got.size(); ++j) {
    const int i = static_cast<int>(from) + static_cast<int>(j);
    const RecordText want = MakeRecord(topic, partition, i);
    INFO(topic << "-" << partition << " offset " << i);
    CHECK(got[j].offset == i);
    CHECK(got[j].timestamp == want.timestamp);
    CHECK(got[j].key == want.key);
    CHECK(got[j].value == want.value);
    REQUIRE(got[j].headers.size() == want.headers.size());
    for (size_t h = 0; h < want.headers.size(); ++h) {
      CHECK(got[j].headers[h].first == want.headers[h].first);
      CHECK(got[j].headers[h].second == want.headers[h].second);
    }
  }
}

// A scratch copy: the stored directory is never opened for writing.
std::string CopyOfCompatDir(const test::TempDir& tmp) {
  const std::string dst = tmp.path() + "/data";
  std::filesystem::copy(test::TestdataPath(kCompatDir), dst, std::filesystem::copy_options::recursive);
  return dst;
}

TEST_CASE("A data directory written by seglog 0.1.0 opens, reads back exactly and takes new writes",
          "[store][compat]") {
  test::TempDir tmp;
  const std::string dir = CopyOfCompatDir(tmp);
  {
    std::unique_ptr<Store> store = test::OpenStoreOrDie(dir, {.create_if_missing = false});
    REQUIRE(store->ListTopics() == std::vector<std::string>{"events", "orders"});
    for (const TopicShape& shape : Topics()) {
      std::shared_ptr<Topic> topic = test::GetTopicOrDie(*store, shape.name);
      REQUIRE(topic->num_partitions() == shape.partitions);
      REQUIRE(topic->config().ToMap().at("segment.bytes") == shape.config.at("segment.bytes"));
      for (int32_t p = 0; p < shape.partitions; ++p) {
        const Partition& partition = *topic->partition(p);
        INFO(shape.name << "-" << p);
        CHECK(partition.num_segments() > 1);
        CHECK(partition.log_start_offset() == ExpectedLogStart(shape.name));
        CHECK(partition.log_end_offset() == shape.records_per_partition);
        CHECK(partition.recovery_point() == shape.records_per_partition);  // the clean shutdown's checkpoint
        CheckRecords(shape.name, p, ReadAll(partition), ExpectedLogStart(shape.name), shape.records_per_partition);
      }
    }

    // The idempotent producer's state is rebuilt from the old segments: its next batch continues the
    // sequence, and a retry of its last batch is recognised as a duplicate.
    Partition& orders0 = *test::GetTopicOrDie(*store, "orders")->partition(0);
    absl::StatusOr<ReadResult> last = orders0.Read(orders0.log_end_offset() - 1);
    REQUIRE_OK(last);
    absl::StatusOr<std::vector<DecodedBatch>> last_batch = test::DecodeLog(last->bytes);
    REQUIRE_OK(last_batch);
    const BatchHeader& h = last_batch->back().header;
    REQUIRE(h.producer_id >= 0);
    absl::StatusOr<std::string> retry = test::BuildBatch(
        {.base_offset = h.base_offset, .compression = CompressionType::kLz4, .producer_id = h.producer_id,
         .producer_epoch = h.producer_epoch, .base_sequence = h.base_sequence},
        last_batch->back().records);
    REQUIRE_OK(retry);
    absl::StatusOr<AppendResult> dup = orders0.AppendBatches(*retry);
    REQUIRE_OK(dup);
    CHECK(dup->duplicate);

    // New writes after the old data, and a new topic beside the old ones.
    test::AppendValues(*test::GetTopicOrDie(*store, "events")->partition(0), {"after-upgrade"}, /*durable=*/true);
    REQUIRE_OK(store->CreateTopic("new-topic", 1));
    REQUIRE_OK(store->Close());
  }
  // And the upgraded directory opens again with everything in it.
  std::unique_ptr<Store> store = test::OpenStoreOrDie(dir, {.create_if_missing = false});
  REQUIRE(store->ListTopics() == std::vector<std::string>{"events", "new-topic", "orders"});
  const Partition& events = *test::GetTopicOrDie(*store, "events")->partition(0);
  std::vector<OwnedRecord> records = ReadAll(events);
  REQUIRE(records.size() == 40 - kEventsLogStart + 1);
  CHECK(records.back().value == "after-upgrade");
  records.pop_back();
  CheckRecords("events", 0, records, kEventsLogStart, 40);
  REQUIRE_OK(store->Close());
}

TEST_CASE("A data directory written by seglog 0.1.0 opens read-only without changing a byte", "[store][compat]") {
  test::TempDir tmp;
  const std::string dir = CopyOfCompatDir(tmp);
  auto snapshot = [&] {
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.is_regular_file()) files.emplace_back(e.path().string(), test::ReadWholeFile(e.path().string()));
    }
    std::sort(files.begin(), files.end());
    return files;
  };
  const auto before = snapshot();
  {
    std::unique_ptr<Store> store = test::OpenStoreOrDie(dir, {.create_if_missing = false, .read_only = true});
    const Partition& orders2 = *test::GetTopicOrDie(*store, "orders")->partition(2);
    CheckRecords("orders", 2, ReadAll(orders2), 0, 60);
    REQUIRE_OK(store->Close());
  }
  CHECK(snapshot() == before);
}

}  // namespace
}  // namespace seglog

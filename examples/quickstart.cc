// seglog quickstart: a topic with 3 partitions, 1,000,000 keyed 100-byte records produced and consumed back,
// with the order checked and the speed of both directions printed.
//
// Usage: seglog_quickstart [DATA_DIR]   (default ./seglog-data; it is emptied first)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "seglog/seglog.h"

namespace {

constexpr int kPartitions = 3;
constexpr int kRecords = 1'000'000;
constexpr int kKeys = 1000;

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "quickstart: %s\n", status.ToString().c_str());
  return 1;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "./seglog-data";
  std::filesystem::remove_all(dir);

  // 1. Open a data directory and create a topic.
  auto store = seglog::Store::Open(dir);
  if (!store.ok()) return Fail(store.status());
  auto topic = (*store)->CreateTopic("greetings", kPartitions);
  if (!topic.ok()) return Fail(topic.status());

  // 2. Produce: each record's key picks its partition (Kafka's murmur2), so one key's records stay in order.
  auto producer = seglog::Producer::Create(store->get(), {.acks = 1});
  if (!producer.ok()) return Fail(producer.status());
  std::string key, value(100, 'v');
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRecords; ++i) {
    key = absl::StrCat("user-", i % kKeys);
    std::snprintf(value.data(), value.size(), "%09d", i / kKeys);  // the key's sequence number
    absl::Status sent = (*producer)->Send({.topic = "greetings", .key = key, .value = value});
    if (!sent.ok()) return Fail(sent);
  }
  if (absl::Status s = (*producer)->Close(); !s.ok()) return Fail(s);
  std::printf("produced %d records in %.2f s: %.0f records/s\n", kRecords, SecondsSince(start),
              kRecords / SecondsSince(start));

  // 3. Consume everything back from the beginning and check the order.
  auto consumer = seglog::Consumer::Create(store->get(), {.auto_offset_reset = seglog::OffsetReset::kEarliest});
  if (!consumer.ok()) return Fail(consumer.status());
  std::vector<seglog::TopicPartition> partitions;
  for (int p = 0; p < kPartitions; ++p) partitions.push_back({"greetings", p});
  if (absl::Status s = (*consumer)->Assign(partitions); !s.ok()) return Fail(s);

  std::vector<int64_t> next_offset(kPartitions, 0);
  std::vector<int> next_sequence(kKeys, 0);
  int consumed = 0;
  start = std::chrono::steady_clock::now();
  while (consumed < kRecords) {
    auto records = (*consumer)->Poll(absl::Seconds(1));
    if (!records.ok()) return Fail(records.status());
    if (records->empty()) return Fail(absl::DataLossError("no more records before all were consumed"));
    for (const seglog::ConsumerRecord& r : *records) {
      const int k = std::stoi(std::string(r.key->substr(5)));
      const int sequence = std::stoi(std::string(r.value->substr(0, 9)));
      if (r.offset != next_offset[r.partition]++ || sequence != next_sequence[k]++) {
        return Fail(
            absl::DataLossError(absl::StrCat("records out of order at partition ", r.partition, " offset ", r.offset)));
      }
      ++consumed;
    }
  }
  std::printf("consumed %d records in %.2f s: %.0f records/s\n", consumed, SecondsSince(start),
              consumed / SecondsSince(start));
  for (int p = 0; p < kPartitions; ++p) {
    std::printf("  partition %d: %lld records, in offset order\n", p, static_cast<long long>(next_offset[p]));
  }
  std::printf("every key's records came back in the order they were sent\n");

  if (absl::Status s = (*consumer)->Close(); !s.ok()) return Fail(s);
  if (absl::Status s = (*store)->Close(); !s.ok()) return Fail(s);
  return 0;
}

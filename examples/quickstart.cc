// seglog quickstart: a topic with 3 partitions, 1,000,000 keyed 100-byte records produced and consumed back,
// with the order checked and the speed of both directions printed.
//
// Usage: seglog_quickstart [DATA_DIR]   (default ./seglog-data; it is emptied first)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "seglog/seglog.h"

namespace {

constexpr int kPartitions = 3;
constexpr int kRecords = 1'000'000;
constexpr int kKeys = 1000;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Every fallible call returns absl::Status or absl::StatusOr; SEGLOG_RETURN_IF_ERROR and
// SEGLOG_ASSIGN_OR_RETURN (seglog/status_macros.h) hand a failure back to main.
absl::Status Run(const std::string& dir) {
  // 1. Open a data directory and create a topic.
  SEGLOG_ASSIGN_OR_RETURN(std::unique_ptr<seglog::Store> store, seglog::Store::Open(dir));
  SEGLOG_ASSIGN_OR_RETURN(std::shared_ptr<seglog::Topic> topic, store->CreateTopic("greetings", kPartitions));

  // 2. Produce: each record's key picks its partition (Kafka's murmur2), so one key's records stay in order.
  SEGLOG_ASSIGN_OR_RETURN(std::unique_ptr<seglog::Producer> producer,
                          seglog::Producer::Create(store.get(), {.acks = 1}));
  std::string key, value(100, 'v');
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRecords; ++i) {
    key = absl::StrCat("user-", i % kKeys);
    std::snprintf(value.data(), value.size(), "%09d", i / kKeys);  // the key's sequence number
    SEGLOG_RETURN_IF_ERROR(producer->Send({.topic = "greetings", .key = key, .value = value}));
  }
  SEGLOG_RETURN_IF_ERROR(producer->Close());
  std::printf("produced %d records in %.2f s: %.0f records/s\n", kRecords, SecondsSince(start),
              kRecords / SecondsSince(start));

  // 3. Consume everything back from the beginning and check the order.
  SEGLOG_ASSIGN_OR_RETURN(std::unique_ptr<seglog::Consumer> consumer,
                          seglog::Consumer::Create(store.get(), {.auto_offset_reset = seglog::OffsetReset::kEarliest}));
  std::vector<seglog::TopicPartition> partitions;
  for (int p = 0; p < kPartitions; ++p) partitions.push_back({"greetings", p});
  SEGLOG_RETURN_IF_ERROR(consumer->Assign(partitions));

  std::vector<int64_t> next_offset(kPartitions, 0);
  std::vector<int> next_sequence(kKeys, 0);
  int consumed = 0;
  start = std::chrono::steady_clock::now();
  while (consumed < kRecords) {
    SEGLOG_ASSIGN_OR_RETURN(seglog::ConsumerRecords records, consumer->Poll(absl::Seconds(1)));
    if (records.empty()) return absl::DataLossError("no more records before all were consumed");
    for (const seglog::ConsumerRecord& r : records) {
      const int k = std::stoi(std::string(r.key->substr(5)));
      const int sequence = std::stoi(std::string(r.value->substr(0, 9)));
      if (r.offset != next_offset[r.partition]++ || sequence != next_sequence[k]++) {
        return absl::DataLossError(
            absl::StrCat("records out of order at partition ", r.partition, " offset ", r.offset));
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

  SEGLOG_RETURN_IF_ERROR(consumer->Close());
  return store->Close();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "./seglog-data";
  std::filesystem::remove_all(dir);
  if (absl::Status s = Run(dir); !s.ok()) {
    std::fprintf(stderr, "quickstart: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

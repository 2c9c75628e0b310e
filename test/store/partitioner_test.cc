// Partitioners: Kafka's murmur2 and key partitioning against every vector Kafka's Java code produced, KIP-794
// sticky partitioning of null keys, round-robin and user functions.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "nlohmann/json.hpp"
#include "seglog/partitioner.h"
#include "support/test_util.h"

namespace seglog {
namespace {

TEST_CASE("Murmur2 and PartitionForKey match every Kafka vector for every partition count", "[partitioner]") {
  std::ifstream in(test::TestdataPath("partitioner/murmur2.jsonl"));
  REQUIRE(in.good());
  std::unique_ptr<Partitioner> partitioner = NewDefaultPartitioner();
  std::string line;
  int vectors = 0;
  int checks = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const nlohmann::json v = nlohmann::json::parse(line);
    const std::string key = test::FromHex(v.at("key_hex").get<std::string>());
    INFO("key_hex " << v.at("key_hex").get<std::string>());
    REQUIRE(Murmur2(key) == v.at("murmur2_int32").get<int32_t>());
    REQUIRE(ToPositive(Murmur2(key)) == v.at("to_positive").get<int32_t>());
    for (const auto& [count, partition] : v.at("partition").items()) {
      const int32_t n = std::stoi(count);
      REQUIRE(PartitionForKey(key, n) == partition.get<int32_t>());
      REQUIRE(partitioner->Partition("topic", std::string_view(key), key.size(), n) == partition.get<int32_t>());
      ++checks;
    }
    ++vectors;
  }
  REQUIRE(vectors == 200);
  REQUIRE(checks >= 200 * 7);
}

TEST_CASE("ToPositive masks the sign bit instead of taking the absolute value", "[partitioner]") {
  REQUIRE(ToPositive(-1) == 0x7fffffff);
  REQUIRE(ToPositive(INT32_MIN) == 0);
  REQUIRE(ToPositive(5) == 5);
}

TEST_CASE("Null keys stick to one partition until sticky_batch_bytes went there, then move to another",
          "[partitioner]") {
  std::unique_ptr<Partitioner> p = NewDefaultPartitioner(/*sticky_batch_bytes=*/100);
  for (int round = 0; round < 20; ++round) {
    const int32_t first = p->Partition("t", std::nullopt, 10, 4);
    REQUIRE(first >= 0);
    REQUIRE(first < 4);
    for (int i = 1; i < 10; ++i) REQUIRE(p->Partition("t", std::nullopt, 10, 4) == first);  // 100 bytes in all
    const int32_t next = p->Partition("t", std::nullopt, 10, 4);
    REQUIRE(next != first);
    // `next` starts the following round's 100 bytes: hand back the 10 already taken.
    for (int i = 1; i < 10; ++i) REQUIRE(p->Partition("t", std::nullopt, 10, 4) == next);
  }
}

TEST_CASE("Sticky partitioning is per topic and keyed records do not disturb it", "[partitioner]") {
  std::unique_ptr<Partitioner> p = NewDefaultPartitioner(/*sticky_batch_bytes=*/1000);
  const int32_t a = p->Partition("a", std::nullopt, 10, 8);
  const int32_t b = p->Partition("b", std::nullopt, 10, 8);
  for (int i = 0; i < 50; ++i) {
    REQUIRE(p->Partition("a", std::nullopt, 10, 8) == a);
    REQUIRE(p->Partition("a", std::string_view("key"), 500, 8) == PartitionForKey("key", 8));
    REQUIRE(p->Partition("b", std::nullopt, 10, 8) == b);
  }
}

TEST_CASE("Sticky partitioning follows a change in the partition count", "[partitioner]") {
  std::unique_ptr<Partitioner> p = NewDefaultPartitioner(/*sticky_batch_bytes=*/1 << 20);
  REQUIRE(p->Partition("t", std::nullopt, 1, 1) == 0);
  for (int i = 0; i < 100; ++i) {
    const int32_t q = p->Partition("t", std::nullopt, 1, 3);
    REQUIRE(q >= 0);
    REQUIRE(q < 3);
  }
}

TEST_CASE("Sticky partitioning spreads null keys over every partition and is safe from many threads",
          "[partitioner]") {
  std::unique_ptr<Partitioner> p = NewDefaultPartitioner(/*sticky_batch_bytes=*/64);
  std::vector<std::set<int32_t>> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) seen[t].insert(p->Partition("t", std::nullopt, 16, 5));
    });
  }
  for (auto& t : threads) t.join();
  std::set<int32_t> all;
  for (const auto& s : seen) all.insert(s.begin(), s.end());
  REQUIRE(all == std::set<int32_t>{0, 1, 2, 3, 4});  // 5000 switches among 5: missing one is ~impossible
}

TEST_CASE("Round-robin sends every record to the next partition in turn, per topic", "[partitioner]") {
  std::unique_ptr<Partitioner> p = NewRoundRobinPartitioner();
  std::vector<int32_t> got;
  for (int i = 0; i < 7; ++i) got.push_back(p->Partition("a", i % 2 == 0 ? std::optional<std::string_view>("k") : std::nullopt, 10, 3));
  REQUIRE(got == std::vector<int32_t>{0, 1, 2, 0, 1, 2, 0});
  REQUIRE(p->Partition("b", std::nullopt, 10, 3) == 0);
  REQUIRE(p->Partition("a", std::nullopt, 10, 3) == 1);
}

TEST_CASE("A function partitioner returns what the function says", "[partitioner]") {
  std::unique_ptr<Partitioner> p = NewFunctionPartitioner(
      [](std::string_view topic, std::optional<std::string_view> key, int32_t n) -> int32_t {
        if (!key.has_value()) return n - 1;
        return static_cast<int32_t>(topic.size() + key->size()) % n;
      });
  REQUIRE(p->Partition("abc", std::nullopt, 0, 4) == 3);
  REQUIRE(p->Partition("abc", std::string_view("de"), 0, 4) == 1);
  // Out of range results are passed through: the producer refuses them.
  std::unique_ptr<Partitioner> bad = NewFunctionPartitioner([](auto, auto, int32_t) { return 7; });
  REQUIRE(bad->Partition("t", std::nullopt, 0, 2) == 7);
}

}  // namespace
}  // namespace seglog

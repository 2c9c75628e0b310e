// Partitioners (partitioner.h): Kafka's murmur2, the built-in (KIP-794 sticky) partitioner, round-robin and a
// user function.
#include "seglog/partitioner.h"

#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "seglog/mutex.h"

namespace seglog {

int32_t Murmur2(std::string_view data) {
  // Utils.murmur2: all arithmetic modulo 2^32, Java's >>> is a logical shift on the unsigned value.
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  const uint32_t length = static_cast<uint32_t>(data.size());
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  uint32_t h = kSeed ^ length;
  const uint32_t length4 = length / 4;
  for (uint32_t i = 0; i < length4; ++i) {
    const uint32_t i4 = i * 4;
    uint32_t k = static_cast<uint32_t>(bytes[i4]) | (static_cast<uint32_t>(bytes[i4 + 1]) << 8) |
                 (static_cast<uint32_t>(bytes[i4 + 2]) << 16) | (static_cast<uint32_t>(bytes[i4 + 3]) << 24);
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const uint32_t tail = length & ~3u;
  switch (length % 4) {
    case 3:
      h ^= static_cast<uint32_t>(bytes[tail + 2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<uint32_t>(bytes[tail + 1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= static_cast<uint32_t>(bytes[tail]);
      h *= kM;
      break;
    default:
      break;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

int32_t PartitionForKey(std::string_view key, int32_t num_partitions) {
  return ToPositive(Murmur2(key)) % num_partitions;
}

namespace {

// KIP-794 (BuiltInPartitioner): keyed records by murmur2; null-key records stick to one partition per topic
// until sticky_batch_bytes bytes have gone to it, then move to another partition chosen uniformly at random.
class DefaultPartitioner final : public Partitioner {
 public:
  explicit DefaultPartitioner(size_t sticky_batch_bytes)
      : sticky_batch_bytes_(sticky_batch_bytes == 0 ? 1 : sticky_batch_bytes) {}

  int32_t Partition(std::string_view topic, std::optional<std::string_view> key, size_t record_bytes,
                    int32_t num_partitions) override {
    if (key.has_value()) return PartitionForKey(*key, num_partitions);
    if (num_partitions <= 1) return 0;
    MutexLock lock(&mu_);
    auto it = sticky_.find(topic);
    if (it == sticky_.end()) it = sticky_.emplace(std::string(topic), Sticky{}).first;
    Sticky& s = it->second;
    if (s.partition < 0 || s.partition >= num_partitions || s.bytes >= sticky_batch_bytes_) {
      s.partition = NextPartitionLocked(s.partition, num_partitions);
      s.bytes = 0;
    }
    s.bytes += record_bytes;
    return s.partition;
  }

 private:
  struct Sticky {
    int32_t partition = -1;
    size_t bytes = 0;
  };

  // A partition chosen uniformly at random, different from `previous` (StickyPartitionCache.nextPartition).
  int32_t NextPartitionLocked(int32_t previous, int32_t num_partitions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    mu_.AssertHeld();
    if (previous < 0 || previous >= num_partitions) return absl::Uniform<int32_t>(rng_, 0, num_partitions);
    const int32_t pick = absl::Uniform<int32_t>(rng_, 0, num_partitions - 1);
    return pick >= previous ? pick + 1 : pick;
  }

  const size_t sticky_batch_bytes_;
  Mutex mu_;
  std::map<std::string, Sticky, std::less<>> sticky_ ABSL_GUARDED_BY(mu_);
  absl::BitGen rng_ ABSL_GUARDED_BY(mu_);
};

// RoundRobinPartitioner: a counter per topic; every record goes to counter++ % num_partitions.
class RoundRobinPartitioner final : public Partitioner {
 public:
  int32_t Partition(std::string_view topic, std::optional<std::string_view> /*key*/, size_t /*record_bytes*/,
                    int32_t num_partitions) override {
    MutexLock lock(&mu_);
    auto it = counters_.find(topic);
    if (it == counters_.end()) it = counters_.emplace(std::string(topic), 0).first;
    const uint64_t next = it->second++;
    return static_cast<int32_t>(next % static_cast<uint64_t>(num_partitions));
  }

 private:
  Mutex mu_;
  std::map<std::string, uint64_t, std::less<>> counters_ ABSL_GUARDED_BY(mu_);
};

class FunctionPartitioner final : public Partitioner {
 public:
  explicit FunctionPartitioner(PartitionFunction fn) : fn_(std::move(fn)) {}
  int32_t Partition(std::string_view topic, std::optional<std::string_view> key, size_t /*record_bytes*/,
                    int32_t num_partitions) override {
    return fn_(topic, key, num_partitions);
  }

 private:
  const PartitionFunction fn_;
};

}  // namespace

std::unique_ptr<Partitioner> NewDefaultPartitioner(size_t sticky_batch_bytes) {
  return std::make_unique<DefaultPartitioner>(sticky_batch_bytes);
}

std::unique_ptr<Partitioner> NewRoundRobinPartitioner() { return std::make_unique<RoundRobinPartitioner>(); }

std::unique_ptr<Partitioner> NewFunctionPartitioner(PartitionFunction fn) {
  return std::make_unique<FunctionPartitioner>(std::move(fn));
}

}  // namespace seglog

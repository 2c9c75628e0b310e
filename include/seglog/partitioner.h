// Partitioners: how a producer picks a partition for a record without one.
//
// Kafka's built-in rule (BuiltInPartitioner, KIP-794): a record with a key goes to
// ToPositive(Murmur2(key)) % num_partitions over all partitions — the same partition Kafka's Java producer
// picks; a record without a key sticks to one partition until `sticky_batch_bytes` (batch.size) bytes have gone
// there, then moves to another chosen at random.
//
//   std::unique_ptr<seglog::Partitioner> p = seglog::NewDefaultPartitioner();
//   int32_t partition = p->Partition("orders", key, key_and_value_bytes, topic->num_partitions());
//
// Thread safety: every Partitioner returned here may be called from many threads at once; a user-supplied
// function must be too.
#ifndef SEGLOG_PARTITIONER_H_
#define SEGLOG_PARTITIONER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

namespace seglog {

// Kafka's murmur2 (Utils.murmur2, seed 0x9747b28c) of `data`, as Java's signed int.
int32_t Murmur2(std::string_view data);
// Kafka's Utils.toPositive: `value & 0x7fffffff`.
inline int32_t ToPositive(int32_t value) { return value & 0x7fffffff; }
// The partition Kafka assigns a keyed record: ToPositive(Murmur2(key)) % num_partitions (num_partitions > 0).
int32_t PartitionForKey(std::string_view key, int32_t num_partitions);

class Partitioner {
 public:
  virtual ~Partitioner() = default;
  // The partition, in [0, num_partitions), for a record of `topic` with `key` (std::nullopt: null key) whose
  // key and value take `record_bytes`. num_partitions > 0.
  virtual int32_t Partition(std::string_view topic, std::optional<std::string_view> key, size_t record_bytes,
                            int32_t num_partitions) = 0;
};

// Kafka's default: murmur2 for keys, KIP-794 sticky partitioning for null keys (moves on after
// `sticky_batch_bytes` bytes, per topic).
std::unique_ptr<Partitioner> NewDefaultPartitioner(size_t sticky_batch_bytes = 16384);
// Every record (keyed or not) to the next partition in turn, per topic (Kafka's RoundRobinPartitioner).
std::unique_ptr<Partitioner> NewRoundRobinPartitioner();

using PartitionFunction = std::function<int32_t(std::string_view topic, std::optional<std::string_view> key,
                                                int32_t num_partitions)>;
// Calls `fn`; a result outside [0, num_partitions) makes the producer fail that record with kInvalidArgument.
std::unique_ptr<Partitioner> NewFunctionPartitioner(PartitionFunction fn);

}  // namespace seglog

#endif  // SEGLOG_PARTITIONER_H_

// Producer: Kafka's producer for a Store — partitioning, batching (batch.size, linger.ms), compression, acks,
// idempotence and buffer.memory backpressure, with results delivered to a callback or a future.
//
//   SEGLOG_ASSIGN_OR_RETURN(std::unique_ptr<seglog::Producer> producer,
//                           seglog::Producer::Create(store.get(), {.acks = -1, .linger_ms = 5}));
//   SEGLOG_RETURN_IF_ERROR(producer->Send({.topic = "orders", .key = "user-1", .value = "hello"},
//                                         [](const absl::StatusOr<seglog::RecordMetadata>& md) { ...md->offset... }));
//   std::future<absl::StatusOr<seglog::RecordMetadata>> f = producer->SendAsync({.topic = "orders", .value = "x"});
//   SEGLOG_RETURN_IF_ERROR(producer->Flush());   // everything sent so far is appended (and, with acks=all, fsynced)
//   SEGLOG_RETURN_IF_ERROR(producer->Close());
//
// Send encodes the record into its partition's open batch on the calling thread (key, value and headers are
// copied, so the record's views need only live until Send returns). The producer's one sender thread
// compresses finished batches and appends them to the partitions with Partition::AppendBatches, all ready
// batches of a partition in one call, in Send order. Callbacks run on that sender thread, in order per
// partition; they must be quick and must not call Flush or Close (those then fail with kFailedPrecondition).
// A callback may Send, but there Send never waits for buffer.memory (kResourceExhausted at once if it is
// full), since only the sender thread frees it.
// See doc/design/producer.md for threading, batching, acks and idempotence.
//
// Thread safety: every method may be called from any thread at once; records sent by one thread to one
// partition are appended in the order they were sent.
#ifndef SEGLOG_PRODUCER_H_
#define SEGLOG_PRODUCER_H_

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "seglog/clock.h"
#include "seglog/compression.h"
#include "seglog/partitioner.h"
#include "seglog/record_batch.h"
#include "seglog/store.h"

namespace seglog {

namespace internal {
struct ProducerAccess;
}  // namespace internal

// Kafka's producer settings (names in comments; defaults are Kafka's unless said otherwise).
struct ProducerOptions {
  // acks: 0 or 1 — a record is done once appended (no fsync; with 0 as with 1, since an embedded append has no
  // round trip to skip); -1 ("all") — done once appended and fsynced (AppendOptions::durable).
  int acks = -1;
  // linger.ms: how long a batch that is not full waits for more records before the sender takes it (Kafka 4's
  // default, 5). With 0 the sender takes whatever has accumulated as soon as it is free: lowest latency, but
  // smaller batches and about half the throughput of 5 for small records (doc/design/producer.md). Flush()
  // sends at once whatever is lingering.
  int64_t linger_ms = 5;
  // batch.size: the most (uncompressed) bytes gathered into one batch; a larger record gets a batch of its own.
  int32_t batch_size = 16384;
  // buffer.memory: bytes of batches queued or being appended, at most.
  int64_t buffer_memory = 32 * 1024 * 1024;
  // max.block.ms: how long Send waits for buffer.memory before failing with kResourceExhausted.
  int64_t max_block_ms = 60000;
  // max.request.size: the largest record (and batch, as built: compressed) accepted.
  int32_t max_request_size = 1048576;
  // compression.type: the codec of batches of topics whose compression.type is "producer" (a topic's own
  // compression.type, when set, overrides it).
  CompressionType compression = CompressionType::kNone;
  int compression_level = kDefaultCompressionLevel;
  // enable.idempotence: a producer id (Store::AllocateProducerId) and per-partition sequence numbers in
  // every batch, so a batch appended twice is stored once.
  bool enable_idempotence = true;
  // partitioner.class: null for NewDefaultPartitioner(batch_size).
  std::shared_ptr<Partitioner> partitioner = nullptr;
  // Borrowed; null for the Store's clock. Record timestamps, linger and max.block.ms use it.
  Clock* clock = nullptr;
};

// A record to send. The views are copied during Send.
struct ProducerRecord {
  std::string_view topic;
  std::optional<int32_t> partition = std::nullopt;  // none: the partitioner chooses
  std::optional<std::string_view> key = std::nullopt;    // none: null key
  std::optional<std::string_view> value = std::nullopt;  // none: null value (a tombstone)
  int64_t timestamp = -1;                                // -1: now (the producer's clock), in ms
  absl::Span<const RecordHeader> headers = {};
};

// Where a record went.
struct RecordMetadata {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  // The record's timestamp: its CreateTime, or the append time on a LogAppendTime topic.
  int64_t timestamp = -1;
};

using SendCallback = std::function<void(const absl::StatusOr<RecordMetadata>& result)>;

class Producer {
 public:
  // A producer on `store` (borrowed; must outlive the producer), which starts its sender thread and, with
  // idempotence, reserves a producer id. kInvalidArgument naming the option for bad options; the Store's
  // error when it is read-only, closed or cannot allocate a producer id.
  static absl::StatusOr<std::unique_ptr<Producer>> Create(Store* store, const ProducerOptions& options = {});
  // Close()s (errors dropped).
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues `record` for its partition. On OK, `callback` (if any) is called exactly once, on the sender
  // thread, with the record's metadata or its append error; on an error it is never called. Errors (for this
  // record only): kNotFound for an unknown topic; kInvalidArgument for a partition out of range (or a
  // partitioner's bad answer) or a record larger than max.request.size or the topic's max.message.bytes
  // (in a batch of its own, compressed with its codec's worst case: incompressible data grows) or than
  // buffer.memory; kResourceExhausted when buffer.memory stayed full for max.block.ms, or at once when it
  // is full and Send is called from a callback (the sender thread); kFailedPrecondition
  // after Close(); with idempotence, the error that earlier failed an append to the same partition (the
  // partition is then unusable for this producer, as in Kafka).
  absl::Status Send(const ProducerRecord& record, SendCallback callback = nullptr);

  // Send with a future instead of a callback: it holds Send's own error, or the append's result.
  std::future<absl::StatusOr<RecordMetadata>> SendAsync(const ProducerRecord& record);

  // Waits until every record whose Send returned before this call is done (appended; fsynced with acks=all),
  // regardless of linger.ms. Returns the first append error, since the previous Flush, of a record sent without
  // a callback (errors of records with a callback go only to the callback). kFailedPrecondition from a
  // callback (the sender thread) or after Close().
  absl::Status Flush();

  // Flushes, stops the sender thread and refuses later Sends (kFailedPrecondition). Returns Flush's error.
  // A later call (from any thread) waits until the first has finished, then returns OK.
  absl::Status Close();

  // The producer id and epoch written in every batch (producer_id -1 without idempotence).
  ProducerIdAndEpoch producer_id() const;

 private:
  friend struct internal::ProducerAccess;
  class Impl;
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace seglog

#endif  // SEGLOG_PRODUCER_H_

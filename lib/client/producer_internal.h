// Producer::Impl: the record accumulator (per-partition queues of batches, filled on Send threads), the
// buffer.memory pool and the sender thread. Internal to seglog; doc/design/producer.md explains the design.
//
// Locks, in the order they may be taken: close_mu_ -> topics_mu_ -> PartitionQueue::mu -> pool_mu_; sender_mu_,
// mem_mu_ and done_mu_ are leaves (never held while taking another).
//
// Thread safety: Impl's public methods are Producer's and may be called from any thread; methods named
// Sender* run only on the sender thread.
#ifndef SEGLOG_LIB_CLIENT_PRODUCER_INTERNAL_H_
#define SEGLOG_LIB_CLIENT_PRODUCER_INTERNAL_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "seglog/batch_builder.h"
#include "seglog/mutex.h"
#include "seglog/partition.h"
#include "seglog/producer.h"
#include "seglog/store.h"
#include "seglog/topic.h"

namespace seglog {
namespace internal {

// Test-only hooks (set before the first Send).
struct ProducerTestHooks {
  // When set, the sender appends every pass's bytes for a partition a second time, as a retry after a lost
  // acknowledgement would, and reports the second result here (the first one completes the records).
  std::function<void(int32_t partition, const absl::StatusOr<AppendResult>& retry)> on_retry;
  // When set, called by Release with the memory lock held (after the bytes are back, before waiting Sends
  // are woken) whenever a Send is waiting for buffer.memory: lets a test act before the waiter can run.
  std::function<void()> on_release_locked;
};

// Gives tests (and nothing else) access to a Producer's internals.
struct ProducerAccess {
  static void SetTestHooks(Producer* producer, ProducerTestHooks hooks);
  // Free buffer.memory bytes.
  static int64_t AvailableMemory(Producer* producer);
};

// A record that asked for its result.
struct Completion {
  int32_t index = 0;      // in its batch
  int64_t timestamp = 0;  // its CreateTime
  SendCallback callback;
};

// One batch being filled or waiting for the sender. Recycled through Impl's pool, keeping its buffers.
struct ProducerBatch {
  BatchBuilder builder;
  std::vector<Completion> completions;  // records with a callback, in order
  int32_t records_without_callback = 0;
  int64_t created_ms = 0;  // when its first record arrived (linger.ms counts from here)
  int64_t reserved = 0;    // buffer.memory bytes it holds
  size_t limit = 0;        // close once the uncompressed size reaches this
  bool passed_over = false;  // linger.ms=0: the sender left it open once to let it fill (see SenderLoop)
};

// The accumulator of one topic partition.
struct PartitionQueue {
  std::string topic;
  int32_t index = 0;
  std::shared_ptr<Partition> partition;
  BatchBuilderOptions batch_options;  // codec, producer id and epoch (base_sequence set per batch)
  size_t batch_limit = 0;             // min(batch.size, max.message.bytes, max.request.size)
  size_t max_built = 0;               // min(max.message.bytes, max.request.size): a built batch's limit

  Mutex mu;
  std::unique_ptr<ProducerBatch> open ABSL_GUARDED_BY(mu);             // never empty when set
  std::deque<std::unique_ptr<ProducerBatch>> closed ABSL_GUARDED_BY(mu);  // full or flushed, in order
  int32_t next_sequence ABSL_GUARDED_BY(mu) = 0;
  // With idempotence, the error of a failed append: later batches would be out of sequence, so the
  // partition refuses this producer's records from then on.
  absl::Status failed ABSL_GUARDED_BY(mu);
  bool active ABSL_GUARDED_BY(mu) = false;  // the sender knows the queue has batches
  uint64_t batches_closed ABSL_GUARDED_BY(mu) = 0;
  std::atomic<uint64_t> batches_done{0};  // completed by the sender (in close order)

  // Sender thread only.
  std::vector<std::unique_ptr<ProducerBatch>> taking;
  std::string scratch;  // several batches concatenated for one AppendBatches
};

// A topic as the producer last saw it. Immutable once published, except refreshed_ms; replaced (never
// freed before the producer) when its partition count grows or the topic is recreated.
struct TopicInfo {
  std::string name;
  std::shared_ptr<Topic> topic;
  int32_t num_partitions = 0;
  int32_t max_message_bytes = 0;
  std::vector<std::shared_ptr<PartitionQueue>> queues;
  std::atomic<int64_t> refreshed_ms{0};
};

}  // namespace internal

class Producer::Impl {
 public:
  Impl(Store* store, const ProducerOptions& options, ProducerIdAndEpoch pid);
  ~Impl();

  void Start();
  absl::Status Send(const ProducerRecord& record, SendCallback callback);
  absl::Status Flush();
  absl::Status Close();
  ProducerIdAndEpoch producer_id() const { return pid_; }
  void SetTestHooks(internal::ProducerTestHooks hooks) { hooks_ = std::move(hooks); }
  int64_t available_memory() const { return mem_available_.load(); }

 private:
  using PartitionQueue = internal::PartitionQueue;
  using ProducerBatch = internal::ProducerBatch;
  using TopicInfo = internal::TopicInfo;

  // Send path (producer.cc).
  absl::StatusOr<TopicInfo*> GetTopic(std::string_view name, int64_t now_ms, bool force_refresh);
  absl::Status Enqueue(PartitionQueue* q, int64_t now_ms, int64_t timestamp, const ProducerRecord& record,
                       size_t record_bytes, SendCallback callback);
  void CloseOpenLocked(PartitionQueue* q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->mu);
  absl::Status FlushInternal();
  std::unique_ptr<ProducerBatch> AcquireBatch();
  void RecycleBatch(std::unique_ptr<ProducerBatch> batch);
  // buffer.memory: blocks up to max.block.ms; kResourceExhausted when it stays full. On the sender thread
  // (a Send from a callback) it never blocks: kResourceExhausted at once when the bytes are not free.
  absl::Status Reserve(int64_t bytes);
  bool TryReserve(int64_t bytes);
  void Release(int64_t bytes);
  // Tells the sender about a queue that has just got a batch.
  void Activate(PartitionQueue* q);
  void Wake();
  std::vector<PartitionQueue*> AllQueues();

  // Sender (producer_sender.cc).
  void SenderLoop();
  // Appends (or fails) the batches taken for `q` (q->taking) and completes their records.
  void SenderProcess(PartitionQueue* q);
  // Completes q->taking[begin, end), appended together with `result`, and recycles them.
  void SenderComplete(PartitionQueue* q, size_t begin, size_t end, const absl::StatusOr<AppendResult>& result);

  Store* const store_;
  const ProducerOptions options_;
  Clock* const clock_;
  const std::shared_ptr<Partitioner> partitioner_;
  const ProducerIdAndEpoch pid_;
  internal::ProducerTestHooks hooks_;

  std::atomic<bool> closed_{false};
  Mutex close_mu_;  // held for the whole of Close, so a second Close waits for the first

  Mutex topics_mu_;
  std::map<std::string, TopicInfo*, std::less<>> topics_ ABSL_GUARDED_BY(topics_mu_);
  std::vector<std::unique_ptr<TopicInfo>> topic_infos_ ABSL_GUARDED_BY(topics_mu_);  // every one ever made
  std::vector<std::shared_ptr<PartitionQueue>> all_queues_ ABSL_GUARDED_BY(topics_mu_);

  Mutex pool_mu_;
  std::vector<std::unique_ptr<ProducerBatch>> pool_ ABSL_GUARDED_BY(pool_mu_);

  // buffer.memory: free bytes, taken with a compare-and-swap; Sends that must wait do so under mem_mu_.
  std::atomic<int64_t> mem_available_;
  std::atomic<int> mem_waiters_{0};
  Mutex mem_mu_;
  CondVar mem_cv_;

  Mutex sender_mu_;
  CondVar sender_cv_;
  std::vector<PartitionQueue*> activations_ ABSL_GUARDED_BY(sender_mu_);
  bool wake_ ABSL_GUARDED_BY(sender_mu_) = false;
  bool stop_ ABSL_GUARDED_BY(sender_mu_) = false;
  std::atomic<bool> sender_idle_{false};  // the sender may be about to wait: Sends making work ready wake it
  std::thread sender_;
  std::atomic<std::thread::id> sender_id_{};

  Mutex done_mu_;
  CondVar done_cv_;
  std::atomic<int> flush_waiters_{0};
  absl::Status unreported_error_ ABSL_GUARDED_BY(done_mu_);  // first error of a callback-less record
};

}  // namespace seglog

#endif  // SEGLOG_LIB_CLIENT_PRODUCER_INTERNAL_H_

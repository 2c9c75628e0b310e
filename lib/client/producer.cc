// Producer: creation, the Send path (record accumulator), buffer.memory, Flush and Close. The sender thread
// is in producer_sender.cc.
#include "seglog/producer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/producer_internal.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace seglog {
namespace {

using internal::Sv;

// How old a topic's cached partition count may get before Send looks again (Kafka's metadata.max.age.ms,
// shortened: looking is cheap here).
constexpr int64_t kTopicRefreshMs = 1000;

absl::Status ValidateOptions(const ProducerOptions& o) {
  if (o.acks != 0 && o.acks != 1 && o.acks != -1) {
    return absl::InvalidArgumentError(absl::StrCat("acks must be 0, 1 or -1 (all), got ", o.acks));
  }
  if (o.linger_ms < 0) return absl::InvalidArgumentError(absl::StrCat("linger.ms must be >= 0, got ", o.linger_ms));
  if (o.batch_size < 0) {
    return absl::InvalidArgumentError(absl::StrCat("batch.size must be >= 0, got ", o.batch_size));
  }
  if (o.buffer_memory <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("buffer.memory must be > 0, got ", o.buffer_memory));
  }
  if (o.max_block_ms < 0) {
    return absl::InvalidArgumentError(absl::StrCat("max.block.ms must be >= 0, got ", o.max_block_ms));
  }
  if (o.max_request_size <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("max.request.size must be > 0, got ", o.max_request_size));
  }
  if (static_cast<int>(o.compression) < 0 || static_cast<int>(o.compression) > 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("compression.type: unknown codec id ", static_cast<int>(o.compression)));
  }
  return absl::OkStatus();
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Producer

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(Store* store, const ProducerOptions& options) {
  if (store == nullptr) return absl::InvalidArgumentError("Producer::Create: store is null");
  RETURN_IF_ERROR(ValidateOptions(options));
  if (store->read_only()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot produce to store ", store->dir(), ": it is open read-only"));
  }
  ProducerIdAndEpoch pid;
  if (options.enable_idempotence) {
    ASSIGN_OR_RETURN(pid, store->AllocateProducerId());
  }
  auto impl = std::make_unique<Impl>(store, options, pid);
  impl->Start();
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Producer::~Producer() { impl_->Close().IgnoreError(); }

absl::Status Producer::Send(const ProducerRecord& record, SendCallback callback) {
  return impl_->Send(record, std::move(callback));
}

std::future<absl::StatusOr<RecordMetadata>> Producer::SendAsync(const ProducerRecord& record) {
  auto promise = std::make_shared<std::promise<absl::StatusOr<RecordMetadata>>>();
  std::future<absl::StatusOr<RecordMetadata>> future = promise->get_future();
  absl::Status status =
      impl_->Send(record, [promise](const absl::StatusOr<RecordMetadata>& result) { promise->set_value(result); });
  if (!status.ok()) promise->set_value(std::move(status));
  return future;
}

absl::Status Producer::Flush() { return impl_->Flush(); }
absl::Status Producer::Close() { return impl_->Close(); }
ProducerIdAndEpoch Producer::producer_id() const { return impl_->producer_id(); }

void internal::ProducerAccess::SetTestHooks(Producer* producer, ProducerTestHooks hooks) {
  producer->impl_->SetTestHooks(std::move(hooks));
}

int64_t internal::ProducerAccess::AvailableMemory(Producer* producer) { return producer->impl_->available_memory(); }

// ---------------------------------------------------------------------------------------------------------
// Impl: setup and teardown

Producer::Impl::Impl(Store* store, const ProducerOptions& options, ProducerIdAndEpoch pid)
    : store_(store),
      options_(options),
      clock_(options.clock != nullptr ? options.clock : store->clock()),
      partitioner_(options.partitioner != nullptr
                       ? options.partitioner
                       : std::shared_ptr<Partitioner>(NewDefaultPartitioner(
                             static_cast<size_t>(std::max<int32_t>(options.batch_size, 1))))),
      pid_(pid),
      mem_available_(options.buffer_memory) {}

Producer::Impl::~Impl() {
  Close().IgnoreError();
}

void Producer::Impl::Start() {
  sender_ = std::thread([this] { SenderLoop(); });
}

absl::Status Producer::Impl::Close() {
  if (sender_id_.load() == std::this_thread::get_id()) {
    return absl::FailedPreconditionError("Producer::Close called from a send callback (the sender thread)");
  }
  // A later Close (from another thread) waits here until the first has flushed and stopped the sender.
  MutexLock close_lock(&close_mu_);
  if (closed_.exchange(true, std::memory_order_acq_rel)) return absl::OkStatus();
  // A barrier: a Send that was appending to a queue has finished; later ones see closed_ under the queue lock.
  for (PartitionQueue* q : AllQueues()) {
    MutexLock lock(&q->mu);
  }
  {
    MutexLock lock(&mem_mu_);
    mem_cv_.SignalAll();
  }
  absl::Status status = FlushInternal();
  {
    MutexLock lock(&sender_mu_);
    stop_ = true;
    sender_cv_.Signal();
  }
  if (sender_.joinable()) sender_.join();
  return status;
}

std::vector<internal::PartitionQueue*> Producer::Impl::AllQueues() {
  MutexLock lock(&topics_mu_);
  std::vector<PartitionQueue*> queues;
  queues.reserve(all_queues_.size());
  for (const auto& q : all_queues_) queues.push_back(q.get());
  return queues;
}

// ---------------------------------------------------------------------------------------------------------
// Send

absl::StatusOr<internal::TopicInfo*> Producer::Impl::GetTopic(std::string_view name, int64_t now_ms,
                                                              bool force_refresh) {
  if (!force_refresh) {
    MutexLock lock(&topics_mu_);
    auto it = topics_.find(name);
    if (it != topics_.end()) {
      TopicInfo* t = it->second;
      if (!t->topic->deleted() && now_ms - t->refreshed_ms.load(std::memory_order_relaxed) < kTopicRefreshMs) {
        return t;
      }
    }
  }
  ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic, store_->GetTopic(name));
  const int32_t n = topic->num_partitions();
  MutexLock lock(&topics_mu_);
  auto it = topics_.find(name);
  TopicInfo* old = it == topics_.end() ? nullptr : it->second;
  if (old != nullptr && old->topic == topic && old->num_partitions == n) {
    old->refreshed_ms.store(now_ms, std::memory_order_relaxed);
    return old;
  }
  auto info = std::make_unique<TopicInfo>();
  info->name = std::string(name);
  info->topic = topic;
  info->num_partitions = n;
  info->max_message_bytes = topic->config().max_message_bytes;
  info->refreshed_ms.store(now_ms, std::memory_order_relaxed);
  if (old != nullptr && old->topic == topic) info->queues = old->queues;  // partitions only ever grow
  BatchBuilderOptions batch_options;
  batch_options.compression = topic->config().compression.value_or(options_.compression);
  batch_options.compression_level = options_.compression_level;
  if (options_.enable_idempotence) {
    batch_options.producer_id = pid_.producer_id;
    batch_options.producer_epoch = pid_.epoch;
  }
  const size_t limit = static_cast<size_t>(
      std::max<int64_t>(1, std::min<int64_t>({options_.batch_size, info->max_message_bytes, options_.max_request_size})));
  const size_t max_built =
      static_cast<size_t>(std::max<int64_t>(1, std::min<int64_t>(info->max_message_bytes, options_.max_request_size)));
  for (int32_t p = static_cast<int32_t>(info->queues.size()); p < n; ++p) {
    auto q = std::make_shared<PartitionQueue>();
    q->topic = info->name;
    q->index = p;
    q->partition = topic->partition(p);
    if (q->partition == nullptr) {
      return absl::NotFoundError(absl::StrCat("topic ", Sv(name), " has no partition ", p, " any more"));
    }
    q->batch_options = batch_options;
    q->batch_limit = limit;
    q->max_built = max_built;
    info->queues.push_back(q);
    all_queues_.push_back(std::move(q));
  }
  TopicInfo* result = info.get();
  topics_[info->name] = result;
  topic_infos_.push_back(std::move(info));
  return result;
}

absl::Status Producer::Impl::Send(const ProducerRecord& record, SendCallback callback) {
  if (closed_.load(std::memory_order_acquire)) {
    return absl::FailedPreconditionError("cannot send: the producer is closed");
  }
  if (record.timestamp < -1) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid timestamp ", record.timestamp, " for a record of topic ", Sv(record.topic),
                     " (must be >= 0, or -1 for now)"));
  }
  const int64_t now_ms = clock_->NowMillis();
  ASSIGN_OR_RETURN(TopicInfo * topic, GetTopic(record.topic, now_ms, /*force_refresh=*/false));
  int32_t p;
  if (record.partition.has_value()) {
    p = *record.partition;
    if (p >= topic->num_partitions) {  // it may have grown
      ASSIGN_OR_RETURN(topic, GetTopic(record.topic, now_ms, /*force_refresh=*/true));
    }
    if (p < 0 || p >= topic->num_partitions) {
      return absl::InvalidArgumentError(absl::StrCat("partition ", p, " of topic ", Sv(record.topic),
                                                     " is not in [0, ", topic->num_partitions, ")"));
    }
  } else {
    const size_t kv_bytes = (record.key ? record.key->size() : 0) + (record.value ? record.value->size() : 0);
    p = partitioner_->Partition(topic->name, record.key, kv_bytes, topic->num_partitions);
    if (p < 0 || p >= topic->num_partitions) {
      return absl::InvalidArgumentError(absl::StrCat("the partitioner chose partition ", p, " of topic ",
                                                     Sv(record.topic), ", not in [0, ", topic->num_partitions, ")"));
    }
  }
  PartitionQueue* q = topic->queues[static_cast<size_t>(p)].get();
  const int64_t record_bound = BatchBuilder::RecordSizeUpperBound(
      Record{.key = record.key, .value = record.value, .headers = record.headers});
  if (record_bound < 0) {
    return absl::InvalidArgumentError(absl::StrCat("record for ", Sv(record.topic), "-", p,
                                                   " is larger than a Kafka record can be (2^31-1 bytes)"));
  }
  const auto record_bytes = static_cast<size_t>(record_bound);
  const int64_t batch_bytes = static_cast<int64_t>(record_bytes + batch_format::kHeaderSize);
  // The size limits apply to the built batch, which compression can make larger than the records
  // (incompressible data plus the codec's framing): check the codec's worst case.
  const CompressionType codec = q->batch_options.compression;
  const int64_t built_bytes =
      static_cast<int64_t>(BatchBuilder::MaxBuiltSize(codec, static_cast<size_t>(batch_bytes)));
  if (built_bytes > options_.max_request_size || built_bytes > topic->max_message_bytes ||
      batch_bytes > options_.buffer_memory) {
    const char* limit_name = built_bytes > options_.max_request_size ? "max.request.size"
                             : built_bytes > topic->max_message_bytes ? "the topic's max.message.bytes"
                                                                      : "buffer.memory";
    const int64_t limit = built_bytes > options_.max_request_size ? options_.max_request_size
                          : built_bytes > topic->max_message_bytes ? topic->max_message_bytes
                                                                   : options_.buffer_memory;
    const bool size_limit = built_bytes > options_.max_request_size || built_bytes > topic->max_message_bytes;
    const std::string compressed =
        built_bytes > batch_bytes && size_limit
            ? absl::StrCat(", up to ", built_bytes, " once compressed with ", Sv(CompressionTypeName(codec)))
            : std::string();
    return absl::InvalidArgumentError(absl::StrCat("record of ", batch_bytes, " bytes (in its batch", compressed,
                                                   ") for ", Sv(record.topic), "-", p, " is larger than ",
                                                   limit_name, " (", limit, ")"));
  }
  const int64_t timestamp = record.timestamp >= 0 ? record.timestamp : now_ms;
  return Enqueue(q, now_ms, timestamp, record, record_bytes, std::move(callback));
}

absl::Status Producer::Impl::Enqueue(PartitionQueue* q, int64_t now_ms, int64_t timestamp,
                                     const ProducerRecord& record, size_t record_bytes, SendCallback callback) {
  int64_t reservation = 0;  // buffer.memory held for a batch this call opens
  bool wake = false;        // made work ready (kept across a wait for memory: a closed batch stays ready)
  for (;;) {
    bool activate = false;
    bool need_memory = false;
    absl::Status status;
    {
      MutexLock lock(&q->mu);
      if (closed_.load(std::memory_order_acquire)) {
        status = absl::FailedPreconditionError("cannot send: the producer is closed");
      } else if (!q->failed.ok()) {
        status = q->failed;
      } else {
        // Close the open batch when the record would take it past its limit, or could take its built
        // (compressed) size past max.message.bytes / max.request.size.
        const size_t grown = q->open != nullptr ? q->open->builder.uncompressed_size() + record_bytes : 0;
        if (q->open != nullptr &&
            (grown > q->open->limit || BatchBuilder::MaxBuiltSize(q->batch_options.compression, grown) > q->max_built)) {
          CloseOpenLocked(q);
          wake = true;
        }
        if (q->open == nullptr && reservation == 0) {
          need_memory = true;
        } else {
          bool opened = false;
          if (q->open == nullptr) {
            std::unique_ptr<ProducerBatch> batch = AcquireBatch();
            BatchBuilderOptions options = q->batch_options;
            if (options.producer_id >= 0) options.base_sequence = q->next_sequence;
            batch->builder.Reset(options);
            batch->created_ms = now_ms;
            batch->reserved = std::exchange(reservation, 0);
            batch->limit = q->batch_limit;
            batch->passed_over = false;
            q->open = std::move(batch);
            opened = true;
            if (!q->active) {
              q->active = true;
              activate = true;
            }
          }
          ProducerBatch* b = q->open.get();
          status = b->builder.Append(timestamp, record.key, record.value, record.headers);
          if (!status.ok()) {
            if (opened) {  // never leave an empty open batch
              reservation = b->reserved;
              RecycleBatch(std::move(q->open));
            }
          } else {
            if (callback) {
              b->completions.push_back({b->builder.num_records() - 1, timestamp, std::move(callback)});
            } else {
              ++b->records_without_callback;
            }
            if (b->builder.uncompressed_size() >= b->limit) {
              CloseOpenLocked(q);
              wake = true;
            } else if (options_.linger_ms == 0) {
              wake = true;
            }
          }
        }
      }
    }
    if (need_memory) {
      const int64_t want = std::max<int64_t>(static_cast<int64_t>(record_bytes + batch_format::kHeaderSize),
                                             std::min<int64_t>(static_cast<int64_t>(q->batch_limit),
                                                               options_.buffer_memory));
      if (wake && sender_idle_.load()) {  // the batch closed above is ready whatever Reserve does
        Wake();
        wake = false;
      }
      RETURN_IF_ERROR(Reserve(want));
      reservation = want;
      continue;
    }
    if (reservation != 0) Release(reservation);
    if (activate) {
      Activate(q);
    } else if (wake && sender_idle_.load()) {
      Wake();
    }
    return status;
  }
}

void Producer::Impl::CloseOpenLocked(PartitionQueue* q) {
  if (q->open == nullptr) return;
  if (q->batch_options.producer_id >= 0) {
    q->next_sequence = IncrementSequence(q->next_sequence, q->open->builder.num_records());
  }
  q->closed.push_back(std::move(q->open));
  ++q->batches_closed;
}

std::unique_ptr<internal::ProducerBatch> Producer::Impl::AcquireBatch() {
  {
    MutexLock lock(&pool_mu_);
    if (!pool_.empty()) {
      std::unique_ptr<ProducerBatch> batch = std::move(pool_.back());
      pool_.pop_back();
      return batch;
    }
  }
  return std::make_unique<ProducerBatch>();
}

void Producer::Impl::RecycleBatch(std::unique_ptr<ProducerBatch> batch) {
  batch->completions.clear();
  batch->records_without_callback = 0;
  batch->reserved = 0;
  MutexLock lock(&pool_mu_);
  pool_.push_back(std::move(batch));
}

bool Producer::Impl::TryReserve(int64_t bytes) {
  // seq_cst (like mem_waiters_): a waiter's increment of mem_waiters_ then this load, against Release's
  // increment of mem_available_ then its load of mem_waiters_, must not both miss the other's write.
  int64_t available = mem_available_.load();
  while (available >= bytes) {
    if (mem_available_.compare_exchange_weak(available, available - bytes)) return true;
  }
  return false;
}

absl::Status Producer::Impl::Reserve(int64_t bytes) {
  if (TryReserve(bytes)) return absl::OkStatus();
  if (sender_id_.load() == std::this_thread::get_id()) {
    // A Send from a callback: only the sender frees memory, so waiting would wait for ourselves.
    return absl::ResourceExhaustedError(absl::StrCat(
        "buffer.memory (", options_.buffer_memory, " bytes) is full and a Send from a callback (the sender "
        "thread) cannot wait for it: ", bytes, " bytes needed, ", mem_available_.load(), " free"));
  }
  const absl::Time deadline = clock_->Now() + absl::Milliseconds(options_.max_block_ms);
  mem_waiters_.fetch_add(1);  // before the checks below: a Release after it signals us
  // While a Send waits for memory the sender treats lingering batches as ready (as Kafka's accumulator does
  // when memory is exhausted), so the memory they hold comes back without waiting out linger.ms.
  Wake();
  absl::Status status;
  {
    MutexLock lock(&mem_mu_);
    for (;;) {  // exactly one successful TryReserve ends the loop with an OK status
      if (TryReserve(bytes)) break;
      if (closed_.load(std::memory_order_acquire)) {
        status =
            absl::FailedPreconditionError("cannot send: the producer was closed while Send waited for buffer.memory");
        break;
      }
      if (clock_->WaitWithDeadline(&mem_cv_, &mem_mu_, deadline)) {  // max.block.ms has passed
        if (TryReserve(bytes)) break;
        status = absl::ResourceExhaustedError(absl::StrCat(
            "buffer.memory (", options_.buffer_memory, " bytes) stayed full for max.block.ms (",
            options_.max_block_ms, " ms): ", bytes, " bytes needed, ", mem_available_.load(), " free"));
        break;
      }
    }
  }
  mem_waiters_.fetch_sub(1);
  return status;
}

void Producer::Impl::Release(int64_t bytes) {
  mem_available_.fetch_add(bytes);
  if (mem_waiters_.load() > 0) {
    MutexLock lock(&mem_mu_);
    if (hooks_.on_release_locked) hooks_.on_release_locked();
    mem_cv_.SignalAll();
  }
}

void Producer::Impl::Activate(PartitionQueue* q) {
  MutexLock lock(&sender_mu_);
  activations_.push_back(q);
  sender_cv_.Signal();
}

void Producer::Impl::Wake() {
  MutexLock lock(&sender_mu_);
  wake_ = true;
  sender_cv_.Signal();
}

// ---------------------------------------------------------------------------------------------------------
// Flush

absl::Status Producer::Impl::Flush() {
  if (closed_.load(std::memory_order_acquire)) {
    return absl::FailedPreconditionError("cannot flush: the producer is closed");
  }
  return FlushInternal();
}

absl::Status Producer::Impl::FlushInternal() {
  if (sender_id_.load() == std::this_thread::get_id()) {
    return absl::FailedPreconditionError("Producer::Flush called from a send callback (the sender thread)");
  }
  // Close every open batch (so linger.ms no longer applies to it) and note how many batches of each queue
  // must be done.
  std::vector<std::pair<PartitionQueue*, uint64_t>> targets;
  for (PartitionQueue* q : AllQueues()) {
    MutexLock lock(&q->mu);
    CloseOpenLocked(q);
    if (q->batches_done.load() < q->batches_closed) {
      targets.emplace_back(q, q->batches_closed);
    }
  }
  if (!targets.empty()) Wake();
  MutexLock lock(&done_mu_);
  flush_waiters_.fetch_add(1);
  auto done = [&targets] {
    for (const auto& [q, target] : targets) {
      // seq_cst, like flush_waiters_: pairs with the sender's increment then load of flush_waiters_.
      if (q->batches_done.load() < target) return false;
    }
    return true;
  };
  while (!done()) done_cv_.Wait(&done_mu_);
  flush_waiters_.fetch_sub(1);
  return std::exchange(unreported_error_, absl::OkStatus());
}

}  // namespace seglog

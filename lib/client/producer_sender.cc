// Producer's sender thread: takes ready batches from the partition queues, compresses them (BatchBuilder::
// Build), appends each partition's batches with one Partition::AppendBatches call per max.request.size of
// bytes, and completes their records' callbacks in order.
#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/producer_internal.h"
#include "util/strings.h"

namespace seglog {

void Producer::Impl::SenderLoop() {
  sender_id_.store(std::this_thread::get_id());
  std::vector<PartitionQueue*> active;  // queues with an open or closed batch
  std::vector<PartitionQueue*> ready;   // queues this pass moved closed batches to `taking` for (SenderProcess)
  bool idle = false;
  for (;;) {
    bool stop;
    {
      MutexLock lock(&sender_mu_);
      active.insert(active.end(), activations_.begin(), activations_.end());
      activations_.clear();
      wake_ = false;
      stop = stop_;
    }
    int64_t deadline_ms = std::numeric_limits<int64_t>::max();
    ready.clear();
    const int64_t now_ms = clock_->NowMillis();
    // A batch is ready when it is closed (full or flushed) or its linger.ms has passed. With linger.ms=0 an
    // open batch is ready at once when the sender has nothing else to do; when the sender is busy with other
    // batches it is passed over once, to fill while they are appended (batching under load without a timer:
    // it waits at most one pass).
    // While a Send waits for buffer.memory every open batch is ready: the memory it holds is needed now.
    bool open_left = false;
    const bool memory_wanted = mem_waiters_.load() > 0;
    for (size_t i = 0, kept = 0; i < active.size(); ++i) {
      PartitionQueue* q = active[i];
      bool keep = false;
      {
        MutexLock lock(&q->mu);
        if (q->open != nullptr) {
          ProducerBatch* open = q->open.get();
          if (stop || memory_wanted || (options_.linger_ms == 0 ? open->passed_over
                                               : now_ms - open->created_ms >= options_.linger_ms)) {
            CloseOpenLocked(q);
          } else {
            open->passed_over = true;
          }
        }
        for (auto& batch : q->closed) q->taking.push_back(std::move(batch));
        q->closed.clear();
        if (q->open != nullptr) {
          keep = true;
          open_left = true;
          deadline_ms = std::min(deadline_ms, q->open->created_ms + options_.linger_ms);
        } else {
          q->active = false;
        }
      }
      if (!q->taking.empty()) ready.push_back(q);
      if (keep) active[kept++] = q;
      if (i + 1 == active.size()) active.resize(kept);
    }
    if (ready.empty() && open_left && options_.linger_ms == 0) continue;  // nothing else to do: take them now
    if (!ready.empty()) {
      for (PartitionQueue* q : ready) SenderProcess(q);
      if (idle) {
        idle = false;
        sender_idle_.store(false);
      }
      continue;
    }
    if (stop && active.empty()) break;
    if (!idle) {
      // Announce that we may wait, then look once more: a Send that made a batch ready after our look saw
      // the announcement and wakes us.
      idle = true;
      sender_idle_.store(true);
      continue;
    }
    {
      MutexLock lock(&sender_mu_);
      while (!wake_ && !stop_ && activations_.empty()) {
        if (deadline_ms == std::numeric_limits<int64_t>::max()) {
          sender_cv_.Wait(&sender_mu_);
        } else if (clock_->WaitWithDeadline(&sender_cv_, &sender_mu_, absl::FromUnixMillis(deadline_ms))) {
          break;
        }
      }
    }
    idle = false;
    sender_idle_.store(false);
  }
}

void Producer::Impl::SenderProcess(PartitionQueue* q) {
  std::vector<std::unique_ptr<ProducerBatch>>& batches = q->taking;
  const AppendOptions append_options{.durable = options_.acks == -1};
  const bool idempotent = q->batch_options.producer_id >= 0;
  size_t begin = 0;
  while (begin < batches.size()) {
    absl::Status failed;
    {
      MutexLock lock(&q->mu);
      failed = q->failed;
    }
    absl::StatusOr<AppendResult> result = AppendResult{};
    size_t end = begin + 1;
    if (!failed.ok()) {
      result = failed;
    } else {
      // One call for as many batches as fit in max.request.size (at least one).
      std::string_view bytes;
      absl::StatusOr<std::string_view> built = batches[begin]->builder.Build();
      if (built.ok() && built->size() > q->max_built) {
        // Cannot happen: Send and the batch limit allow for the codec's worst case (MaxBuiltSize).
        built = absl::InvalidArgumentError(
            absl::StrCat("a batch of ", batches[begin]->builder.num_records(), " records for ", q->topic, "-",
                         q->index, " is ", built->size(), " bytes once compressed, more than ", q->max_built,
                         " (max.message.bytes or max.request.size)"));
      }
      if (built.ok()) {
        bytes = *built;
        size_t total = bytes.size();
        bool concatenated = false;
        while (end < batches.size()) {
          absl::StatusOr<std::string_view> next = batches[end]->builder.Build();
          if (!next.ok() || total + next->size() > static_cast<size_t>(options_.max_request_size)) break;
          if (!concatenated) {
            q->scratch.assign(bytes.data(), bytes.size());
            concatenated = true;
          }
          q->scratch.append(next->data(), next->size());
          total += next->size();
          ++end;
        }
        if (concatenated) bytes = q->scratch;
        result = q->partition->AppendBatches(bytes, append_options);
        if (hooks_.on_retry && result.ok()) hooks_.on_retry(q->index, q->partition->AppendBatches(bytes, append_options));
      } else {
        result = built.status();
      }
      if (!result.ok() && idempotent) {
        MutexLock lock(&q->mu);
        if (q->failed.ok()) {
          q->failed = absl::Status(result.status().code(),
                                   absl::StrCat("an append of this producer to ", q->topic, "-", q->index,
                                                " failed, so its later records cannot keep their order: ",
                                                result.status().message()));
        }
      }
    }
    SenderComplete(q, begin, end, result);
    begin = end;
  }
  batches.clear();
  if (q->scratch.capacity() > 4 * static_cast<size_t>(options_.max_request_size)) std::string().swap(q->scratch);
}

void Producer::Impl::SenderComplete(PartitionQueue* q, size_t begin, size_t end,
                                    const absl::StatusOr<AppendResult>& result) {
  int64_t released = 0;
  bool unreported = false;
  absl::StatusOr<RecordMetadata> metadata = RecordMetadata{.topic = q->topic, .partition = q->index};
  int64_t offset = 0;
  int64_t log_append_time = -1;
  if (!result.ok()) {
    metadata = result.status();
  } else {
    offset = result->base_offset;
    log_append_time = result->log_append_time;
  }
  // Memory first: a callback may Send, and on this thread a Send cannot wait for memory.
  for (size_t i = begin; i < end; ++i) released += q->taking[i]->reserved;
  Release(released);
  for (size_t i = begin; i < end; ++i) {
    std::unique_ptr<ProducerBatch>& batch = q->taking[i];
    for (internal::Completion& c : batch->completions) {
      if (metadata.ok()) {
        metadata->offset = offset + c.index;
        metadata->timestamp = log_append_time >= 0 ? log_append_time : c.timestamp;
      }
      c.callback(metadata);
    }
    if (!result.ok() && batch->records_without_callback > 0) unreported = true;
    offset += batch->builder.num_records();
    RecycleBatch(std::move(batch));
  }
  q->batches_done.fetch_add(end - begin);
  if (unreported) {
    MutexLock lock(&done_mu_);
    if (unreported_error_.ok()) unreported_error_ = result.status();
  }
  if (flush_waiters_.load() > 0) {
    MutexLock lock(&done_mu_);
    done_cv_.SignalAll();
  }
}

}  // namespace seglog

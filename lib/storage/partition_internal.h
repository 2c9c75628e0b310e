// Partition::Impl's private pieces shared by its source files (partition_impl.h lists them): the immutable
// segment-list snapshot, the pool of batch builders, a prepared append and the data-listener notifier.
//
// Thread safety: a SegmentList is immutable once published; BuilderPool is thread-safe.
#ifndef SEGLOG_LIB_STORAGE_PARTITION_INTERNAL_H_
#define SEGLOG_LIB_STORAGE_PARTITION_INTERNAL_H_

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "seglog/batch_builder.h"
#include "seglog/mutex.h"
#include "seglog/partition.h"
#include "seglog/segment.h"
#include "storage/partition_impl.h"
#include "storage/producer_state.h"

namespace seglog {

// The segments of a partition, oldest first; the last is the active one. Never empty once opened.
struct Partition::Impl::SegmentList {
  std::vector<std::shared_ptr<Segment>> segments;

  // The index of the segment that would hold `offset`: the last whose base offset is <= offset (0 when
  // offset is below every base offset).
  size_t Floor(int64_t offset) const {
    auto it = std::upper_bound(segments.begin(), segments.end(), offset,
                               [](int64_t o, const std::shared_ptr<Segment>& s) { return o < s->base_offset(); });
    return it == segments.begin() ? 0 : static_cast<size_t>(it - segments.begin()) - 1;
  }
  const std::shared_ptr<Segment>& active() const { return segments.back(); }
};

// Reusable batch builders, so an append allocates nothing once warm.
class Partition::Impl::BuilderPool {
 public:
  std::unique_ptr<BatchBuilder> Take() {
    MutexLock lock(&mu_);
    if (free_.empty()) return std::make_unique<BatchBuilder>();
    std::unique_ptr<BatchBuilder> b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  void Return(std::unique_ptr<BatchBuilder> b) {
    MutexLock lock(&mu_);
    if (free_.size() < kMaxPooled) free_.push_back(std::move(b));
  }

 private:
  static constexpr size_t kMaxPooled = 16;
  Mutex mu_;
  std::vector<std::unique_ptr<BatchBuilder>> free_ ABSL_GUARDED_BY(mu_);
};

// Batches ready to be given offsets: `data` holds whole batches (base offsets still to be set).
struct Partition::Impl::PendingAppend {
  struct Batch {
    size_t position = 0;
    int32_t last_offset_delta = 0;
    int64_t max_timestamp = -1;
    internal::ProducerBatchId producer;  // not idempotent unless AppendBatches found it so
  };
  char* data = nullptr;
  size_t size = 0;
  absl::InlinedVector<Batch, 1> batches;
  int64_t records = 0;
  int64_t log_append_time = -1;
  int64_t now_ms = 0;        // the clock when the append began (one read per append)
  bool idempotent = false;   // some batch is idempotent: the producer state checks it
};

// Calls the data listeners, when the high watermark moved, as it goes out of scope. Declared before the
// MutexLock of a method that may move the high watermark, so it runs after the append mutex is released.
class Partition::Impl::DataListenerNotifier {
 public:
  explicit DataListenerNotifier(Partition::Impl* p) : p_(p) {}
  ~DataListenerNotifier() {
    if (p_->high_watermark_moved_.load(std::memory_order_seq_cst) && p_->high_watermark_moved_.exchange(false)) {
      p_->NotifyDataListeners();
    }
  }
  DataListenerNotifier(const DataListenerNotifier&) = delete;
  DataListenerNotifier& operator=(const DataListenerNotifier&) = delete;

 private:
  Partition::Impl* const p_;
};

}  // namespace seglog

#endif  // SEGLOG_LIB_STORAGE_PARTITION_INTERNAL_H_

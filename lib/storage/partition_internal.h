// Partition's private pieces shared by its source files (partition.cc, partition_open.cc,
// partition_retention.cc): the immutable segment-list snapshot and the pool of batch builders.
//
// Thread safety: a SegmentList is immutable once published; BuilderPool is thread-safe.
#ifndef SEGLOG_LIB_STORAGE_PARTITION_INTERNAL_H_
#define SEGLOG_LIB_STORAGE_PARTITION_INTERNAL_H_

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "seglog/batch_builder.h"
#include "seglog/partition.h"
#include "seglog/segment.h"

namespace seglog {

// The segments of a partition, oldest first; the last is the active one. Never empty once opened.
struct Partition::SegmentList {
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
class Partition::BuilderPool {
 public:
  std::unique_ptr<BatchBuilder> Take() {
    absl::MutexLock lock(&mu_);
    if (free_.empty()) return std::make_unique<BatchBuilder>();
    std::unique_ptr<BatchBuilder> b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  void Return(std::unique_ptr<BatchBuilder> b) {
    absl::MutexLock lock(&mu_);
    if (free_.size() < kMaxPooled) free_.push_back(std::move(b));
  }

 private:
  static constexpr size_t kMaxPooled = 16;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<BatchBuilder>> free_ ABSL_GUARDED_BY(mu_);
};

}  // namespace seglog

#endif  // SEGLOG_LIB_STORAGE_PARTITION_INTERNAL_H_

// LatencyHistogram (see latency_histogram.h).
#include "latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace seglog_perf {

LatencyHistogram::LatencyHistogram() : counts_(kBuckets, 0) {}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t b = 0; b < kBuckets; ++b) counts_[b] += other.counts_[b];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

uint64_t LatencyHistogram::BucketLower(size_t b) {
  if (b < 2 * kSubCount) return b;
  const size_t shift = b / kSubCount - 1;
  return static_cast<uint64_t>(b - shift * kSubCount) << shift;
}

uint64_t LatencyHistogram::BucketWidth(size_t b) {
  if (b < 2 * kSubCount) return 1;
  return uint64_t{1} << (b / kSubCount - 1);
}

double LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  if (q <= 0) return static_cast<double>(min_);
  if (q >= 1) return static_cast<double>(max_);
  const int64_t rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * static_cast<double>(count_))));
  int64_t seen = 0;
  for (size_t b = 0; b < kBuckets; ++b) {
    seen += counts_[b];
    if (seen >= rank) {
      // The middle of the bucket; an exact bucket (width 1) gives its value.
      const double mid = static_cast<double>(BucketLower(b)) + static_cast<double>(BucketWidth(b) - 1) / 2.0;
      return std::clamp(mid, static_cast<double>(min_), static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);
}

}  // namespace seglog_perf

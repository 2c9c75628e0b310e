// LatencyHistogram: a log-linear histogram of non-negative durations in nanoseconds, in the spirit of
// HdrHistogram, for seglog-perf's latency percentiles.
//
//   seglog_perf::LatencyHistogram h;
//   h.Record(elapsed_ns);                 // O(1), no allocation
//   total.Merge(h);                       // histograms of several threads combine exactly
//   double p99_ms = total.Percentile(0.99) / 1e6;
//
// Layout: values below 256 ns each have a bucket of their own; above, every power of two [2^e, 2^(e+1)) is
// split into 128 equal buckets, so a bucket is at most 1/128 (0.8%) of its lower bound wide. Percentile
// reports the middle of the bucket the rank falls in (error <= 0.4%), clamped to the exact min and max,
// which are kept beside the buckets together with the exact count and sum (for the mean). Every int64 value
// >= 0 fits (7,424 buckets, 58 KiB): nanoseconds to centuries.
//
// Thread safety: none. One thread records; merge or read once that thread is done (or under a lock).
#ifndef SEGLOG_BENCH_PERF_LATENCY_HISTOGRAM_H_
#define SEGLOG_BENCH_PERF_LATENCY_HISTOGRAM_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace seglog_perf {

class LatencyHistogram {
 public:
  LatencyHistogram();

  // Adds one sample (negative values count as 0).
  void Record(int64_t nanos) {
    const uint64_t v = nanos < 0 ? 0 : static_cast<uint64_t>(nanos);
    ++counts_[BucketOf(v)];
    ++count_;
    sum_ += v;
    if (v < min_) min_ = v;
    if (v > max_) max_ = v;
  }

  // Adds every sample of `other`.
  void Merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  // The exact smallest / largest sample (0 when empty).
  int64_t min() const { return count_ == 0 ? 0 : static_cast<int64_t>(min_); }
  int64_t max() const { return static_cast<int64_t>(max_); }
  // The exact mean (0 when empty).
  double mean() const { return count_ == 0 ? 0 : static_cast<double>(sum_) / static_cast<double>(count_); }
  // The q-quantile (0 <= q <= 1) within the bucket precision: the sample of rank ceil(q * count); exactly
  // min() for q <= 0 and max() for q >= 1; 0 when empty. Monotonic in q, never above max() nor below min().
  double Percentile(double q) const;

  // Bucket arithmetic: BucketLower(BucketOf(v)) <= v < BucketLower(BucketOf(v)) + BucketWidth(BucketOf(v)).
  static constexpr int kSubBits = 7;                       // 128 buckets per power of two
  static constexpr uint64_t kSubCount = uint64_t{1} << kSubBits;
  static constexpr size_t kBuckets = (64 - kSubBits + 1) * kSubCount;  // covers every uint64 < 2^64
  static size_t BucketOf(uint64_t v) {
    const int msb = 63 - std::countl_zero(v | 1);
    const int shift = msb > kSubBits ? msb - kSubBits : 0;
    return static_cast<size_t>(shift) * kSubCount + static_cast<size_t>(v >> shift);
  }
  // The smallest value of bucket `b`, and its width.
  static uint64_t BucketLower(size_t b);
  static uint64_t BucketWidth(size_t b);

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace seglog_perf

#endif  // SEGLOG_BENCH_PERF_LATENCY_HISTOGRAM_H_

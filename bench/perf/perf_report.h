// What seglog-perf measures and prints: a Recorder per measured stream (records, bytes, latencies), the
// progress line printed every few seconds on a terminal, and the final summary (a Kafka-style text line, or
// one JSON object with --json).
//
//   Recorder recorder;                                    // written by one thread (e.g. the sender's callbacks)
//   recorder.Add(latency_ns, /*records=*/1, /*bytes=*/100);
//   Progress progress({&recorder}, "sent", "latency", 5000, stdout);
//   progress.MaybePrint();                                // from another thread, now and then
//   RunResult result{...};  result.latency.Merge(recorder.histogram());
//   PrintResult(result, json);
//
// Units are Kafka's perf tools': MB = 1024 * 1024 bytes, latencies in milliseconds (with fractions: seglog's
// are often below one).
#ifndef SEGLOG_BENCH_PERF_PERF_REPORT_H_
#define SEGLOG_BENCH_PERF_PERF_REPORT_H_

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "latency_histogram.h"
#include "nlohmann/json.hpp"

namespace seglog_perf {

// Counts and latencies of one stream. Thread safety: Add() and AddError() are called by ONE writer thread at a
// time (a producer's sender thread, in its callbacks, or a consumer loop); totals(), TakeWindowMax(), errors()
// and first_error() may be called from any thread meanwhile; histogram() only once the writer has stopped
// (after Producer::Close, or a join). Cheap on the writer: plain stores to counters only it changes.
class alignas(64) Recorder {
 public:
  struct Totals {
    int64_t records = 0;
    int64_t bytes = 0;
    int64_t latency_sum_ns = 0;
    int64_t latencies = 0;  // samples (records for produce and e2e, polls for consume)
  };

  void Add(int64_t latency_ns, int64_t records, int64_t bytes) {
    histogram_.Record(latency_ns);
    Bump(&records_, records);
    Bump(&bytes_, bytes);
    Bump(&latency_sum_ns_, latency_ns);
    Bump(&latencies_, 1);
    // A racing TakeWindowMax may lose this sample's max to the next window: only the progress line uses it.
    if (latency_ns > window_max_ns_.load(std::memory_order_relaxed)) {
      window_max_ns_.store(latency_ns, std::memory_order_relaxed);
    }
  }
  void AddError(const absl::Status& status);

  Totals totals() const;
  // The largest latency since the previous call.
  int64_t TakeWindowMax() { return window_max_ns_.exchange(0, std::memory_order_relaxed); }
  int64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  std::string first_error() const;
  const LatencyHistogram& histogram() const { return histogram_; }

 private:
  static void Bump(std::atomic<int64_t>* counter, int64_t by) {
    counter->store(counter->load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }

  std::atomic<int64_t> records_{0}, bytes_{0}, latency_sum_ns_{0}, latencies_{0}, window_max_ns_{0};
  std::atomic<int64_t> errors_{0};
  mutable std::mutex error_mu_;
  std::string first_error_;  // guarded by error_mu_
  LatencyHistogram histogram_;
};

// Kafka's progress line, for the records of `recorders` since the previous line:
//   "N records sent, X records/sec (Y MB/sec), Z ms avg latency, W ms max latency."
// Thread safety: one thread calls MaybePrint / Reset.
class Progress {
 public:
  // `out` null (not a terminal) or interval_ms <= 0: prints nothing.
  Progress(std::vector<Recorder*> recorders, std::string verb, std::string latency_label, int64_t interval_ms,
           FILE* out);
  // Starts the first window now.
  void Reset();
  // Prints the line when the interval has passed since the previous one.
  void MaybePrint();

 private:
  Recorder::Totals Sum() const;

  std::vector<Recorder*> recorders_;
  std::string verb_, latency_label_;
  int64_t interval_ns_;
  FILE* out_;
  int64_t window_start_ns_ = 0;
  Recorder::Totals last_;
};

// The stream the progress line goes to: stdout when it is a terminal (stderr with --json, when that is one,
// so stdout keeps only the JSON object); null otherwise.
FILE* ProgressStream(bool json);

// A finished (or interrupted) run.
struct RunResult {
  std::string mode;           // "produce", "consume", "e2e"
  std::string verb;           // "sent", "consumed", "received"
  std::string latency_label;  // "latency", "poll latency", "end-to-end latency" (text output)
  std::string latency_of;     // what latencyMs measures, for the JSON
  int64_t records = 0;
  int64_t bytes = 0;
  double seconds = 0;
  LatencyHistogram latency;   // nanoseconds
  nlohmann::json config = nlohmann::json::object();
  nlohmann::json extra = nlohmann::json::object();  // more top-level JSON fields
  bool interrupted = false;
};

// Prints the summary to stdout: Kafka's final line
//   "N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency, P ms 50th, P ms 95th,
//    P ms 99th, P ms 99.9th."
// or, with `json`, exactly one JSON object: records, bytes, seconds, recordsPerSec, mbPerSec, latencyMs
// {p50, p95, p99, p999, max, avg, min, samples}, latencyOf, mode, config, interrupted and `extra`.
void PrintResult(const RunResult& result, bool json);

}  // namespace seglog_perf

#endif  // SEGLOG_BENCH_PERF_PERF_REPORT_H_

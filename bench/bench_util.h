// Helpers shared by the storage benchmarks (seglog_storage_bench): scratch directories that are removed
// even when a run is interrupted, the records every benchmark writes, raw-I/O references and latency
// percentiles.
//
//   seglog_bench::ScratchDir dir("append");                       // <root>/append-N/, removed on destruction
//   auto partition = seglog_bench::OpenPartition(dir.partition_dir(), config, state);
//   const std::string& batch = seglog_bench::EncodedBatch(1000, seglog_bench::kValueSize);
//
// Every scratch directory lives under one per-process root, `$SEGLOG_BENCH_DIR` (default /tmp) +
// `/seglog_storage_bench.<pid>.XXXXXX`. The root is removed at exit and on SIGINT/SIGTERM/SIGHUP, and a
// later run removes the roots of runs that were killed outright (their pid no longer exists).
//
// Thread safety: ScratchRoot(), PosixFs() and EncodedBatch() may be called from any thread; the other
// helpers are plain values used by one thread.
#ifndef SEGLOG_BENCH_BENCH_UTIL_H_
#define SEGLOG_BENCH_BENCH_UTIL_H_

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "seglog/file_system.h"
#include "seglog/partition.h"

namespace seglog_bench {

// kafka-producer-perf-test's records: a null key and a 100-byte value.
inline constexpr size_t kValueSize = 100;
// The CreateTime stamped on pre-encoded batches (a fixed time, so segment.ms never rolls).
inline constexpr int64_t kTimestamp = 1700000000000;
inline constexpr size_t kMiB = 1024 * 1024;

// The per-process scratch root (created on first use). Exits the process if it cannot be created.
const std::string& ScratchRoot();
// Removes the scratch root and everything under it. Idempotent.
void RemoveScratchRoot();
// Removes roots left by killed runs and installs the signal handlers that remove this run's root.
void InstallCleanup();

// A fresh directory under the scratch root, removed (recursively) on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  // A partition directory inside it (Partition::Open wants a `<topic>-<partition>` name).
  std::string partition_dir() const { return path_ + "/bench-0"; }

 private:
  std::string path_;
};

// The POSIX file system all benchmarks use.
seglog::FileSystem* PosixFs();

// A deterministic value of `size` printable bytes (the i-th of a series).
std::string MakeValue(size_t i, size_t size);
// One uncompressed batch of `records` records (null key, `value_size`-byte values, CreateTime kTimestamp)
// at base offset 0, cached per (records, value_size).
const std::string& EncodedBatch(int records, size_t value_size);

// Opens (creating) a partition, or marks the benchmark skipped and returns null.
std::unique_ptr<seglog::Partition> OpenPartition(benchmark::State& state, const std::string& dir,
                                                 const seglog::PartitionConfig& config,
                                                 std::optional<seglog::PartitionCheckpoint> checkpoint = std::nullopt);
// Empties a partition written by an append benchmark (so its unsynced pages are dropped, not written back)
// and closes it. Errors mark the benchmark failed.
void DiscardPartition(benchmark::State& state, std::unique_ptr<seglog::Partition> partition);

// Returns true for OK; otherwise marks the benchmark skipped with `what` and the status, and returns false.
bool Check(benchmark::State& state, const absl::Status& status, const char* what);

// Raw POSIX references.
// write(2) of all of `data`, retrying short writes; false (errno set) on failure.
bool WriteAll(int fd, const char* data, size_t size);
// The files of `dir` whose names end with `suffix`, as full paths, sorted.
std::vector<std::string> ListFiles(const std::string& dir, const std::string& suffix);
// Reads every file once (to warm the page cache); returns the bytes read.
uint64_t ReadFiles(const std::vector<std::string>& paths);
// Writes back every dirty page of the file system holding `path` (syncfs), so later benchmarks do not
// compete with background writeback of a data set just built.
void SyncFileSystem(const std::string& path);

// CLOCK_MONOTONIC in nanoseconds.
int64_t NowNanos();
// The median cost of one NowNanos() pair, to read latency percentiles against.
double TimerOverheadNanos();

// Per-operation latencies (the first `capacity` recorded), for percentiles.
class LatencySamples {
 public:
  explicit LatencySamples(size_t capacity) { samples_.reserve(capacity); }
  void Add(int64_t nanos) {
    if (samples_.size() < samples_.capacity()) samples_.push_back(nanos);
  }
  // The p-th percentile (0 < p <= 100) in nanoseconds; 0 with no samples.
  double Percentile(double p);
  size_t size() const { return samples_.size(); }

 private:
  std::vector<int64_t> samples_;
};

// Counters every throughput benchmark reports: records/s, MB/s (10^6 bytes) and bytes_per_second.
void SetThroughputCounters(benchmark::State& state, int64_t records, int64_t bytes);

}  // namespace seglog_bench

#endif  // SEGLOG_BENCH_BENCH_UTIL_H_

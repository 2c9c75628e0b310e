// Opening partitions: after a clean shutdown (many segments) and after a crash (a full recovery scan),
// beside the raw system calls over the same files in the same run. Times are per open (manual timing of
// Partition::Open alone; the Close that follows is reported as close_ms and is not in the time column).
//
// 6. Clean open of the 1,000-segment data set (data_sets.h; target: <= 100 ms). Argument 0: the partition
//    keeps its own clean-shutdown marker and checkpoints (Open removes the marker and fsyncs the directory;
//    Close writes them back with fsyncs); argument 1: the owner passes PartitionCheckpoint{.clean_shutdown =
//    true}, as a Store does. Reference: BM_RawOpenFiles lists the directory and open/fstat/closes each of
//    its 3,000 segment files.
// 7. Recovery after a crash (target: >= 1 GB/s): the ~1.08 GB sequential data set in 128 MiB segments opened
//    with PartitionCheckpoint{.clean_shutdown = false, .recovery_point = 0}, so every batch's CRC is checked
//    and every index rebuilt. References: BM_RawReadLogs, sequential read(2) of the same files in 1 MiB
//    chunks, and BM_RawReadCrcLogs, the same plus CRC-32C of every chunk. The page cache is warm for all.
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "bench_util.h"
#include "data_sets.h"
#include "seglog/crc32c.h"
#include "seglog/partition.h"

namespace seglog_bench {
namespace {

double Seconds(int64_t nanos) { return static_cast<double>(nanos) / 1e9; }

// ---------------------------------------------------------------------------------------------------------
// 6. Clean open with 1,000 segments.

void BM_OpenCleanShutdown(benchmark::State& state) {
  const ManySegmentLog& log = GetManySegmentLog();
  if (!log.error.empty()) return state.SkipWithError(log.error.c_str());
  const bool owner_checkpoint = state.range(0) == 1;
  seglog::PartitionOptions options{.fs = PosixFs(), .config = log.config};
  if (owner_checkpoint) options.checkpoint = seglog::PartitionCheckpoint{.clean_shutdown = true};
  int64_t open_nanos = 0;
  int64_t close_nanos = 0;
  for (auto _ : state) {
    seglog::RecoveryReport report;
    const int64_t t0 = NowNanos();
    absl::StatusOr<std::unique_ptr<seglog::Partition>> partition =
        seglog::Partition::Open(log.partition_dir, options, &report);
    const int64_t t1 = NowNanos();
    if (!Check(state, partition.status(), "Partition::Open")) break;
    if (!report.clean_shutdown || report.segments != log.segments || report.segments_recovered != 0) {
      state.SkipWithError("the open was not a clean one of every segment");
      break;
    }
    const absl::Status closed = (*partition)->Close();
    partition->reset();
    const int64_t t2 = NowNanos();
    if (!Check(state, closed, "Partition::Close")) break;
    state.SetIterationTime(Seconds(t1 - t0));
    open_nanos += t1 - t0;
    close_nanos += t2 - t1;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["open_ms"] = static_cast<double>(open_nanos) / 1e6 / n;
  state.counters["close_ms"] = static_cast<double>(close_nanos) / 1e6 / n;
  state.counters["segments"] = log.segments;
  state.SetLabel(owner_checkpoint ? "owner checkpoint" : "own marker+checkpoints");
}

void BM_RawOpenFiles(benchmark::State& state) {
  const ManySegmentLog& log = GetManySegmentLog();
  if (!log.error.empty()) return state.SkipWithError(log.error.c_str());
  int64_t files = 0;
  for (auto _ : state) {
    const int64_t t0 = NowNanos();
    DIR* d = opendir(log.partition_dir.c_str());
    if (d == nullptr) {
      state.SkipWithError("opendir failed");
      break;
    }
    files = 0;
    const int dir_fd = dirfd(d);
    while (dirent* e = readdir(d)) {
      const std::string_view name = e->d_name;
      if (!name.ends_with(".log") && !name.ends_with(".index") && !name.ends_with(".timeindex")) continue;
      const int fd = ::openat(dir_fd, e->d_name, O_RDONLY | O_CLOEXEC);
      struct stat st;
      if (fd < 0 || ::fstat(fd, &st) != 0) {
        state.SkipWithError("open/fstat failed");
        break;
      }
      benchmark::DoNotOptimize(st.st_size);
      ::close(fd);
      ++files;
    }
    closedir(d);
    state.SetIterationTime(Seconds(NowNanos() - t0));
  }
  state.counters["files"] = static_cast<double>(files);
}

BENCHMARK(BM_OpenCleanShutdown)->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_RawOpenFiles)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(0.3);

// ---------------------------------------------------------------------------------------------------------
// 7. Recovery scan after a crash.

void SetGigabytesCounter(benchmark::State& state, uint64_t bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["GB"] = benchmark::Counter(static_cast<double>(bytes) / 1e9, benchmark::Counter::kIsRate);
}

void BM_RecoverUnclean(benchmark::State& state) {
  const SequentialLog& log = GetSequentialLog();
  if (!log.error.empty()) return state.SkipWithError(log.error.c_str());
  ReadFiles(log.log_files);  // warm
  const seglog::PartitionOptions options{
      .fs = PosixFs(),
      .config = log.config,
      .checkpoint = seglog::PartitionCheckpoint{.clean_shutdown = false, .recovery_point = 0}};
  uint64_t bytes = 0;
  int64_t close_nanos = 0;
  for (auto _ : state) {
    seglog::RecoveryReport report;
    const int64_t t0 = NowNanos();
    absl::StatusOr<std::unique_ptr<seglog::Partition>> partition =
        seglog::Partition::Open(log.partition_dir, options, &report);
    const int64_t t1 = NowNanos();
    if (!Check(state, partition.status(), "Partition::Open")) break;
    if (report.bytes_recovered != log.bytes || report.bytes_truncated != 0 ||
        report.segments_recovered != static_cast<int>(log.log_files.size())) {
      state.SkipWithError("recovery did not validate exactly the whole log");
      break;
    }
    const absl::Status closed = (*partition)->Close();  // fsyncs the rebuilt indexes: not timed
    partition->reset();
    close_nanos += NowNanos() - t1;
    if (!Check(state, closed, "Partition::Close")) break;
    state.SetIterationTime(Seconds(t1 - t0));
    bytes += report.bytes_recovered;
  }
  SetGigabytesCounter(state, bytes);
  state.counters["close_ms"] = static_cast<double>(close_nanos) / 1e6 / static_cast<double>(state.iterations());
  state.counters["segments"] = static_cast<double>(log.log_files.size());
}

// Reads every .log file front to back in 1 MiB read(2) calls, handing each chunk to `consume`.
template <typename Consume>
void RawScan(benchmark::State& state, const SequentialLog& log, Consume consume) {
  std::vector<char> buffer(kMiB);
  uint64_t bytes = 0;
  ReadFiles(log.log_files);  // warm
  for (auto _ : state) {
    const int64_t t0 = NowNanos();
    for (const std::string& path : log.log_files) {
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        state.SkipWithError("open failed");
        break;
      }
      ssize_t n;
      while ((n = ::read(fd, buffer.data(), buffer.size())) > 0) {
        consume(buffer.data(), static_cast<size_t>(n));
        bytes += static_cast<uint64_t>(n);
      }
      ::close(fd);
    }
    state.SetIterationTime(Seconds(NowNanos() - t0));
  }
  SetGigabytesCounter(state, bytes);
}

void BM_RawReadLogs(benchmark::State& state) {
  const SequentialLog& log = GetSequentialLog();
  if (!log.error.empty()) return state.SkipWithError(log.error.c_str());
  RawScan(state, log, [](const char* data, size_t) { benchmark::DoNotOptimize(data); });
}

void BM_RawReadCrcLogs(benchmark::State& state) {
  const SequentialLog& log = GetSequentialLog();
  if (!log.error.empty()) return state.SkipWithError(log.error.c_str());
  uint32_t crc = 0;
  RawScan(state, log, [&crc](const char* data, size_t n) { crc ^= seglog::Crc32c(data, n); });
  benchmark::DoNotOptimize(crc);
}

BENCHMARK(BM_RecoverUnclean)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_RawReadLogs)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK(BM_RawReadCrcLogs)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(0.5);

}  // namespace
}  // namespace seglog_bench

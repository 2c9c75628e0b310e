// Appending to a partition on the POSIX file system without fsync, beside raw write(2) of the same bytes.
//
// Batched (target: >= 0.7x BM_RawWrite): 1,000 records of 100-byte values (null keys) per call, as one
// pre-encoded batch (BM_AppendBatches) or as 1,000 Records the partition encodes (BM_AppendRecords);
// BM_RawWrite writes the same encoded batch per iteration to a plain file in the same directory. Page-cache
// write speed here drifts by tens of percent between runs, so BM_BatchedAppendInterleaved measures the three
// in alternating short phases and the target is judged on its ratios.
// Single records (target: >= 5M records/s): one Record per Append, write-through (one write per append)
// and with append_buffer_bytes = 64 KiB; the references write one encoded single-record batch per write(2)
// (BM_RawWriteOneBatch) or gather those bytes into 64 KiB writes (BM_RawWriteOneBatchGathered).
//
// Segments roll at 256 MiB (raw files rotate at the same size); every run starts in a fresh directory and
// discards its data at the end, so a run writes at most its ~0.3-0.6 s worth of data (about 1-2 GB).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "seglog/partition.h"

namespace seglog_bench {
namespace {

constexpr int kBatchRecords = 1000;
constexpr int64_t kSegmentBytes = 256 * kMiB;
constexpr size_t kGatherBytes = 64 * 1024;

seglog::PartitionConfig AppendConfig(size_t append_buffer_bytes = 0) {
  seglog::PartitionConfig config;
  config.segment.segment_bytes = kSegmentBytes;
  config.append_buffer_bytes = append_buffer_bytes;
  return config;
}

// Plain files written with write(2), rotated at segment.bytes like the partition's segments.
class RawLog {
 public:
  explicit RawLog(std::string dir) : dir_(std::move(dir)) { Rotate(); }
  ~RawLog() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawLog(const RawLog&) = delete;
  RawLog& operator=(const RawLog&) = delete;

  bool ok() const { return fd_ >= 0; }
  bool Write(const char* data, size_t size) {
    if (written_ + static_cast<int64_t>(size) > kSegmentBytes && !Rotate()) return false;
    written_ += static_cast<int64_t>(size);
    return WriteAll(fd_, data, size);
  }
  int fd() const { return fd_; }

 private:
  bool Rotate() {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(path_.c_str());  // drop the old file's pages, as DiscardPartition does for the partition
    }
    path_ = dir_ + "/raw-" + std::to_string(files_++) + ".log";
    fd_ = ::open(path_.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    written_ = 0;
    return fd_ >= 0;
  }

  const std::string dir_;
  std::string path_;
  int fd_ = -1;
  int files_ = 0;
  int64_t written_ = 0;
};

// ---------------------------------------------------------------------------------------------------------
// 1. Batched appends.

void BM_AppendBatches(benchmark::State& state) {
  const std::string& batch = EncodedBatch(kBatchRecords, kValueSize);
  ScratchDir dir("append-batches");
  std::unique_ptr<seglog::Partition> partition = OpenPartition(state, dir.partition_dir(), AppendConfig());
  if (partition == nullptr) return;
  for (auto _ : state) {
    if (!Check(state, partition->AppendBatches(batch).status(), "AppendBatches")) break;
  }
  SetThroughputCounters(state, state.iterations() * kBatchRecords,
                        static_cast<int64_t>(state.iterations() * batch.size()));
  state.counters["segments"] = partition->num_segments();
  DiscardPartition(state, std::move(partition));
}

void BM_AppendRecords(benchmark::State& state) {
  const std::string& batch = EncodedBatch(kBatchRecords, kValueSize);  // the bytes each call writes
  std::vector<std::string> values;
  std::vector<seglog::Record> records;
  for (int i = 0; i < kBatchRecords; ++i) values.push_back(MakeValue(static_cast<size_t>(i), kValueSize));
  for (const std::string& v : values) records.push_back({.value = v});
  ScratchDir dir("append-records");
  std::unique_ptr<seglog::Partition> partition = OpenPartition(state, dir.partition_dir(), AppendConfig());
  if (partition == nullptr) return;
  for (auto _ : state) {
    if (!Check(state, partition->Append(records).status(), "Append")) break;
  }
  SetThroughputCounters(state, state.iterations() * kBatchRecords,
                        static_cast<int64_t>(state.iterations() * batch.size()));
  DiscardPartition(state, std::move(partition));
}

void BM_RawWrite(benchmark::State& state) {
  const std::string& batch = EncodedBatch(kBatchRecords, kValueSize);
  ScratchDir dir("raw-write");
  RawLog log(dir.path());
  if (!log.ok()) state.SkipWithError("open failed");
  for (auto _ : state) {
    if (!log.Write(batch.data(), batch.size())) {
      state.SkipWithError(std::strerror(errno));
      break;
    }
  }
  SetThroughputCounters(state, state.iterations() * kBatchRecords,
                        static_cast<int64_t>(state.iterations() * batch.size()));
}

BENCHMARK(BM_AppendBatches)->UseRealTime()->MinTime(0.3);
BENCHMARK(BM_AppendRecords)->UseRealTime()->MinTime(0.3);
BENCHMARK(BM_RawWrite)->UseRealTime()->MinTime(0.3);

// The three loops above in alternating 25 ms phases (8 rounds), so page-cache and CPU drift hits all three
// alike; counters are MB/s of each and the two ratios to the raw write, which the target is judged on.
void BM_BatchedAppendInterleaved(benchmark::State& state) {
  constexpr int kRounds = 8;
  constexpr int64_t kPhaseNanos = 25'000'000;
  const std::string& batch = EncodedBatch(kBatchRecords, kValueSize);
  std::vector<std::string> values;
  std::vector<seglog::Record> records;
  for (int i = 0; i < kBatchRecords; ++i) values.push_back(MakeValue(static_cast<size_t>(i), kValueSize));
  for (const std::string& v : values) records.push_back({.value = v});
  ScratchDir dir("append-interleaved");
  std::unique_ptr<seglog::Partition> batches = OpenPartition(state, dir.path() + "/batches-0", AppendConfig());
  std::unique_ptr<seglog::Partition> appends = OpenPartition(state, dir.path() + "/records-0", AppendConfig());
  RawLog raw(dir.path());
  if (batches == nullptr || appends == nullptr || !raw.ok()) return state.SkipWithError("setup failed");
  // Runs `op` for one phase; adds the calls made and the time taken.
  auto phase = [](auto&& op, int64_t* calls, int64_t* nanos) {
    const int64_t start = NowNanos();
    int64_t now = start;
    while (now - start < kPhaseNanos) {
      if (!op()) return false;
      ++*calls;
      now = NowNanos();
    }
    *nanos += now - start;
    return true;
  };
  int64_t n_batches = 0, n_appends = 0, n_raw = 0, t_batches = 0, t_appends = 0, t_raw = 0;
  bool ok = true;
  for (auto _ : state) {
    const int64_t start = NowNanos();
    for (int round = 0; round < kRounds && ok; ++round) {
      ok = phase([&] { return batches->AppendBatches(batch).ok(); }, &n_batches, &t_batches) &&
           phase([&] { return appends->Append(records).ok(); }, &n_appends, &t_appends) &&
           phase([&] { return raw.Write(batch.data(), batch.size()); }, &n_raw, &t_raw);
    }
    state.SetIterationTime(static_cast<double>(NowNanos() - start) / 1e9);
  }
  if (!ok) state.SkipWithError("an append or write failed");
  auto mb_per_s = [&batch](int64_t calls, int64_t nanos) {
    return nanos > 0 ? static_cast<double>(calls) * static_cast<double>(batch.size()) * 1e3 / static_cast<double>(nanos) : 0;
  };
  const double raw_mb = mb_per_s(n_raw, t_raw);
  state.counters["batches_MB"] = mb_per_s(n_batches, t_batches);
  state.counters["records_MB"] = mb_per_s(n_appends, t_appends);
  state.counters["raw_MB"] = raw_mb;
  state.counters["batches_ratio"] = raw_mb > 0 ? mb_per_s(n_batches, t_batches) / raw_mb : 0;
  state.counters["records_ratio"] = raw_mb > 0 ? mb_per_s(n_appends, t_appends) / raw_mb : 0;
  state.SetLabel("MB/s: AppendBatches, Append, raw write");
  DiscardPartition(state, std::move(batches));
  DiscardPartition(state, std::move(appends));
}

BENCHMARK(BM_BatchedAppendInterleaved)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------------------------
// 2. One record per append. Argument: PartitionConfig::append_buffer_bytes.

void BM_AppendOneRecord(benchmark::State& state) {
  const size_t buffer_bytes = static_cast<size_t>(state.range(0));
  const std::string& batch = EncodedBatch(1, kValueSize);
  const std::string value = MakeValue(0, kValueSize);
  const seglog::Record record{.value = value};
  ScratchDir dir("append-one");
  std::unique_ptr<seglog::Partition> partition =
      OpenPartition(state, dir.partition_dir(), AppendConfig(buffer_bytes));
  if (partition == nullptr) return;
  for (auto _ : state) {
    if (!Check(state, partition->Append({&record, 1}).status(), "Append")) break;
  }
  SetThroughputCounters(state, state.iterations(), static_cast<int64_t>(state.iterations() * batch.size()));
  state.SetLabel(buffer_bytes == 0 ? "write-through" : "append_buffer_bytes=64KiB");
  DiscardPartition(state, std::move(partition));
}

void BM_RawWriteOneBatch(benchmark::State& state) {
  const std::string& batch = EncodedBatch(1, kValueSize);
  ScratchDir dir("raw-write-one");
  RawLog log(dir.path());
  if (!log.ok()) state.SkipWithError("open failed");
  for (auto _ : state) {
    if (!log.Write(batch.data(), batch.size())) {
      state.SkipWithError(std::strerror(errno));
      break;
    }
  }
  SetThroughputCounters(state, state.iterations(), static_cast<int64_t>(state.iterations() * batch.size()));
}

void BM_RawWriteOneBatchGathered(benchmark::State& state) {
  const std::string& batch = EncodedBatch(1, kValueSize);
  ScratchDir dir("raw-write-gathered");
  RawLog log(dir.path());
  if (!log.ok()) state.SkipWithError("open failed");
  std::string buffer;
  buffer.reserve(kGatherBytes);
  for (auto _ : state) {
    if (buffer.size() + batch.size() > kGatherBytes) {
      if (!log.Write(buffer.data(), buffer.size())) {
        state.SkipWithError(std::strerror(errno));
        break;
      }
      buffer.clear();
    }
    buffer.append(batch);
  }
  SetThroughputCounters(state, state.iterations(), static_cast<int64_t>(state.iterations() * batch.size()));
  state.SetLabel("64KiB writes");
}

BENCHMARK(BM_AppendOneRecord)->Arg(0)->Arg(64 * 1024)->UseRealTime()->MinTime(0.3);
BENCHMARK(BM_RawWriteOneBatch)->UseRealTime()->MinTime(0.3);
BENCHMARK(BM_RawWriteOneBatchGathered)->UseRealTime()->MinTime(0.3);

}  // namespace
}  // namespace seglog_bench

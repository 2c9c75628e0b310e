// Reading a partition through the zero-copy read path, beside in-memory references in the same run.
//
// 3. Sequential read (target: >= 30M records/s) of the 10M-record data set (data_sets.h): each iteration is
//    one Partition::Read(offset, {.max_bytes = 1 MiB}) whose batches are all parsed (BatchView::Parse, CRC
//    included) and whose records are all iterated with a RecordReader, touching key and value sizes; the
//    offset wraps to 0 at the end. References: BM_DecodeInMemory decodes the same batches, grouped the same
//    way, from one std::string holding the whole log (no partition); BM_MemcpyInMemory copies those bytes.
// 4. Random offset lookup (target: median <= 1 us) in the 1,000-segment data set with 2.62M index entries:
//    Partition::Read(uniform random offset, {.max_bytes = 1}) (segment floor search, index lookup, forward
//    header scan, the slice), each call timed; p50/p99 are counters (timer_ns is the cost of the timer
//    itself, included in them). Reference: BM_LowerBoundInMemory, std::upper_bound over a std::vector of
//    the 2.62M batch base offsets, timed the same way.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "data_sets.h"
#include "seglog/batch_view.h"
#include "seglog/partition.h"

namespace seglog_bench {
namespace {

constexpr size_t kReadBytes = kMiB;

// ---------------------------------------------------------------------------------------------------------
// 3. Sequential read.

// Iterates every record of whole batches in `bytes`; returns the records seen (-1 on an error).
int64_t DecodeAll(std::string_view bytes, seglog::RecordReader& reader, size_t* touched) {
  int64_t records = 0;
  while (!bytes.empty()) {
    absl::StatusOr<seglog::BatchView> batch = seglog::BatchView::Parse(bytes);
    if (!batch.ok() || !reader.Reset(*batch).ok()) return -1;
    seglog::RecordView record;
    while (reader.Next(&record)) {
      *touched += (record.key ? record.key->size() : 0) + (record.value ? record.value->size() : 0);
      ++records;
    }
    if (!reader.status().ok()) return -1;
    bytes.remove_prefix(batch->size_in_bytes());
  }
  return records;
}

void BM_SequentialRead(benchmark::State& state) {
  const SequentialLog& log = GetSequentialLog();
  if (!log.error.empty()) return state.SkipWithError(log.error.c_str());
  std::unique_ptr<seglog::Partition> partition = OpenPartition(
      state, log.partition_dir, log.config, seglog::PartitionCheckpoint{.clean_shutdown = true});
  if (partition == nullptr) return;
  seglog::RecordReader reader;
  int64_t offset = 0;
  int64_t records = 0;
  int64_t bytes = 0;
  size_t touched = 0;
  for (auto _ : state) {
    absl::StatusOr<seglog::ReadResult> read = partition->Read(offset, {.max_bytes = kReadBytes});
    if (!Check(state, read.status(), "Partition::Read")) break;
    const int64_t n = DecodeAll(read->bytes, reader, &touched);
    if (n <= 0) {
      state.SkipWithError("decoding a read failed");
      break;
    }
    records += n;
    bytes += static_cast<int64_t>(read->bytes.size());
    offset = read->next_offset >= log.records ? 0 : read->next_offset;
  }
  benchmark::DoNotOptimize(touched);
  SetThroughputCounters(state, records, bytes);
  Check(state, partition->Close(), "Partition::Close");
}

// The log's bytes grouped as Read returns them: whole batches, as many as fit in 1 MiB.
struct Chunk {
  size_t position = 0;
  size_t size = 0;
  int64_t records = 0;
};

const std::vector<Chunk>& InMemoryChunks() {
  static const std::vector<Chunk>* const chunks = [] {
    auto* v = new std::vector<Chunk>();
    const std::string& bytes = SequentialLogBytes();
    size_t position = 0;
    Chunk chunk;
    while (position < bytes.size()) {
      absl::StatusOr<seglog::BatchView> batch = seglog::BatchView::ParseWithoutCrc(std::string_view(bytes).substr(position));
      if (!batch.ok()) break;
      if (chunk.size > 0 && chunk.size + batch->size_in_bytes() > kReadBytes) {
        v->push_back(chunk);
        chunk = Chunk{.position = position};
      }
      chunk.size += batch->size_in_bytes();
      chunk.records += batch->records_count();
      position += batch->size_in_bytes();
    }
    if (chunk.size > 0) v->push_back(chunk);
    return v;
  }();
  return *chunks;
}

void BM_DecodeInMemory(benchmark::State& state) {
  const SequentialLog& log = GetSequentialLog();
  if (!log.error.empty()) return state.SkipWithError(log.error.c_str());
  const std::string& bytes = SequentialLogBytes();
  const std::vector<Chunk>& chunks = InMemoryChunks();
  seglog::RecordReader reader;
  size_t next = 0;
  int64_t records = 0;
  int64_t total = 0;
  size_t touched = 0;
  for (auto _ : state) {
    const Chunk& c = chunks[next];
    const int64_t n = DecodeAll(std::string_view(bytes).substr(c.position, c.size), reader, &touched);
    if (n != c.records) {
      state.SkipWithError("decoding failed");
      break;
    }
    records += n;
    total += static_cast<int64_t>(c.size);
    next = next + 1 == chunks.size() ? 0 : next + 1;
  }
  benchmark::DoNotOptimize(touched);
  SetThroughputCounters(state, records, total);
}

void BM_MemcpyInMemory(benchmark::State& state) {
  const SequentialLog& log = GetSequentialLog();
  if (!log.error.empty()) return state.SkipWithError(log.error.c_str());
  const std::string& bytes = SequentialLogBytes();
  const std::vector<Chunk>& chunks = InMemoryChunks();
  std::string out(kReadBytes, '\0');
  size_t next = 0;
  int64_t records = 0;
  int64_t total = 0;
  for (auto _ : state) {
    const Chunk& c = chunks[next];
    std::memcpy(out.data(), bytes.data() + c.position, c.size);
    benchmark::ClobberMemory();
    records += c.records;
    total += static_cast<int64_t>(c.size);
    next = next + 1 == chunks.size() ? 0 : next + 1;
  }
  SetThroughputCounters(state, records, total);
}

BENCHMARK(BM_SequentialRead)->UseRealTime()->MinTime(0.3);
BENCHMARK(BM_DecodeInMemory)->UseRealTime()->MinTime(0.3);
BENCHMARK(BM_MemcpyInMemory)->UseRealTime()->MinTime(0.3);

// ---------------------------------------------------------------------------------------------------------
// 4. Random offset lookup.

constexpr size_t kTargets = 1 << 20;
constexpr size_t kMaxSamples = 4 << 20;

std::vector<int64_t> RandomTargets(int64_t end) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> dist(0, end - 1);
  std::vector<int64_t> targets(kTargets);
  for (int64_t& t : targets) t = dist(rng);
  return targets;
}

void SetLatencyCounters(benchmark::State& state, LatencySamples& samples) {
  state.counters["p50_ns"] = samples.Percentile(50);
  state.counters["p99_ns"] = samples.Percentile(99);
  state.counters["timer_ns"] = TimerOverheadNanos();
}

void BM_RandomOffsetLookup(benchmark::State& state) {
  const ManySegmentLog& log = GetManySegmentLog();
  if (!log.error.empty()) return state.SkipWithError(log.error.c_str());
  // An owner-managed clean checkpoint: nothing is validated and the partition's own marker stays in place.
  std::unique_ptr<seglog::Partition> partition = OpenPartition(
      state, log.partition_dir, log.config, seglog::PartitionCheckpoint{.clean_shutdown = true});
  if (partition == nullptr) return;
  const std::vector<int64_t> targets = RandomTargets(log.batches);
  // Check the answers once, outside the timed loop: the batch returned holds the offset asked for.
  for (size_t i = 0; i < 1000; ++i) {
    absl::StatusOr<seglog::ReadResult> read = partition->Read(targets[i], {.max_bytes = 1});
    if (!Check(state, read.status(), "Partition::Read")) return;
    absl::StatusOr<seglog::BatchHeader> h = seglog::DecodeBatchHeader(read->bytes);
    if (!h.ok() || h->base_offset > targets[i] || h->last_offset() < targets[i]) {
      return state.SkipWithError("a lookup returned the wrong batch");
    }
  }
  LatencySamples samples(kMaxSamples);
  size_t next = 0;
  bool ok = true;
  for (auto _ : state) {
    const int64_t target = targets[next];
    next = (next + 1) & (kTargets - 1);
    const int64_t t0 = NowNanos();
    {
      absl::StatusOr<seglog::ReadResult> read = partition->Read(target, {.max_bytes = 1});
      ok = read.ok() && !read->bytes.empty();
      benchmark::DoNotOptimize(read);
    }  // releasing the result is part of the lookup
    samples.Add(NowNanos() - t0);
    if (!ok) {
      state.SkipWithError("Partition::Read failed");
      break;
    }
  }
  SetLatencyCounters(state, samples);
  state.counters["segments"] = partition->num_segments();
  state.counters["entries"] = static_cast<double>(log.batches);
  Check(state, partition->Close(), "Partition::Close");
}

void BM_LowerBoundInMemory(benchmark::State& state) {
  const ManySegmentLog& log = GetManySegmentLog();
  if (!log.error.empty()) return state.SkipWithError(log.error.c_str());
  std::vector<int64_t> base_offsets(static_cast<size_t>(log.batches));
  for (size_t i = 0; i < base_offsets.size(); ++i) base_offsets[i] = static_cast<int64_t>(i);  // batch i = offset i
  const std::vector<int64_t> targets = RandomTargets(log.batches);
  LatencySamples samples(kMaxSamples);
  size_t next = 0;
  size_t found = 0;
  for (auto _ : state) {
    const int64_t target = targets[next];
    next = (next + 1) & (kTargets - 1);
    const int64_t t0 = NowNanos();
    // The batch holding `target`: the last base offset <= target.
    auto it = std::upper_bound(base_offsets.begin(), base_offsets.end(), target);
    found += static_cast<size_t>(it - base_offsets.begin()) - 1;
    benchmark::DoNotOptimize(found);
    samples.Add(NowNanos() - t0);
  }
  SetLatencyCounters(state, samples);
  state.counters["entries"] = static_cast<double>(base_offsets.size());
}

BENCHMARK(BM_RandomOffsetLookup)->UseRealTime()->MinTime(0.3);
BENCHMARK(BM_LowerBoundInMemory)->UseRealTime()->MinTime(0.3);

}  // namespace
}  // namespace seglog_bench

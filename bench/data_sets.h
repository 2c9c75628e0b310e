// The data sets the read, lookup, open and recovery benchmarks share, built once per process on first use
// (outside any timed loop) in the scratch root and removed with it at exit.
//
//   const seglog_bench::SequentialLog& log = seglog_bench::GetSequentialLog();
//   if (!log.error.empty()) return state.SkipWithError(log.error.c_str());
//
// Thread safety: the getters may be called from any thread; the data sets are immutable once built (the
// benchmarks open partitions on them one at a time).
#ifndef SEGLOG_BENCH_DATA_SETS_H_
#define SEGLOG_BENCH_DATA_SETS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "seglog/partition.h"

namespace seglog_bench {

// 10 million records (null keys, 100-byte values) in 10,000 batches of 1,000, in 128 MiB segments (about
// 1.08 GB in 9 segments), closed cleanly and fsynced. Opened with an explicit PartitionCheckpoint, so it
// has no marker or checkpoint files of its own.
struct SequentialLog {
  std::string error;  // non-empty when building failed
  std::string partition_dir;
  seglog::PartitionConfig config;
  int64_t records = 0;  // == the log end offset
  int64_t batches = 0;
  uint64_t bytes = 0;  // of all .log files
  std::vector<std::string> log_files;
};
const SequentialLog& GetSequentialLog();
// The concatenated bytes of the sequential log's .log files, read once into memory.
const std::string& SequentialLogBytes();

// 1,000 segments of 2,621 single-record batches (16-byte values) with an offset-index entry per batch:
// 2.62 million index entries, as many as a 10 GiB log has at index.interval.bytes = 4096, in ~230 MB.
// Built in an in-memory file system (1,000 rolls without 1,000 directory fsyncs), copied to disk and
// fsynced; its clean-shutdown marker and checkpoints are in its directory (a self-managed partition).
struct ManySegmentLog {
  std::string error;
  std::string partition_dir;
  seglog::PartitionConfig config;
  int segments = 0;
  int64_t batches = 0;  // == records == the log end offset: batch i holds offset i
  int files = 0;        // .log + .index + .timeindex
};
const ManySegmentLog& GetManySegmentLog();

}  // namespace seglog_bench

#endif  // SEGLOG_BENCH_DATA_SETS_H_

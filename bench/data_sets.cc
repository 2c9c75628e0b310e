// Building the shared data sets (see data_sets.h).
#include "data_sets.h"
#include "absl/strings/str_cat.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "bench_util.h"
#include "seglog/file_system.h"

namespace seglog_bench {

namespace {

constexpr int64_t kSequentialRecords = 10'000'000;
constexpr int kSequentialBatchRecords = 1000;
constexpr int kBatchesPerAppend = 8;
constexpr int64_t kSequentialSegmentBytes = 128 * kMiB;

constexpr int kManySegments = 1000;
constexpr int kBatchesPerSegment = 2621;  // x 1,000 = 2.62M entries = 10 GiB / 4096
constexpr size_t kManyValueSize = 16;

std::string StatusText(const char* what, const absl::Status& status) {
  return std::string(what) + ": " + status.ToString();
}

SequentialLog BuildSequentialLog() {
  SequentialLog log;
  log.config.segment.segment_bytes = kSequentialSegmentBytes;
  log.partition_dir = ScratchRoot() + "/sequential/bench-0";
  std::fprintf(stderr, "building the sequential data set (%lld records) in %s ...\n",
               static_cast<long long>(kSequentialRecords), log.partition_dir.c_str());
  const int64_t start = NowNanos();
  const std::string& batch = EncodedBatch(kSequentialBatchRecords, kValueSize);
  std::string batches;
  for (int i = 0; i < kBatchesPerAppend; ++i) batches += batch;
  {
    auto partition = seglog::Partition::Open(log.partition_dir, {.fs = PosixFs(),
                                                                .create_if_missing = true,
                                                                .config = log.config,
                                                                .checkpoint = seglog::PartitionCheckpoint{}});
    if (!partition.ok()) {
      log.error = StatusText("open the sequential data set", partition.status());
      return log;
    }
    const int64_t appends = kSequentialRecords / (kSequentialBatchRecords * kBatchesPerAppend);
    for (int64_t i = 0; i < appends; ++i) {
      if (absl::Status s = (*partition)->AppendBatches(batches).status(); !s.ok()) {
        log.error = StatusText("append to the sequential data set", s);
        return log;
      }
    }
    log.records = (*partition)->log_end_offset();
    log.batches = appends * kBatchesPerAppend;
    // Close fsyncs everything, so no writeback of this data set runs during later benchmarks.
    if (absl::Status s = (*partition)->Close(); !s.ok()) {
      log.error = StatusText("close the sequential data set", s);
      return log;
    }
  }
  log.log_files = ListFiles(log.partition_dir, ".log");
  for (const std::string& path : log.log_files) log.bytes += std::filesystem::file_size(path);
  std::fprintf(stderr, "  %zu segments, %.2f GB, built in %.1f s\n", log.log_files.size(),
               static_cast<double>(log.bytes) / 1e9, static_cast<double>(NowNanos() - start) / 1e9);
  return log;
}

// Copies every file of `from_dir` in `from` to `to_dir` on disk.
absl::Status CopyDir(seglog::FileSystem* from, const std::string& from_dir, const std::string& to_dir, int* files) {
  absl::StatusOr<std::vector<std::string>> names = from->ListDir(from_dir);
  if (!names.ok()) return names.status();
  std::filesystem::create_directories(to_dir);
  for (const std::string& name : *names) {
    absl::StatusOr<std::string> bytes = seglog::ReadFileToString(from, seglog::JoinPath(from_dir, name));
    if (!bytes.ok()) return bytes.status();
    const std::string path = to_dir + "/" + name;
    const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0 || !WriteAll(fd, bytes->data(), bytes->size())) {
      const std::string error = std::strerror(errno);
      if (fd >= 0) ::close(fd);
      return absl::InternalError("write " + path + ": " + error);
    }
    ::close(fd);
    ++*files;
  }
  return absl::OkStatus();
}

ManySegmentLog BuildManySegmentLog() {
  ManySegmentLog log;
  const std::string& batch = EncodedBatch(1, kManyValueSize);
  log.config.segment.segment_bytes = static_cast<int64_t>(kBatchesPerSegment * batch.size());
  log.config.segment.index_interval_bytes = 0;  // an offset-index entry for every append after the first
  log.partition_dir = ScratchRoot() + "/many-segments/bench-0";
  std::fprintf(stderr, "building the %d-segment data set in %s ...\n", kManySegments, log.partition_dir.c_str());
  const int64_t start = NowNanos();
  std::unique_ptr<seglog::FileSystem> mem = seglog::NewMemFileSystem();
  const std::string mem_dir = "/many/bench-0";
  // The in-memory file system allocates an active index's whole segment.index.bytes: build with room for
  // one segment's entries rather than 10 MiB (indexes are trimmed to their entries at roll either way; the
  // benchmarks open the data set with the default segment.index.bytes).
  seglog::PartitionConfig build_config = log.config;
  build_config.segment.segment_index_bytes = 64 * 1024;
  {
    auto partition =
        seglog::Partition::Open(mem_dir, {.fs = mem.get(), .create_if_missing = true, .config = build_config});
    if (!partition.ok()) {
      log.error = StatusText("open the many-segment data set", partition.status());
      return log;
    }
    // One batch per append: the segment adds an index entry per append (not per batch).
    for (int64_t i = 0; i < int64_t{kManySegments} * kBatchesPerSegment; ++i) {
      if (absl::Status s = (*partition)->AppendBatches(batch).status(); !s.ok()) {
        log.error = StatusText("append to the many-segment data set", s);
        return log;
      }
    }
    log.segments = (*partition)->num_segments();
    log.batches = (*partition)->log_end_offset();
    if (absl::Status s = (*partition)->Close(); !s.ok()) {
      log.error = StatusText("close the many-segment data set", s);
      return log;
    }
  }
  int files = 0;
  if (absl::Status s = CopyDir(mem.get(), mem_dir, log.partition_dir, &files); !s.ok()) {
    log.error = StatusText("copy the many-segment data set to disk", s);
    return log;
  }
  mem.reset();
  log.files = static_cast<int>(ListFiles(log.partition_dir, ".log").size() + ListFiles(log.partition_dir, ".index").size() +
                               ListFiles(log.partition_dir, ".timeindex").size());
  SyncFileSystem(log.partition_dir);
  std::fprintf(stderr, "  %d segments, %lld batches, %d files copied, built in %.1f s\n", log.segments,
               static_cast<long long>(log.batches), files, static_cast<double>(NowNanos() - start) / 1e9);
  if (log.segments != kManySegments) log.error = absl::StrCat("expected ", kManySegments, " segments");
  return log;
}

}  // namespace

const SequentialLog& GetSequentialLog() {
  static const SequentialLog* const log = new SequentialLog(BuildSequentialLog());
  return *log;
}

const std::string& SequentialLogBytes() {
  static const std::string* const bytes = [] {
    auto* s = new std::string();
    const SequentialLog& log = GetSequentialLog();
    s->reserve(log.bytes);
    std::vector<char> buffer(kMiB);
    for (const std::string& path : log.log_files) {
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      ssize_t n;
      while ((n = ::read(fd, buffer.data(), buffer.size())) > 0) s->append(buffer.data(), static_cast<size_t>(n));
      ::close(fd);
    }
    return s;
  }();
  return *bytes;
}

const ManySegmentLog& GetManySegmentLog() {
  static const ManySegmentLog* const log = new ManySegmentLog(BuildManySegmentLog());
  return *log;
}

}  // namespace seglog_bench

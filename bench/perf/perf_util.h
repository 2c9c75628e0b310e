// What every seglog-perf command shares: exit codes and error messages, Ctrl-C handling, the temporary data
// directory, the clock, Kafka's --throughput throttle, and the keys and values records are made of.
//
//   InstallInterruptHandler();                  // in main(), before any thread starts
//   TempDir temp;  RETURN_IF_ERROR(temp.Create());
//   ValueSource values = ValueSource::Random(100);
//   Throttler throttle(10000, NowNanos());      // 10,000 records/s
//   for (int64_t i = 0; i < n && !Interrupted(); ++i) { throttle.Wait(i); Send(values.Get(rng.Next())); }
//
// Thread safety: Interrupted(), NowNanos() and the const methods of ValueSource / KeySource may be called
// from any thread; Throttler, SplitMix64 and TempDir are used by one thread.
#ifndef SEGLOG_BENCH_PERF_PERF_UTIL_H_
#define SEGLOG_BENCH_PERF_PERF_UTIL_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "seglog/store.h"
#include "seglog/topic.h"

namespace seglog_perf {

// Exit codes: success, runtime error, usage error, interrupted (after printing what was measured).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

// Prints "seglog-perf: <message>" to stderr and returns `code`.
int Fail(std::string_view message, int code = kExitError);
// The status's message (absl::string_view is not std::string_view on Debian 12).
std::string Message(const absl::Status& status);
inline int Fail(const absl::Status& status) { return Fail(Message(status)); }
inline int UsageError(std::string_view message) { return Fail(message, kExitUsage); }

// SIGINT / SIGTERM: the handler only sets a flag (the program's one global). InstallInterruptHandler()
// installs it and blocks both signals in the calling thread, so every thread started afterwards (the Store's,
// the producers' sender threads, our workers) leaves them to the thread that calls AcceptInterrupts() once all
// are started. The handler resets itself: a second Ctrl-C kills the process.
void InstallInterruptHandler();
void AcceptInterrupts();
bool Interrupted();

// std::chrono::steady_clock in nanoseconds.
inline int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A fresh directory $TMPDIR/seglog-perf.XXXXXX (TMPDIR default /tmp), removed with all its contents on
// destruction. Not copyable.
class TempDir {
 public:
  TempDir() = default;
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  absl::Status Create();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Kafka's --throughput: the average rate since `start_ns` stays at or below `per_second` records/s (records
// late because of a stall go out at once, catching up, as in Kafka's ThroughputThrottler). per_second <= 0:
// no limit.
class Throttler {
 public:
  Throttler(double per_second, int64_t start_ns) : per_second_(per_second), start_ns_(start_ns) {}
  // Waits until the record after `sent` records may go; returns early when interrupted.
  void Wait(int64_t sent) const;

 private:
  double per_second_;
  int64_t start_ns_;
};

// A small fast random generator (SplitMix64), one per thread.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// Record values, prepared once. Random(): `size`-byte windows at random offsets of a 1 MiB buffer of random
// uppercase letters (Kafka's characters; Kafka repeats one payload for every record, which flatters
// compression). FromFile(): the file's lines (split on '\n', a trailing '\r' stripped, empty lines dropped), as Kafka's --payload-file.
class ValueSource {
 public:
  static ValueSource Random(size_t size);
  // kNotFound / kInvalidArgument naming the file when it cannot be opened or read, is a directory or has no
  // non-empty line. A trailing '\r' is stripped from each line (CRLF files).
  static absl::StatusOr<ValueSource> FromFile(const std::string& path);

  // The value for the random number `r`.
  std::string_view Get(uint64_t r) const {
    if (!lines_.empty()) return lines_[r % lines_.size()];
    return std::string_view(buffer_).substr(r % (buffer_.size() - size_ + 1), size_);
  }
  bool from_file() const { return !lines_.empty(); }
  // The longest value: Random()'s size or the file's longest line.
  size_t max_size() const { return size_; }
  size_t lines() const { return lines_.size(); }

 private:
  std::string buffer_;
  size_t size_ = 0;
  std::vector<std::string> lines_;
};

// Record keys: none (size 0: null keys) or up to 1,024 distinct random `size`-byte keys used in turn, so
// keyed records spread over the partitions by the default partitioner's hash.
class KeySource {
 public:
  explicit KeySource(size_t size);
  bool null_keys() const { return keys_.empty(); }
  std::string_view Get(uint64_t i) const { return keys_[i % keys_.size()]; }

 private:
  std::vector<std::string> keys_;
};

// Opens the Store at `dir` for writing (creating it). kFailedPrecondition when another process has it open.
absl::StatusOr<std::unique_ptr<seglog::Store>> OpenWritableStore(const std::string& dir);
// The topic, created with `partitions` partitions when missing. When it exists: with `partitions_given` and a
// different count, kInvalidArgument naming both counts; otherwise the existing topic.
absl::StatusOr<std::shared_ptr<seglog::Topic>> EnsureTopic(seglog::Store* store, const std::string& name,
                                                           int32_t partitions, bool partitions_given);

}  // namespace seglog_perf

#endif  // SEGLOG_BENCH_PERF_PERF_UTIL_H_

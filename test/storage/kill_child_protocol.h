// What the SIGKILL crash test (partition_kill_test.cc) and its child process (kill_child.cc) agree on: the
// partition's directory name and configuration, the content of the record at each offset, and the
// fixed-size messages the child writes to its stdout (a pipe to the parent).
//
//   seglog::test::kill::ExpectedRecord r(offset);     // key, value, timestamp and headers of that offset
//   seglog::test::kill::Message m{.type = kAck, .a = base_offset, .b = last_offset};
//   write(1, &m, sizeof(m));                            // <= PIPE_BUF: one atomic write
//
// A record's content depends on its offset alone, so the parent can check every record it finds, whichever
// child (run, seed, mode) wrote it. Header-only and built on seglog's public API: the child links nothing
// but seglog.
//
// Thread safety: ExpectedRecord is a value; the functions are reentrant.
#ifndef SEGLOG_TEST_STORAGE_KILL_CHILD_PROTOCOL_H_
#define SEGLOG_TEST_STORAGE_KILL_CHILD_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "seglog/partition.h"

namespace seglog::test::kill {

inline constexpr std::string_view kPartitionDirName = "orders-0";
inline constexpr int64_t kTimestampBase = 1'700'000'000'000;

// How a child appends (argv[3]).
enum class Mode : int {
  kDurable = 0,   // every append durable
  kMixed = 1,     // durable appends, non-durable appends and explicit Flush()
  kBuffered = 2,  // like kMixed, with PartitionConfig::append_buffer_bytes > 0
};
inline constexpr int kNumModes = 3;

// The configuration every child and the parent open the partition with: small segments so that rolls
// (by size, and by a full index) happen during every run.
inline PartitionConfig KillTestConfig(Mode mode) {
  PartitionConfig config;
  config.segment.segment_bytes = 64 * 1024;
  config.segment.index_interval_bytes = 512;
  config.segment.segment_index_bytes = 1200;  // 150 offset entries, 100 time entries
  if (mode == Mode::kBuffered) config.append_buffer_bytes = 8 * 1024;
  return config;
}

// SplitMix64: the deterministic bits a record's content is made of.
inline uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// The record the children write at `offset`: a null or "key-<offset>" key, a value "rec-<offset>-" followed
// by 0..399 arbitrary bytes, the timestamp kTimestampBase + offset, and for some offsets one header.
struct ExpectedRecord {
  explicit ExpectedRecord(int64_t offset) : timestamp(kTimestampBase + offset) {
    const uint64_t h = Mix(static_cast<uint64_t>(offset));
    if ((h & 7) != 0) key = absl::StrCat("key-", offset);
    value = absl::StrCat("rec-", offset, "-");
    const size_t filler = (h >> 8) % 400;
    uint64_t bits = h;
    for (size_t i = 0; i < filler; ++i) {
      if (i % 8 == 0) bits = Mix(bits + i);
      value.push_back(static_cast<char>(bits >> (8 * (i % 8))));
    }
    if ((h & 0x30) == 0) header_value = absl::StrCat("h-", offset);
  }
  // A Record that points into this object (which must outlive it).
  Record ToRecord() const {
    Record r{.key = std::nullopt, .value = value, .timestamp = timestamp};
    if (key) r.key = *key;
    if (header_value) {
      header = RecordHeader{.key = "trace", .value = *header_value};
      r.headers = {&header, 1};
    }
    return r;
  }

  std::optional<std::string> key;
  std::string value;
  int64_t timestamp;
  std::optional<std::string> header_value;  // header "trace" when set
  mutable RecordHeader header;
};

// The child's messages, in order: kStarted (before Partition::Open), kOpened (a = log end offset after
// recovery, b = 1 if the shutdown before was clean), then kAck after every durable append or Flush that
// returned OK: b = the last offset acknowledged (every offset <= b is durable); a = the append's base offset,
// or -1 for a Flush.
enum MessageType : int64_t { kStarted = 1, kOpened = 2, kAck = 3 };
struct Message {
  int64_t type = 0;
  int64_t a = 0;
  int64_t b = 0;
};

}  // namespace seglog::test::kill

#endif  // SEGLOG_TEST_STORAGE_KILL_CHILD_PROTOCOL_H_

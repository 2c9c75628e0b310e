// `seglog dump` of .index and .timeindex files, and --verify of their entries against the .log beside them.
//
// Layout (doc/format/index-files.md, Kafka's): .index holds 8-byte entries {uint32 offset - base offset,
// uint32 position}; .timeindex 12-byte entries {int64 timestamp, uint32 offset - base offset}, big-endian.
// The active segment's index files are preallocated: the entries end at the first all-zero slot after the
// first entry (as kafka-dump-log.sh reads them).
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "dump.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "seglog/log_files.h"
#include "seglog/sparse_index.h"

namespace seglog_cli {
namespace {

using Json = nlohmann::ordered_json;

uint64_t LoadBigEndian(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}

struct Entry {
  int64_t key = 0;    // offset (.index) or timestamp (.timeindex)
  int64_t value = 0;  // position (.index) or offset (.timeindex)
};

// One batch of the .log, as the index check needs it.
struct LogBatch {
  uint64_t position;
  int64_t base_offset;
  int64_t last_offset;
  int64_t max_timestamp;
};

absl::StatusOr<std::vector<LogBatch>> ScanLog(const std::string& path) {
  absl::StatusOr<std::unique_ptr<LogFileReader>> reader = LogFileReader::Open(path);
  if (!reader.ok()) return reader.status();
  std::vector<LogBatch> batches;
  while (true) {
    absl::StatusOr<std::optional<LogFileReader::Batch>> next = (*reader)->Next(/*with_bytes=*/false);
    if (!next.ok()) return absl::DataLossError(fmt::format("{}: {}", path, Message(next.status())));
    if (!next->has_value()) break;
    const seglog::BatchHeader& h = (*next)->header;
    batches.push_back({(*next)->position, h.base_offset, h.last_offset(), h.max_timestamp});
  }
  return batches;
}

// The batch holding `offset`, or null.
const LogBatch* BatchHolding(const std::vector<LogBatch>& batches, int64_t offset) {
  auto it = std::upper_bound(batches.begin(), batches.end(), offset,
                             [](int64_t o, const LogBatch& b) { return o < b.base_offset; });
  if (it == batches.begin()) return nullptr;
  --it;
  return offset <= it->last_offset ? &*it : nullptr;
}

const LogBatch* BatchAt(const std::vector<LogBatch>& batches, uint64_t position) {
  auto it = std::lower_bound(batches.begin(), batches.end(), position,
                             [](const LogBatch& b, uint64_t p) { return b.position < p; });
  return it != batches.end() && it->position == position ? &*it : nullptr;
}

// Why offset-index entry `e` (after `prev`) is wrong, or "" when it is right: its position starts a batch
// that begins at or before its offset, and its offset ends a batch at or after that position (one append
// may write several batches: Kafka and seglog index the append's last offset at its first batch).
std::string CheckOffsetEntry(const std::vector<LogBatch>& batches, const Entry& e, const Entry* prev) {
  if (prev != nullptr && (e.key <= prev->key || e.value <= prev->value)) {
    return fmt::format("does not increase after the previous entry (offset {}, position {})", prev->key, prev->value);
  }
  const LogBatch* at = BatchAt(batches, static_cast<uint64_t>(e.value));
  if (at == nullptr) return fmt::format("position {} is not the start of a batch in the log", e.value);
  if (at->base_offset > e.key) {
    return fmt::format("the batch at position {} starts at offset {}, after the entry's offset", e.value,
                       at->base_offset);
  }
  const LogBatch* holding = BatchHolding(batches, e.key);
  if (holding == nullptr) return fmt::format("offset {} is in no batch of the log", e.key);
  if (holding->last_offset != e.key) {
    return fmt::format("offset {} is not the last offset of a batch (the batch holding it has offsets {}-{})", e.key,
                       holding->base_offset, holding->last_offset);
  }
  return "";
}

// Time-index entry {timestamp, offset}: the offset is in a batch whose max timestamp is the entry's.
std::string CheckTimeEntry(const std::vector<LogBatch>& batches, const Entry& e, const Entry* prev) {
  if (prev != nullptr && (e.key <= prev->key || e.value < prev->value)) {
    return fmt::format("does not increase after the previous entry (timestamp {}, offset {})", prev->key, prev->value);
  }
  const LogBatch* holding = BatchHolding(batches, e.value);
  if (holding == nullptr) return fmt::format("offset {} is in no batch of the log", e.value);
  if (holding->max_timestamp != e.key) {
    return fmt::format("the batch holding offset {} (offsets {}-{}) has max timestamp {}, not {}", e.value,
                       holding->base_offset, holding->last_offset, holding->max_timestamp, e.key);
  }
  return "";
}

}  // namespace

int DumpIndexFile(const std::string& path, bool time_index, const DumpOptions& options) {
  const std::string_view suffix = time_index ? seglog::kTimeIndexSuffix : seglog::kIndexSuffix;
  const size_t slash = path.rfind('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::optional<seglog::SegmentFile> file = seglog::ParseSegmentFileName(name);
  if (!file || file->suffix != suffix) {
    return Fail(fmt::format("{}: an index file is named <20-digit base offset>{}", path, suffix));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(fmt::format("cannot open {}", path));
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t entry_size = time_index ? seglog::index_format::kTimeEntrySize : seglog::index_format::kOffsetEntrySize;

  int code = kExitOk;
  if (bytes.size() % entry_size != 0) {
    Fail(fmt::format("{}: size {} is not a multiple of the {}-byte entry; the last {} bytes are ignored", path,
                     bytes.size(), entry_size, bytes.size() % entry_size));
    code = kExitError;
  }
  std::vector<Entry> entries;
  for (size_t i = 0; i + entry_size <= bytes.size(); i += entry_size) {
    const char* p = bytes.data() + i;
    if (i > 0 && std::all_of(p, p + entry_size, [](char c) { return c == 0; })) break;  // preallocated slots
    if (time_index) {
      const auto ts = static_cast<int64_t>(LoadBigEndian(p, 8));
      if (i == 0 && ts == 0 && LoadBigEndian(p + 8, 4) == 0) break;
      entries.push_back({ts, file->base_offset + static_cast<int64_t>(LoadBigEndian(p + 8, 4))});
    } else {
      entries.push_back({file->base_offset + static_cast<int64_t>(LoadBigEndian(p, 4)),
                         static_cast<int64_t>(LoadBigEndian(p + 4, 4))});
    }
  }

  std::vector<LogBatch> batches;
  std::string log_path;
  if (options.verify) {
    log_path = path.substr(0, path.size() - suffix.size()) + std::string(seglog::kLogSuffix);
    absl::StatusOr<std::vector<LogBatch>> scanned = ScanLog(log_path);
    if (!scanned.ok()) return Fail(scanned.status(), fmt::format("cannot verify {}", path));
    batches = std::move(*scanned);
  }

  if (!options.json) Out(fmt::format("Dumping {}\n", path));
  int mismatches = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (options.json) {
      // JSON strings must be UTF-8; file names need not be.
      Json json = time_index ? Json{{"file", Utf8OrEscaped(path)}, {"timestamp", e.key}, {"offset", e.value}}
                             : Json{{"file", Utf8OrEscaped(path)}, {"offset", e.key}, {"position", e.value}};
      if (!Out(json.dump() + "\n")) return code;
    } else if (time_index) {
      if (!Out(fmt::format("timestamp: {} offset: {}\n", e.key, e.value))) return code;
    } else {
      if (!Out(fmt::format("offset: {} position: {}\n", e.key, e.value))) return code;
    }
    if (options.verify) {
      const Entry* prev = i > 0 ? &entries[i - 1] : nullptr;
      const std::string problem = time_index ? CheckTimeEntry(batches, e, prev) : CheckOffsetEntry(batches, e, prev);
      if (!problem.empty()) {
        ++mismatches;
        Fail(time_index ? fmt::format("{}: entry {} (timestamp {}, offset {}): {}", path, i, e.key, e.value, problem)
                        : fmt::format("{}: entry {} (offset {}, position {}): {}", path, i, e.key, e.value, problem));
      }
    }
  }
  if (options.verify) {
    if (mismatches > 0) code = kExitError;
    if (!options.json) {
      Out(mismatches == 0
              ? fmt::format("{}: {} entries verified against {}\n", path, entries.size(), log_path)
              : fmt::format("{}: {} of {} entries do not match {}\n", path, mismatches, entries.size(), log_path));
    }
  }
  return code;
}

}  // namespace seglog_cli

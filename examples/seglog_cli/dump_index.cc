// `seglog dump` of .index and .timeindex files, and --verify of their entries against the .log beside them.
//
// The entries are decoded by the library's DecodeIndexFile (seglog/index_file.h: the layout, and where the
// preallocated space of an active segment's index begins).
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
#include "seglog/index_file.h"
#include "seglog/sparse_index.h"

namespace seglog_cli {
namespace {

using Json = nlohmann::ordered_json;

// Offset index: {offset, position}; time index: {timestamp, offset}.
using Entry = seglog::IndexEntry;

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
  const seglog::IndexKind kind = time_index ? seglog::IndexKind::kTime : seglog::IndexKind::kOffset;
  absl::StatusOr<seglog::IndexFileContents> decoded = seglog::DecodeIndexFile(kind, file->base_offset, bytes);
  if (!decoded.ok()) return Fail(fmt::format("{}: {}", path, Message(decoded.status())));

  int code = kExitOk;
  if (decoded->ignored_bytes != 0) {
    Fail(fmt::format("{}: size {} is not a multiple of the {}-byte entry; the last {} bytes are ignored", path,
                     bytes.size(), seglog::index_format::EntrySize(kind), decoded->ignored_bytes));
    code = kExitError;
  }
  const std::vector<Entry>& entries = decoded->entries;

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

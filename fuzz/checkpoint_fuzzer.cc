// seglog_fuzz_checkpoint: Kafka's offset checkpoint files (recovery-point-offset-checkpoint,
// log-start-offset-checkpoint) and what opening a partition or a store does with their offsets.
//
// Byte 0 picks the mode (% 3); the rest is that mode's data:
//   0  decode     the data is a checkpoint file: DecodeOffsetCheckpoint, and an encode/decode round trip of
//                 whatever it accepts.
//   1  partition  a partition directory holding a few segments of valid data gets the data as its two
//   2  store      checkpoint files (mode 1), or a store directory with one two-partition topic gets them as the
//                 store's (mode 2). The data is split at the first NUL: before it the recovery point
//                 checkpoint, after it the log start checkpoint (missing without a NUL). Byte 1 of the data
//                 says whether the clean-shutdown marker stays (bit 0). The partition or store is then opened,
//                 its offsets checked, read, appended to, closed, and reopened: a reopened log keeps its
//                 offsets.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "seglog/file_system.h"
#include "seglog/log_files.h"
#include "seglog/partition.h"
#include "seglog/store.h"
#include "seglog/topic.h"
#include "storage/offset_checkpoint.h"

namespace {

constexpr char kPartitionDir[] = "/p/t-0";
constexpr char kStoreDir[] = "/s";
constexpr char kTopic[] = "t";
constexpr char kRecoveryPointFile[] = "recovery-point-offset-checkpoint";
constexpr char kLogStartFile[] = "log-start-offset-checkpoint";
constexpr char kCleanShutdownFile[] = ".seglog_cleanshutdown";

using Files = std::map<std::string, std::string>;

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "seglog_fuzz_checkpoint: invariant failed: %s\n", what);
    abort();
  }
}

template <typename T>
T Value(absl::StatusOr<T> v, const char* what) {
  if (!v.ok()) fprintf(stderr, "%s: %s\n", what, v.status().ToString().c_str());
  Check(v.ok(), what);
  return *std::move(v);
}

void Snapshot(seglog::FileSystem* fs, const std::string& path, Files* files) {
  absl::StatusOr<std::vector<std::string>> names = fs->ListDir(path);
  if (!names.ok()) {
    (*files)[path] = Value(seglog::ReadFileToString(fs, path), "ReadFileToString");
    return;
  }
  if (names->empty()) (*files)[path + "/"] = "";  // an empty directory
  for (const std::string& name : *names) Snapshot(fs, seglog::JoinPath(path, name), files);
}

void WriteFile(seglog::FileSystem* fs, const std::string& path, std::string_view contents) {
  Check(fs->CreateDirs(seglog::ParentDir(path)).ok(), "CreateDirs");
  auto file = Value(fs->OpenFile(path, {.create = true, .truncate = true}), "OpenFile");
  Check(file->Append(contents).ok() && file->Close().ok(), "write");
}

std::unique_ptr<seglog::FileSystem> Restore(const Files& files) {
  std::unique_ptr<seglog::FileSystem> fs = seglog::NewMemFileSystem();
  for (const auto& [path, contents] : files) {
    if (path.back() == '/') {
      Check(fs->CreateDirs(path).ok(), "CreateDirs");
    } else {
      WriteFile(fs.get(), path, contents);
    }
  }
  return fs;
}

seglog::PartitionConfig SmallSegments() {
  seglog::PartitionConfig config;
  config.segment.segment_bytes = 400;
  config.segment.index_interval_bytes = 100;
  config.segment.segment_index_bytes = 1024;
  return config;
}

void AppendSome(seglog::Partition* p, int batches) {
  for (int i = 0; i < batches; ++i) {
    const seglog::Record records[] = {{.key = "key", .value = "a value", .timestamp = 1700000000000 + i},
                                      {.value = "another value", .timestamp = 1700000000000 + i}};
    Value(p->Append(records), "Append");
  }
}

// A partition directory with four or so segments of valid data, closed cleanly.
const Files& PartitionTemplate() {
  static const Files* files = [] {
    std::unique_ptr<seglog::FileSystem> fs = seglog::NewMemFileSystem();
    auto p = Value(seglog::Partition::Open(kPartitionDir, {.fs = fs.get(), .create_if_missing = true,
                                                           .config = SmallSegments()}),
                   "Partition::Open (template)");
    AppendSome(p.get(), 12);
    Check(p->Close().ok(), "Close (template)");
    auto* out = new Files;
    Snapshot(fs.get(), "/p", out);
    return out;
  }();
  return *files;
}

// A store directory with one two-partition topic of small segments, closed cleanly.
const Files& StoreTemplate() {
  static const Files* files = [] {
    std::unique_ptr<seglog::FileSystem> fs = seglog::NewMemFileSystem();
    auto store = Value(seglog::Store::Open(kStoreDir, {.fs = fs.get(), .recovery_threads = 1}), "Store::Open");
    // Small segments, and small index files (the default preallocates 10 MiB per index: slow to fuzz).
    const seglog::ConfigMap config = {
        {"segment.bytes", "400"}, {"index.interval.bytes", "100"}, {"segment.index.bytes", "4096"}};
    auto topic = Value(store->CreateTopic(kTopic, 2, config), "CreateTopic");
    AppendSome(topic->partition(0).get(), 12);
    AppendSome(topic->partition(1).get(), 3);
    Check(store->Close().ok(), "Store::Close (template)");
    auto* out = new Files;
    Snapshot(fs.get(), kStoreDir, out);
    return out;
  }();
  return *files;
}

void FuzzDecode(std::string_view text) {
  absl::StatusOr<std::vector<seglog::internal::CheckpointEntry>> entries =
      seglog::internal::DecodeOffsetCheckpoint(text);
  if (!entries.ok()) {
    Check(entries.status().code() == absl::StatusCode::kDataLoss, "a malformed checkpoint is not kDataLoss");
    return;
  }
  const std::string encoded = seglog::internal::EncodeOffsetCheckpoint(*entries);
  absl::StatusOr<std::vector<seglog::internal::CheckpointEntry>> again =
      seglog::internal::DecodeOffsetCheckpoint(encoded);
  Check(again.ok() && *again == *entries, "checkpoint encode/decode round trip");
}

// Offsets any open partition must keep in order, and a read at the log start.
void CheckOffsets(const seglog::Partition& p) {
  const int64_t start = p.log_start_offset();
  const int64_t hw = p.high_watermark();
  const int64_t end = p.log_end_offset();
  Check(0 <= start && start <= hw && hw <= end, "log start <= high watermark <= log end");
  Check(p.recovery_point() <= end, "recovery point <= log end");
  if (start < hw) {
    absl::StatusOr<seglog::ReadResult> read = p.Read(start);
    Check(read.ok(), "a read at the log start offset fails");
    Check(!read->bytes.empty(), "a read at the log start offset below the high watermark is empty");
  }
}

// Appends one record; where the offset range has room it must work and land at the old log end.
void AppendOne(seglog::Partition* p) {
  const int64_t end = p->log_end_offset();
  const seglog::Record record{.value = "after reopen", .timestamp = 1700000001000};
  absl::StatusOr<seglog::AppendResult> appended = p->Append({&record, 1});
  if (end < INT64_MAX - (int64_t{1} << 32)) {
    if (!appended.ok()) fprintf(stderr, "Append: %s\n", appended.status().ToString().c_str());
    Check(appended.ok(), "an append fails");
    Check(appended->base_offset == end, "an append does not land at the log end");
  }
}

struct Checkpoints {
  std::string_view recovery_point;
  std::optional<std::string_view> log_start;
  bool keep_marker = false;
};

Checkpoints Split(std::string_view data) {
  Checkpoints c;
  if (data.empty()) return c;
  c.keep_marker = data[0] & 1;
  data.remove_prefix(1);
  const size_t nul = data.find('\0');
  c.recovery_point = data.substr(0, nul);
  if (nul != std::string_view::npos) c.log_start = data.substr(nul + 1);
  return c;
}

void Plant(seglog::FileSystem* fs, const std::string& dir, const Checkpoints& c) {
  WriteFile(fs, seglog::JoinPath(dir, kRecoveryPointFile), c.recovery_point);
  if (c.log_start) {
    WriteFile(fs, seglog::JoinPath(dir, kLogStartFile), *c.log_start);
  } else {
    (void)fs->RemoveFile(seglog::JoinPath(dir, kLogStartFile));
  }
  if (!c.keep_marker) (void)fs->RemoveFile(seglog::JoinPath(dir, kCleanShutdownFile));
}

void FuzzPartition(std::string_view data) {
  const Checkpoints c = Split(data);
  std::unique_ptr<seglog::FileSystem> fs = Restore(PartitionTemplate());
  Plant(fs.get(), kPartitionDir, c);
  const seglog::PartitionOptions options{.fs = fs.get(), .config = SmallSegments()};
  int64_t start = 0;
  int64_t end = 0;
  {
    absl::StatusOr<std::unique_ptr<seglog::Partition>> p = seglog::Partition::Open(kPartitionDir, options);
    if (!p.ok()) return;  // e.g. kDataLoss: the checkpoint says more was fsynced than the log holds
    CheckOffsets(**p);
    AppendOne(p->get());
    CheckOffsets(**p);
    start = (*p)->log_start_offset();
    end = (*p)->log_end_offset();
    Check((*p)->Close().ok(), "Partition::Close");
  }
  auto again = Value(seglog::Partition::Open(kPartitionDir, options), "reopening a cleanly closed partition");
  Check(again->log_start_offset() == start && again->log_end_offset() == end, "a reopened partition moved");
  CheckOffsets(*again);
}

void FuzzStore(std::string_view data) {
  const Checkpoints c = Split(data);
  std::unique_ptr<seglog::FileSystem> fs = Restore(StoreTemplate());
  Plant(fs.get(), kStoreDir, c);
  const seglog::StoreOptions options{.fs = fs.get(), .create_if_missing = false, .recovery_threads = 1};
  std::vector<std::pair<int64_t, int64_t>> offsets;
  {
    absl::StatusOr<std::unique_ptr<seglog::Store>> store = seglog::Store::Open(kStoreDir, options);
    if (!store.ok()) return;
    auto topic = Value((*store)->GetTopic(kTopic), "GetTopic");
    for (int32_t i = 0; i < 2; ++i) {
      std::shared_ptr<seglog::Partition> p = topic->partition(i);
      CheckOffsets(*p);
      AppendOne(p.get());
      CheckOffsets(*p);
      offsets.emplace_back(p->log_start_offset(), p->log_end_offset());
    }
    Check((*store)->Close().ok(), "Store::Close");
  }
  auto again = Value(seglog::Store::Open(kStoreDir, options), "reopening a cleanly closed store");
  auto topic = Value(again->GetTopic(kTopic), "GetTopic");
  for (int32_t i = 0; i < 2; ++i) {
    std::shared_ptr<seglog::Partition> p = topic->partition(i);
    CheckOffsets(*p);
    Check(std::make_pair(p->log_start_offset(), p->log_end_offset()) == offsets[static_cast<size_t>(i)],
          "a reopened store's partition moved");
  }
  Check(again->Close().ok(), "Store::Close (reopened)");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size == 0) return 0;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  switch (bytes[0] % 3) {
    case 0: FuzzDecode(data); break;
    case 1: FuzzPartition(data); break;
    default: FuzzStore(data); break;
  }
  return 0;
}

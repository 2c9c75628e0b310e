// seglog_fuzz_topics_json: the Store's topics.json (DecodeStoreMetadata) and the topic configs it holds
// (TopicConfig::FromMap), and opening a store whose topics.json is the input.
//
// Byte 0 picks the mode (% 3); the rest is that mode's data:
//   0  decode  the data is topics.json: decoded, re-encoded and decoded again (the same metadata), and each
//              topic's config parsed; an accepted config must survive ToMap/NonDefaults -> FromMap.
//   1  config  the data is "key=value" lines, parsed by TopicConfig::FromMap (with the same checks).
//   2  store   the data is the topics.json of a data directory on an in-memory file system, which is opened
//              (when it names at most 16 partitions in all), listed, appended to, closed and reopened.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "seglog/file_system.h"
#include "seglog/store.h"
#include "seglog/topic.h"
#include "seglog/topic_config.h"
#include "store/topics_file.h"

namespace {

constexpr char kStoreDir[] = "/s";
constexpr int kMaxPartitionsOpened = 16;

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "seglog_fuzz_topics_json: invariant failed: %s\n", what);
    abort();
  }
}

void CheckConfig(const seglog::ConfigMap& map) {
  absl::StatusOr<seglog::TopicConfig> config = seglog::TopicConfig::FromMap(map);
  if (!config.ok()) {
    Check(config.status().code() == absl::StatusCode::kInvalidArgument, "a bad config is not kInvalidArgument");
    return;
  }
  absl::StatusOr<seglog::TopicConfig> full = seglog::TopicConfig::FromMap(config->ToMap());
  Check(full.ok() && *full == *config, "config ToMap -> FromMap round trip");
  absl::StatusOr<seglog::TopicConfig> minimal = seglog::TopicConfig::FromMap(config->NonDefaults());
  Check(minimal.ok() && *minimal == *config, "config NonDefaults -> FromMap round trip");
  (void)config->ToPartitionConfig();
}

void FuzzDecode(std::string_view text) {
  absl::StatusOr<seglog::internal::StoreMetadata> m = seglog::internal::DecodeStoreMetadata(text, "fuzz");
  if (!m.ok()) return;
  const std::string encoded = seglog::internal::EncodeStoreMetadata(*m);
  absl::StatusOr<seglog::internal::StoreMetadata> again = seglog::internal::DecodeStoreMetadata(encoded, "fuzz");
  Check(again.ok(), "re-encoded topics.json does not decode");
  Check(*again == *m, "topics.json encode/decode round trip");
  for (const seglog::internal::TopicRecord& t : m->topics) CheckConfig(t.config);
}

void FuzzConfig(std::string_view text) {
  seglog::ConfigMap map;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    map[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  CheckConfig(map);
}

void FuzzStore(std::string_view text) {
  absl::StatusOr<seglog::internal::StoreMetadata> m = seglog::internal::DecodeStoreMetadata(text, "fuzz");
  if (m.ok()) {
    int64_t partitions = 0;
    for (const auto& t : m->topics) partitions += t.partitions;
    if (partitions > kMaxPartitionsOpened) return;  // valid, but too slow to open for a fuzzer
  }
  std::unique_ptr<seglog::FileSystem> fs = seglog::NewMemFileSystem();
  Check(fs->CreateDirs(kStoreDir).ok(), "CreateDirs");
  {
    auto file = fs->OpenFile(std::string(kStoreDir) + "/topics.json", {.create = true});
    Check(file.ok() && (*file)->Append(text).ok() && (*file)->Close().ok(), "writing topics.json");
  }
  seglog::StoreOptions options{.fs = fs.get(), .create_if_missing = false, .recovery_threads = 1};
  options.default_topic_config.segment_index_bytes = 4096;  // not 10 MiB of preallocated index per segment
  std::vector<std::string> names;
  {
    absl::StatusOr<std::unique_ptr<seglog::Store>> store = seglog::Store::Open(kStoreDir, options);
    if (!store.ok()) return;
    names = (*store)->ListTopics();
    for (const std::string& name : names) {
      absl::StatusOr<std::shared_ptr<seglog::Topic>> topic = (*store)->GetTopic(name);
      Check(topic.ok(), "a listed topic is not found");
      const seglog::Record record{.value = "v", .timestamp = 1700000000000};
      (void)(*topic)->partition(0)->Append({&record, 1});
    }
    (void)(*store)->CreateTopic("fuzz-new-topic", 1);
    Check((*store)->Close().ok(), "Store::Close");
  }
  absl::StatusOr<std::unique_ptr<seglog::Store>> again = seglog::Store::Open(kStoreDir, options);
  if (!again.ok()) fprintf(stderr, "reopen: %s\n", again.status().ToString().c_str());
  Check(again.ok(), "reopening a cleanly closed store");
  for (const std::string& name : names) Check((*again)->GetTopic(name).ok(), "a topic is gone after reopening");
  Check((*again)->Close().ok(), "Store::Close (reopened)");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size == 0) return 0;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  switch (bytes[0] % 3) {
    case 0: FuzzDecode(data); break;
    case 1: FuzzConfig(data); break;
    default: FuzzStore(data); break;
  }
  return 0;
}

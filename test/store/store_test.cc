// Store: topics (create, list, get, delete, add partitions), their validation, persistence across restarts,
// topics.json corruption, producer ids and the checkpoint files a Store keeps for its partitions.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "seglog/log_files.h"
#include "seglog/store.h"
#include "storage/offset_checkpoint.h"
#include "store/store_test_util.h"
#include "store/topics_file.h"
#include "support/test_util.h"

namespace seglog {
namespace {

using test::AppendValues;
using test::GetTopicOrDie;
using test::OpenStoreOrDie;
using test::ReadValues;

constexpr char kDir[] = "/data";

struct MemStore {
  std::unique_ptr<FileSystem> fs = NewMemFileSystem();
  StoreOptions Options() const {
    StoreOptions o;
    o.fs = fs.get();
    return o;
  }
  std::unique_ptr<Store> Open() { return OpenStoreOrDie(kDir, Options()); }
};

TEST_CASE("A new Store creates its directory and starts with no topics", "[store]") {
  MemStore m;
  std::unique_ptr<Store> store = m.Open();
  REQUIRE(store->ListTopics().empty());
  REQUIRE(store->dir() == kDir);
  REQUIRE_FALSE(store->read_only());
  REQUIRE_CODE(store->GetTopic("nope"), absl::StatusCode::kNotFound);
  REQUIRE_OK(store->Close());
  REQUIRE_CODE(store->Close(), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(store->GetTopic("nope"), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(store->CreateTopic("t", 1), absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("Opening a missing directory without create_if_missing is kNotFound", "[store]") {
  MemStore m;
  StoreOptions o = m.Options();
  o.create_if_missing = false;
  REQUIRE_CODE(Store::Open(kDir, o), absl::StatusCode::kNotFound);
}

TEST_CASE("CreateTopic makes one directory per partition and GetTopic and ListTopics find it", "[store]") {
  MemStore m;
  std::unique_ptr<Store> store = m.Open();
  absl::StatusOr<std::shared_ptr<Topic>> orders = store->CreateTopic("orders", 3, {{"retention.ms", "86400000"}});
  REQUIRE_OK(orders);
  REQUIRE((*orders)->name() == "orders");
  REQUIRE((*orders)->num_partitions() == 3);
  REQUIRE((*orders)->config().retention_ms == 86400000);
  REQUIRE_OK(store->CreateTopic("audit", 1));
  REQUIRE(store->ListTopics() == std::vector<std::string>{"audit", "orders"});
  REQUIRE(GetTopicOrDie(*store, "orders") == *orders);
  for (int p = 0; p < 3; ++p) {
    REQUIRE(*m.fs->Exists(JoinPath(kDir, PartitionDirName("orders", p))));
    REQUIRE((*orders)->partition(p)->topic_partition() == TopicPartition{"orders", p});
  }
  REQUIRE((*orders)->partition(3) == nullptr);
  REQUIRE((*orders)->partition(-1) == nullptr);
  REQUIRE_CODE((*orders)->GetPartition(3), absl::StatusCode::kNotFound);
  REQUIRE((*orders)->partitions().size() == 3);
  REQUIRE_CODE(store->CreateTopic("orders", 1), absl::StatusCode::kAlreadyExists);
  REQUIRE_OK(store->Close());
  REQUIRE((*orders)->deleted());  // a closed Store's topics refuse work
}

TEST_CASE("Topic names follow Kafka's rules", "[store]") {
  MemStore m;
  std::unique_ptr<Store> store = m.Open();
  for (const std::string& bad : std::vector<std::string>{"", ".", "..", "a b", "a/b", "tópico", "a:b", std::string(250, 'x')}) {
    INFO("name '" << bad << "'");
    REQUIRE_CODE(store->CreateTopic(bad, 1), absl::StatusCode::kInvalidArgument);
  }
  REQUIRE_OK(store->CreateTopic(std::string(249, 'x'), 1));
  REQUIRE_OK(store->CreateTopic("Az09._-", 1));
  REQUIRE_OK(store->CreateTopic("...", 1));
}

TEST_CASE("A topic whose name differs from another only by '.' versus '_' is refused", "[store]") {
  MemStore m;
  std::unique_ptr<Store> store = m.Open();
  REQUIRE_OK(store->CreateTopic("metrics.cpu", 1));
  absl::StatusOr<std::shared_ptr<Topic>> clash = store->CreateTopic("metrics_cpu", 1);
  REQUIRE_CODE(clash, absl::StatusCode::kInvalidArgument);
  REQUIRE(std::string(clash.status().message()).find("metrics.cpu") != std::string::npos);
  REQUIRE_CODE(store->CreateTopic("metrics_cpu", 1), absl::StatusCode::kInvalidArgument);
  REQUIRE(store->ListTopics() == std::vector<std::string>{"metrics.cpu"});
}

TEST_CASE("Partition counts outside 1..100000 are kInvalidArgument", "[store]") {
  MemStore m;
  std::unique_ptr<Store> store = m.Open();
  for (int32_t n : {0, -1, 100001, INT32_MAX}) {
    INFO(n);
    REQUIRE_CODE(store->CreateTopic("t", n), absl::StatusCode::kInvalidArgument);
  }
  REQUIRE(store->ListTopics().empty());
}

TEST_CASE("A bad topic config is kInvalidArgument naming the key and creates nothing", "[store]") {
  MemStore m;
  std::unique_ptr<Store> store = m.Open();
  absl::StatusOr<std::shared_ptr<Topic>> bad = store->CreateTopic("t", 2, {{"retention.ms", "-7"}});
  REQUIRE_CODE(bad, absl::StatusCode::kInvalidArgument);
  REQUIRE(std::string(bad.status().message()).find("retention.ms") != std::string::npos);
  REQUIRE_CODE(store->CreateTopic("t", 2, {{"no.such.key", "1"}}), absl::StatusCode::kInvalidArgument);
  REQUIRE_CODE(store->CreateTopic("t", 2, {{"cleanup.policy", "compact"}}), absl::StatusCode::kInvalidArgument);
  REQUIRE(store->ListTopics().empty());
  REQUIRE_FALSE(*m.fs->Exists(JoinPath(kDir, "t-0")));
}

TEST_CASE("Topics get StoreOptions::default_topic_config under their own settings", "[store]") {
  MemStore m;
  StoreOptions o = m.Options();
  o.default_topic_config.retention_ms = 1234;
  o.default_topic_config.segment_bytes = 4096;
  std::unique_ptr<Store> store = OpenStoreOrDie(kDir, o);
  absl::StatusOr<std::shared_ptr<Topic>> t = store->CreateTopic("t", 1, {{"segment.bytes", "8192"}});
  REQUIRE_OK(t);
  REQUIRE((*t)->config().retention_ms == 1234);
  REQUIRE((*t)->config().segment_bytes == 8192);
  REQUIRE((*t)->partition(0)->config().segment.segment_bytes == 8192);
  REQUIRE((*t)->partition(0)->config().retention_ms == 1234);
}

TEST_CASE("Topics, configs and data survive a restart", "[store]") {
  MemStore m;
  {
    std::unique_ptr<Store> store = m.Open();
    REQUIRE_OK(store->CreateTopic("orders", 2, {{"retention.ms", "3600000"}, {"compression.type", "lz4"}}));
    REQUIRE_OK(store->CreateTopic("logs", 1, {{"message.timestamp.type", "LogAppendTime"}}));
    auto orders = GetTopicOrDie(*store, "orders");
    AppendValues(*orders->partition(0), {"a", "b"});
    AppendValues(*orders->partition(1), {"c"});
    AppendValues(*orders->partition(0), {"d"});
    REQUIRE_OK(store->Close());
  }
  std::unique_ptr<Store> store = m.Open();
  REQUIRE(store->ListTopics() == std::vector<std::string>{"logs", "orders"});
  auto orders = GetTopicOrDie(*store, "orders");
  REQUIRE(orders->num_partitions() == 2);
  REQUIRE(orders->config().retention_ms == 3600000);
  REQUIRE(orders->config().compression == CompressionType::kLz4);
  REQUIRE(GetTopicOrDie(*store, "logs")->config().timestamp_type == TimestampType::kLogAppendTime);
  REQUIRE(ReadValues(*orders->partition(0)) == std::vector<std::string>{"a", "b", "d"});
  REQUIRE(ReadValues(*orders->partition(1)) == std::vector<std::string>{"c"});
  AppendValues(*orders->partition(1), {"e"});
  REQUIRE(orders->partition(1)->log_end_offset() == 2);
}

TEST_CASE("Topics and data survive a restart on the POSIX file system", "[store][posix]") {
  test::TempDir tmp;
  const std::string dir = JoinPath(tmp.path(), "data");
  {
    std::unique_ptr<Store> store = OpenStoreOrDie(dir, {});
    REQUIRE_OK(store->CreateTopic("t", 2, {{"segment.bytes", "1024"}}));
    auto t = GetTopicOrDie(*store, "t");
    for (int i = 0; i < 30; ++i) AppendValues(*t->partition(i % 2), {absl::StrCat("value-", i)});
    REQUIRE_OK(store->Close());
  }
  std::unique_ptr<Store> store = OpenStoreOrDie(dir, {});
  auto t = GetTopicOrDie(*store, "t");
  REQUIRE(t->partition(0)->num_segments() > 1);
  std::vector<std::string> even = ReadValues(*t->partition(0));
  REQUIRE(even.size() == 15);
  REQUIRE(even.front() == "value-0");
  REQUIRE(even.back() == "value-28");
  REQUIRE_OK(store->Close());
}

TEST_CASE("Close leaves one clean-shutdown marker and both checkpoints at the top of the directory", "[store]") {
  MemStore m;
  {
    std::unique_ptr<Store> store = m.Open();
    REQUIRE_FALSE(*m.fs->Exists(JoinPath(kDir, kCleanShutdownFile)));
    REQUIRE_OK(store->CreateTopic("t", 2));
    auto t = GetTopicOrDie(*store, "t");
    AppendValues(*t->partition(0), {"a", "b", "c"});
    REQUIRE_OK(store->Close());
  }
  REQUIRE(*m.fs->Exists(JoinPath(kDir, kCleanShutdownFile)));
  for (const char* sub : {"t-0", "t-1"}) {
    for (std::string_view f : {kCleanShutdownFile, kRecoveryPointCheckpointFile, kLogStartOffsetCheckpointFile,
                               kPartitionLockFile}) {
      INFO(sub << "/" << f);
      REQUIRE_FALSE(*m.fs->Exists(JoinPath(JoinPath(kDir, sub), f)));
    }
  }
  auto rp = internal::ReadOffsetCheckpoint(m.fs.get(), JoinPath(kDir, kRecoveryPointCheckpointFile));
  REQUIRE_OK(rp);
  REQUIRE(*rp == std::vector<internal::CheckpointEntry>{{{"t", 0}, 3}, {{"t", 1}, 0}});
  auto ls = internal::ReadOffsetCheckpoint(m.fs.get(), JoinPath(kDir, kLogStartOffsetCheckpointFile));
  REQUIRE_OK(ls);
  REQUIRE(*ls == std::vector<internal::CheckpointEntry>{{{"t", 0}, 0}, {{"t", 1}, 0}});
  // The next open removes the marker before anything else.
  std::unique_ptr<Store> store = m.Open();
  REQUIRE_FALSE(*m.fs->Exists(JoinPath(kDir, kCleanShutdownFile)));
}

TEST_CASE("Store::Flush persists the recovery points, also after an application's TruncateTo", "[store]") {
  MemStore m;
  std::unique_ptr<Store> store = m.Open();
  REQUIRE_OK(store->CreateTopic("t", 1));
  auto p = GetTopicOrDie(*store, "t")->partition(0);
  for (int i = 0; i < 10; ++i) AppendValues(*p, {absl::StrCat("v", i)});
  REQUIRE_OK(store->Flush());
  const std::string path = JoinPath(kDir, kRecoveryPointCheckpointFile);
  REQUIRE(*internal::ReadOffsetCheckpoint(m.fs.get(), path) == std::vector<internal::CheckpointEntry>{{{"t", 0}, 10}});
  REQUIRE_OK(p->TruncateTo(4));
  REQUIRE_OK(store->Flush());
  REQUIRE(*internal::ReadOffsetCheckpoint(m.fs.get(), path) == std::vector<internal::CheckpointEntry>{{{"t", 0}, 4}});
  REQUIRE_OK(p->DeleteRecordsBefore(2));
  REQUIRE_OK(store->Flush());
  REQUIRE(*internal::ReadOffsetCheckpoint(m.fs.get(), JoinPath(kDir, kLogStartOffsetCheckpointFile)) ==
          std::vector<internal::CheckpointEntry>{{{"t", 0}, 2}});
  REQUIRE_OK(store->Close());
  store = m.Open();
  p = GetTopicOrDie(*store, "t")->partition(0);
  REQUIRE(p->log_start_offset() == 2);
  REQUIRE(ReadValues(*p) == std::vector<std::string>{"v2", "v3"});
}

TEST_CASE("A corrupt topics.json fails Open with kDataLoss naming the file", "[store]") {
  const std::string cases[] = {
      "{not json",
      "[]",
      R"({"version": 1, "topics": {"a": 1}})",
      R"({"version": 1, "topics": [{"name": "a"}]})",
      R"({"version": 1, "topics": [{"name": "a b", "partitions": 1}]})",
      R"({"version": 1, "topics": [{"name": "a", "partitions": 0}]})",
      R"({"version": 1, "topics": [{"name": "a", "partitions": 1, "config": {"retention.ms": "x"}}]})",
      R"({"version": 1, "topics": [{"name": "a", "partitions": 1, "config": {"retention.ms": 5}}]})",
      R"({"version": 1, "topics": [{"name": "b", "partitions": 1}, {"name": "a", "partitions": 1}]})",
      R"({"version": 1, "topics": [], "producer_id_block_end": -3})",
      "",
  };
  for (const std::string& text : cases) {
    INFO(text);
    MemStore m;
    REQUIRE_OK(m.fs->CreateDirs(kDir));
    REQUIRE_OK(WriteFileAtomically(m.fs.get(), JoinPath(kDir, "topics.json"), text));
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(kDir, m.Options());
    REQUIRE_CODE(store, absl::StatusCode::kDataLoss);
    REQUIRE(std::string(store.status().message()).find("/data/topics.json") != std::string::npos);
  }
}

TEST_CASE("topics.json from a newer format version is refused, not misread", "[store]") {
  MemStore m;
  REQUIRE_OK(m.fs->CreateDirs(kDir));
  REQUIRE_OK(WriteFileAtomically(m.fs.get(), JoinPath(kDir, "topics.json"), R"({"version": 2})"));
  REQUIRE_CODE(Store::Open(kDir, m.Options()), absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("A failed Open leaves no clean-shutdown marker behind", "[store]") {
  MemStore m;
  {
    std::unique_ptr<Store> store = m.Open();
    REQUIRE_OK(store->CreateTopic("t", 1));
    REQUIRE_OK(store->Close());
  }
  // A file where a partition directory belongs makes the partition fail to open.
  REQUIRE_OK(m.fs->RemoveFile("/data/t-0/00000000000000000000.index"));
  REQUIRE_OK(m.fs->RemoveFile("/data/t-0/00000000000000000000.timeindex"));
  REQUIRE_OK(m.fs->RemoveFile("/data/t-0/00000000000000000000.log"));
  REQUIRE_OK(m.fs->RemoveDir("/data/t-0"));
  REQUIRE_OK(WriteFileAtomically(m.fs.get(), "/data/t-0", "not a directory"));
  REQUIRE_FALSE(Store::Open(kDir, m.Options()).ok());
  REQUIRE_FALSE(*m.fs->Exists(JoinPath(kDir, kCleanShutdownFile)));
}

TEST_CASE("Directories of partitions that belong to no topic are left alone", "[store]") {
  MemStore m;
  REQUIRE_OK(m.fs->CreateDirs("/data/stray-0"));
  REQUIRE_OK(WriteFileAtomically(m.fs.get(), "/data/stray-0/00000000000000000000.log", "x"));
  REQUIRE_OK(m.fs->CreateDirs("/data/notes"));
  {
    std::unique_ptr<Store> store = m.Open();
    REQUIRE(store->ListTopics().empty());
    REQUIRE_OK(store->Close());
  }
  REQUIRE(*ReadFileToString(m.fs.get(), "/data/stray-0/00000000000000000000.log") == "x");
  REQUIRE(*m.fs->Exists("/data/notes"));
}

TEST_CASE("DeleteTopic removes its files and forgets it durably", "[store]") {
  MemStore m;
  {
    std::unique_ptr<Store> store = m.Open();
    REQUIRE_OK(store->CreateTopic("doomed", 3));
    REQUIRE_OK(store->CreateTopic("kept", 1));
    auto doomed = GetTopicOrDie(*store, "doomed");
    AppendValues(*doomed->partition(1), {"x", "y"});
    std::shared_ptr<Partition> held = doomed->partition(1);
    REQUIRE_OK(store->DeleteTopic("doomed"));
    REQUIRE(doomed->deleted());
    REQUIRE_CODE(held->Append(std::vector<Record>{Record{.value = "z"}}), absl::StatusCode::kFailedPrecondition);
    REQUIRE_CODE(store->GetTopic("doomed"), absl::StatusCode::kNotFound);
    REQUIRE_CODE(store->DeleteTopic("doomed"), absl::StatusCode::kNotFound);
    REQUIRE(store->ListTopics() == std::vector<std::string>{"kept"});
    REQUIRE(*m.fs->ListDir(kDir) == std::vector<std::string>{".lock", "kept-0", "log-start-offset-checkpoint",
                                                            "recovery-point-offset-checkpoint", "topics.json"});
    // The name is free again, for an empty topic.
    absl::StatusOr<std::shared_ptr<Topic>> again = store->CreateTopic("doomed", 2);
    REQUIRE_OK(again);
    REQUIRE((*again)->partition(1)->log_end_offset() == 0);
    REQUIRE_OK(store->DeleteTopic("doomed"));
    REQUIRE_OK(store->Close());
  }
  std::unique_ptr<Store> store = m.Open();
  REQUIRE(store->ListTopics() == std::vector<std::string>{"kept"});
}

TEST_CASE("IncreasePartitions only grows a topic and the new count persists", "[store]") {
  MemStore m;
  {
    std::unique_ptr<Store> store = m.Open();
    REQUIRE_OK(store->CreateTopic("t", 2, {{"retention.ms", "1000"}}));
    auto t = GetTopicOrDie(*store, "t");
    std::shared_ptr<Partition> p0 = t->partition(0);
    REQUIRE_OK(store->IncreasePartitions("t", 5));
    REQUIRE(t->num_partitions() == 5);
    REQUIRE(t->partition(0) == p0);
    REQUIRE(t->partition(4)->config().retention_ms == 1000);
    AppendValues(*t->partition(4), {"new"});
    REQUIRE_CODE(store->IncreasePartitions("t", 5), absl::StatusCode::kInvalidArgument);
    REQUIRE_CODE(store->IncreasePartitions("t", 3), absl::StatusCode::kInvalidArgument);
    REQUIRE_CODE(store->IncreasePartitions("t", 100001), absl::StatusCode::kInvalidArgument);
    REQUIRE_CODE(store->IncreasePartitions("missing", 9), absl::StatusCode::kNotFound);
    REQUIRE_OK(store->Close());
  }
  std::unique_ptr<Store> store = m.Open();
  auto t = GetTopicOrDie(*store, "t");
  REQUIRE(t->num_partitions() == 5);
  REQUIRE(ReadValues(*t->partition(4)) == std::vector<std::string>{"new"});
}

TEST_CASE("Producer ids are never handed out twice, across restarts and block boundaries", "[store]") {
  MemStore m;
  std::set<int64_t> seen;
  for (int restart = 0; restart < 3; ++restart) {
    std::unique_ptr<Store> store = m.Open();
    const int n = restart == 1 ? 1500 : 3;  // crosses a 1000-id block
    for (int i = 0; i < n; ++i) {
      absl::StatusOr<ProducerIdAndEpoch> id = store->AllocateProducerId();
      REQUIRE_OK(id);
      REQUIRE(id->producer_id >= 0);
      REQUIRE(id->epoch == 0);
      REQUIRE(seen.insert(id->producer_id).second);
    }
    REQUIRE_OK(store->Close());
  }
  REQUIRE(seen.size() == 1506);
}

TEST_CASE("Bad StoreOptions are kInvalidArgument", "[store]") {
  MemStore m;
  StoreOptions o = m.Options();
  o.recovery_threads = -1;
  REQUIRE_CODE(Store::Open(kDir, o), absl::StatusCode::kInvalidArgument);
  o = m.Options();
  o.retention_check_interval_ms = 0;
  REQUIRE_CODE(Store::Open(kDir, o), absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Topics created from many threads at once all exist after a restart", "[store]") {
  MemStore m;
  {
    std::unique_ptr<Store> store = m.Open();
    // Catch2's assertions are not thread-safe: the threads record their errors for the test to check.
    std::vector<std::thread> threads;
    std::vector<absl::Status> errors(4);
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&store, &errors, t] {
        for (int i = 0; i < 5 && errors[t].ok(); ++i) {
          absl::StatusOr<std::shared_ptr<Topic>> topic = store->CreateTopic(absl::StrCat("t", t, "-", i), 2);
          if (!topic.ok()) {
            errors[t] = topic.status();
            break;
          }
          const Record r{.value = "x"};
          errors[t] = (*topic)->partition(1)->Append({&r, 1}).status();
        }
        (void)store->ListTopics();
      });
    }
    for (auto& t : threads) t.join();
    for (const absl::Status& e : errors) REQUIRE_OK(e);
    REQUIRE(store->ListTopics().size() == 20);
    REQUIRE_OK(store->Close());
  }
  StoreOptions o = m.Options();
  o.recovery_threads = 3;
  std::unique_ptr<Store> store = OpenStoreOrDie(kDir, o);
  const std::vector<std::string> names = store->ListTopics();
  REQUIRE(names.size() == 20);
  REQUIRE(std::is_sorted(names.begin(), names.end()));
  for (const std::string& name : names) {
    REQUIRE(ReadValues(*GetTopicOrDie(*store, name)->partition(1)) == std::vector<std::string>{"x"});
  }
}

TEST_CASE("topics.json round-trips topics, configs, deletions and the producer-id block", "[store]") {
  internal::StoreMetadata m;
  m.topics = {{"a", 3, {{"retention.ms", "5"}}}, {"b.c", 1, {}}};
  m.deleting = {{"old", 2, {}}};
  m.producer_id_block_end = 4000;
  const std::string text = internal::EncodeStoreMetadata(m);
  absl::StatusOr<internal::StoreMetadata> back = internal::DecodeStoreMetadata(text, "mem");
  REQUIRE_OK(back);
  REQUIRE(*back == m);
}

}  // namespace
}  // namespace seglog

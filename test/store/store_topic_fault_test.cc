// Store: topic changes after failures and leftovers — a bad default config, a rollback that cannot be
// written, directories a new partition would otherwise adopt, a half-failed IncreasePartitions, checkpoint
// entries a failed DeleteTopic left behind, and partition counts in topics.json.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <climits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "seglog/log_files.h"
#include "seglog/store.h"
#include "store/store_test_util.h"
#include "store/topics_file.h"
#include "support/fault_injection_file_system.h"
#include "support/test_util.h"

namespace seglog {
namespace {

using test::AppendValues;
using test::GetTopicOrDie;
using test::OpenStoreOrDie;
using test::ReadValues;

constexpr char kDir[] = "/data";
using Op = FaultInjectionFileSystem::Op;

// A crashable Store, plus looks behind its back.
struct World : test::CrashableStore {
  // Entries of the top-level directory whose names start with `prefix`.
  std::vector<std::string> Entries(const std::string& prefix) {
    absl::StatusOr<std::vector<std::string>> names = mem->ListDir(kDir);
    REQUIRE_OK(names);
    std::vector<std::string> out;
    for (const std::string& n : *names) {
      if (n.starts_with(prefix)) out.push_back(n);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  // Replaces topics.json behind the Store's back (it must be closed).
  void WriteTopicsJson(const std::string& text) {
    REQUIRE_OK(WriteFileAtomically(mem.get(), JoinPath(kDir, "topics.json"), text));
  }
};

TEST_CASE("A bad StoreOptions::default_topic_config is kInvalidArgument naming the key and creates nothing",
          "[store][topic_fault]") {
  struct Case {
    const char* key;
    void (*spoil)(TopicConfig*);
  };
  const Case cases[] = {
      {"cleanup.policy", [](TopicConfig* c) { c->cleanup_policy = "compact"; }},
      {"index.interval.bytes", [](TopicConfig* c) { c->index_interval_bytes = -1; }},
      {"segment.bytes", [](TopicConfig* c) { c->segment_bytes = 1; }},
  };
  for (const Case& c : cases) {
    INFO(c.key);
    World w;
    StoreOptions o = w.Options();
    c.spoil(&o.default_topic_config);
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(kDir, o);
    REQUIRE_CODE(store, absl::StatusCode::kInvalidArgument);
    REQUIRE(std::string(store.status().message()).find(c.key) != std::string::npos);
    REQUIRE(std::string(store.status().message()).find("default_topic_config") != std::string::npos);
    REQUIRE_FALSE(*w.mem->Exists(kDir));
  }
  // A valid non-default default is accepted, stored with the topic and survives a restart.
  World w;
  StoreOptions o = w.Options();
  o.default_topic_config.segment_bytes = 1000;
  {
    std::unique_ptr<Store> store = OpenStoreOrDie(kDir, o);
    REQUIRE_OK(store->CreateTopic("t", 1));
    REQUIRE_OK(store->Close());
  }
  std::unique_ptr<Store> store = w.Open();  // Kafka's defaults now: the topic keeps its own
  REQUIRE(GetTopicOrDie(*store, "t")->config().segment_bytes == 1000);
}

TEST_CASE("A CreateTopic whose rollback cannot be written can be retried and the Store still reopens",
          "[store][topic_fault]") {
  World w;
  std::unique_ptr<Store> store = w.Open();
  // The second partition cannot be created, and then the rollback's topics.json write (the second one) fails.
  w.fs.InjectError(Op::kSyncDir, absl::UnavailableError("injected dir sync"), "/data/t-1", 1);
  std::atomic<int> metadata_syncs{0};
  w.fs.SetSyncHook([&w, &metadata_syncs](const std::string& path) {
    if (path.find("topics.json") != std::string::npos && ++metadata_syncs == 2) {
      w.fs.InjectError(Op::kSync, absl::UnavailableError("injected rollback failure"), "topics.json", 1);
    }
  });
  REQUIRE_CODE(store->CreateTopic("t", 2), absl::StatusCode::kUnavailable);
  REQUIRE(metadata_syncs == 2);
  REQUIRE(store->ListTopics().empty());

  // The retry records the topic once.
  absl::StatusOr<std::shared_ptr<Topic>> t = store->CreateTopic("t", 2);
  REQUIRE_OK(t);
  AppendValues(*(*t)->partition(1), {"x"}, true);
  w.fs.SetSyncHook(nullptr);
  REQUIRE_OK(store->CreateTopic("u", 1));  // another metadata write after the retry
  REQUIRE_OK(store->Close());
  store = w.Open();
  REQUIRE(store->ListTopics() == std::vector<std::string>{"t", "u"});
  REQUIRE(GetTopicOrDie(*store, "t")->num_partitions() == 2);
  REQUIRE(ReadValues(*GetTopicOrDie(*store, "t")->partition(1)) == std::vector<std::string>{"x"});
}

TEST_CASE("CreateTopic removes leftover directories of its partitions instead of adopting their data",
          "[store][topic_fault]") {
  World w;
  {
    std::unique_ptr<Store> store = w.Open();
    auto t = *store->CreateTopic("t", 2);
    AppendValues(*t->partition(0), {"stale-0"}, true);
    AppendValues(*t->partition(1), {"stale-1"}, true);
    REQUIRE_OK(store->Close());
  }
  w.WriteTopicsJson(R"({"version": 1})");  // t-0 and t-1 now belong to no topic
  std::unique_ptr<Store> store = w.Open();
  REQUIRE(store->ListTopics().empty());
  REQUIRE(w.Entries("t-") == std::vector<std::string>{"t-0", "t-1"});  // open leaves them alone

  auto t = *store->CreateTopic("t", 1);
  REQUIRE(t->partition(0)->log_end_offset() == 0);
  REQUIRE(ReadValues(*t->partition(0)).empty());
  AppendValues(*t->partition(0), {"fresh"}, true);
  // Only the new partition's directory was touched; nothing half-removed is left.
  REQUIRE(w.Entries("t-") == std::vector<std::string>{"t-0", "t-1"});
  REQUIRE(w.Entries("t-0.").empty());
  t.reset();
  w.Crash(&store);  // the removal was durable: a crash does not bring the old segments back
  store = w.Open();
  REQUIRE(ReadValues(*GetTopicOrDie(*store, "t")->partition(0)) == std::vector<std::string>{"fresh"});
}

TEST_CASE("IncreasePartitions removes leftover directories of the new partitions instead of adopting them",
          "[store][topic_fault]") {
  World w;
  {
    std::unique_ptr<Store> store = w.Open();
    auto t = *store->CreateTopic("t", 2);
    AppendValues(*t->partition(0), {"kept"}, true);
    AppendValues(*t->partition(1), {"stale"}, true);
    REQUIRE_OK(store->Close());
  }
  w.WriteTopicsJson(R"({"version": 1, "topics": [{"name": "t", "partitions": 1}]})");
  std::unique_ptr<Store> store = w.Open();
  auto t = GetTopicOrDie(*store, "t");
  REQUIRE(t->num_partitions() == 1);
  REQUIRE_OK(store->IncreasePartitions("t", 2));
  REQUIRE(ReadValues(*t->partition(0)) == std::vector<std::string>{"kept"});
  REQUIRE(t->partition(1)->log_end_offset() == 0);
  REQUIRE_OK(store->Close());
  store = w.Open();
  REQUIRE(ReadValues(*GetTopicOrDie(*store, "t")->partition(1)).empty());
}

TEST_CASE("After an IncreasePartitions that failed part-way, a retry starts the new partitions empty and "
          "DeleteTopic removes every directory it created",
          "[store][topic_fault]") {
  World w;
  std::unique_ptr<Store> store = w.Open();
  REQUIRE_OK(store->CreateTopic("t", 1));
  w.fs.InjectError(Op::kSyncDir, absl::UnavailableError("injected"), "/data/t-3", 1);
  REQUIRE_CODE(store->IncreasePartitions("t", 4), absl::StatusCode::kUnavailable);
  auto t = GetTopicOrDie(*store, "t");
  REQUIRE(t->num_partitions() == 1);
  REQUIRE(w.Entries("t-") == std::vector<std::string>{"t-0", "t-1", "t-2", "t-3"});

  SECTION("a retry with a smaller count") {
    REQUIRE_OK(store->IncreasePartitions("t", 2));
    REQUIRE(t->num_partitions() == 2);
    REQUIRE(t->partition(1)->log_end_offset() == 0);
    REQUIRE(w.Entries("t-") == std::vector<std::string>{"t-0", "t-1"});  // t-2 and t-3 went as leftovers
    REQUIRE_OK(store->Close());
    store = w.Open();
    REQUIRE(GetTopicOrDie(*store, "t")->num_partitions() == 2);
    REQUIRE(w.Entries("t-") == std::vector<std::string>{"t-0", "t-1"});
  }
  SECTION("DeleteTopic") {
    REQUIRE_OK(store->DeleteTopic("t"));
    REQUIRE(w.Entries("t-").empty());
    REQUIRE_OK(store->Close());
    store = w.Open();
    REQUIRE(store->ListTopics().empty());
    REQUIRE(w.Entries("t-").empty());
  }
}

TEST_CASE("A topic re-created after a DeleteTopic whose checkpoint write failed keeps its data across a crash",
          "[store][topic_fault]") {
  World w;
  std::unique_ptr<Store> store = w.Open();
  {
    auto old = *store->CreateTopic("t", 1);
    for (int i = 0; i < 10; ++i) AppendValues(*old->partition(0), {absl::StrCat("old-", i)}, true);
    REQUIRE_OK(old->partition(0)->DeleteRecordsBefore(6));
    REQUIRE_OK(store->Flush());  // the checkpoints now say t-0: log start 6, recovery point 10
  }
  // Both checkpoint files match; the first (recovery point) write fails, so neither is rewritten.
  w.fs.InjectError(Op::kRename, absl::UnavailableError("injected"), "offset-checkpoint", 1);
  REQUIRE_CODE(store->DeleteTopic("t"), absl::StatusCode::kUnavailable);
  REQUIRE(store->ListTopics().empty());

  auto t = *store->CreateTopic("t", 1);
  for (const char* v : {"a", "b", "c"}) AppendValues(*t->partition(0), {v}, true);  // acknowledged, durable
  t.reset();
  w.Crash(&store);  // no checkpoint written since the re-create

  store = w.Open();
  t = GetTopicOrDie(*store, "t");
  REQUIRE(t->partition(0)->log_start_offset() == 0);
  REQUIRE(ReadValues(*t->partition(0)) == std::vector<std::string>{"a", "b", "c"});
  REQUIRE_OK(store->Close());
}

TEST_CASE("A topics.json partition count outside 1..100000 is kDataLoss naming the file", "[store][topic_fault]") {
  for (const char* count : {"100001", "2147483647", "0"}) {
    INFO(count);
    World w;
    REQUIRE_OK(w.mem->CreateDirs(kDir));
    w.WriteTopicsJson(std::string(R"({"version": 1, "topics": [{"name": "a", "partitions": )") + count + "}]}");
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(kDir, w.Options());
    REQUIRE_CODE(store, absl::StatusCode::kDataLoss);
    REQUIRE(std::string(store.status().message()).find("/data/topics.json") != std::string::npos);
    REQUIRE(std::string(store.status().message()).find(count) != std::string::npos);
  }
  // The limit itself is accepted.
  absl::StatusOr<internal::StoreMetadata> m = internal::DecodeStoreMetadata(
      R"({"version": 1, "topics": [{"name": "a", "partitions": 100000}]})", "mem");
  REQUIRE_OK(m);
  REQUIRE(m->topics.at(0).partitions == 100000);
}

}  // namespace
}  // namespace seglog

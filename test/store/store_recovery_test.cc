// Store: crashes (unclean shutdown, interrupted create and delete), the directory lock between Stores and
// between processes, and background housekeeping driven by a ManualClock.
#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <string>

#include "absl/strings/str_cat.h"
#include "seglog/log_files.h"
#include "seglog/mutex.h"
#include "seglog/store.h"
#include "store/store_test_util.h"
#include "support/fault_injection_file_system.h"
#include "support/manual_clock.h"
#include "support/test_util.h"

namespace seglog {
namespace {

using test::AppendValues;
using test::GetTopicOrDie;
using test::OpenStoreOrDie;
using test::ReadValues;

constexpr char kDir[] = "/data";

using CrashWorld = test::CrashableStore;

TEST_CASE("After an unclean shutdown the Store recovers every partition and keeps durable data", "[store][crash]") {
  CrashWorld w;
  std::unique_ptr<Store> store = w.Open();
  REQUIRE_OK(store->CreateTopic("t", 3, {{"segment.bytes", "200"}}));
  auto t = GetTopicOrDie(*store, "t");
  for (int p = 0; p < 3; ++p) {
    for (int i = 0; i < 5; ++i) AppendValues(*t->partition(p), {absl::StrCat("p", p, "-", i)}, true);
    AppendValues(*t->partition(p), {"maybe-lost"});
  }
  t.reset();
  w.Crash(&store);
  REQUIRE_FALSE(*w.fs.Exists(JoinPath(kDir, kCleanShutdownFile)));

  store = w.Open();
  t = GetTopicOrDie(*store, "t");
  REQUIRE(t->num_partitions() == 3);
  for (int p = 0; p < 3; ++p) {
    std::vector<std::string> values = ReadValues(*t->partition(p));
    REQUIRE(values.size() >= 5);
    for (int i = 0; i < 5; ++i) REQUIRE(values[i] == absl::StrCat("p", p, "-", i));
    AppendValues(*t->partition(p), {"after"}, true);
  }
  REQUIRE_OK(store->Close());
  store = w.Open();
  REQUIRE(ReadValues(*GetTopicOrDie(*store, "t")->partition(2)).back() == "after");
}

TEST_CASE("A CreateTopic that fails part-way leaves no topic behind, also after a crash", "[store][crash]") {
  CrashWorld w;
  std::unique_ptr<Store> store = w.Open();
  // The second partition's directory cannot be made durable.
  w.fs.InjectError(FaultInjectionFileSystem::Op::kSyncDir, absl::UnavailableError("injected"), "/data/t-1", 1);
  REQUIRE_CODE(store->CreateTopic("t", 2), absl::StatusCode::kUnavailable);
  REQUIRE(store->ListTopics().empty());
  REQUIRE_FALSE(*w.mem->Exists("/data/t-0"));
  REQUIRE_FALSE(*w.mem->Exists("/data/t-1"));
  w.Crash(&store);
  store = w.Open();
  REQUIRE(store->ListTopics().empty());
  REQUIRE_OK(store->CreateTopic("t", 2));
  AppendValues(*GetTopicOrDie(*store, "t")->partition(1), {"ok"});
  REQUIRE_OK(store->Close());
}

TEST_CASE("A crash between the metadata write and the partition directories still opens whole", "[store][crash]") {
  CrashWorld w;
  std::unique_ptr<Store> store = w.Open();
  REQUIRE_OK(store->CreateTopic("t", 2));
  // Lose the directories but keep topics.json: as if the crash came right after the metadata write.
  w.Crash(&store);
  REQUIRE_OK(w.mem->RemoveFile("/data/t-1/00000000000000000000.log"));
  for (const char* f : {"/data/t-1/00000000000000000000.index", "/data/t-1/00000000000000000000.timeindex"}) {
    if (*w.mem->Exists(f)) REQUIRE_OK(w.mem->RemoveFile(f));
  }
  REQUIRE_OK(w.mem->RemoveDir("/data/t-1"));
  store = w.Open();
  auto t = GetTopicOrDie(*store, "t");
  REQUIRE(t->num_partitions() == 2);
  AppendValues(*t->partition(1), {"x"});
  REQUIRE(ReadValues(*t->partition(1)) == std::vector<std::string>{"x"});
}

TEST_CASE("A deletion interrupted before the directories were renamed is finished at the next open",
          "[store][crash]") {
  CrashWorld w;
  std::unique_ptr<Store> store = w.Open();
  REQUIRE_OK(store->CreateTopic("doomed", 2));
  REQUIRE_OK(store->CreateTopic("kept", 1));
  AppendValues(*GetTopicOrDie(*store, "doomed")->partition(0), {"a"}, true);
  // The metadata write succeeds; renaming the first partition directory fails.
  w.fs.InjectError(FaultInjectionFileSystem::Op::kRename, absl::DataLossError("injected"), "doomed-0", 1);
  REQUIRE_FALSE(store->DeleteTopic("doomed").ok());
  REQUIRE(store->ListTopics() == std::vector<std::string>{"kept"});
  w.Crash(&store);
  REQUIRE(*w.mem->Exists("/data/doomed-0"));

  store = w.Open();
  REQUIRE(store->ListTopics() == std::vector<std::string>{"kept"});
  REQUIRE_FALSE(*w.mem->Exists("/data/doomed-0"));
  REQUIRE_FALSE(*w.mem->Exists("/data/doomed-1"));
  // A topic created under the name again starts empty and inherits no checkpoint.
  absl::StatusOr<std::shared_ptr<Topic>> again = store->CreateTopic("doomed", 1);
  REQUIRE_OK(again);
  REQUIRE((*again)->partition(0)->log_end_offset() == 0);
  REQUIRE_OK(store->Close());
}

TEST_CASE("A deletion interrupted after the rename is finished at the next open", "[store][crash]") {
  CrashWorld w;
  std::unique_ptr<Store> store = w.Open();
  REQUIRE_OK(store->CreateTopic("doomed", 2));
  AppendValues(*GetTopicOrDie(*store, "doomed")->partition(1), {"a", "b"}, true);
  // Removing the renamed directory's files fails.
  w.fs.InjectError(FaultInjectionFileSystem::Op::kRemove, absl::DataLossError("injected"), "-delete/", 100);
  REQUIRE_FALSE(store->DeleteTopic("doomed").ok());
  w.Crash(&store);
  std::vector<std::string> names = *w.mem->ListDir(kDir);
  REQUIRE(std::count_if(names.begin(), names.end(), [](const std::string& n) { return n.ends_with("-delete"); }) == 2);

  store = w.Open();
  REQUIRE(store->ListTopics().empty());
  names = *w.mem->ListDir(kDir);
  REQUIRE(std::none_of(names.begin(), names.end(), [](const std::string& n) { return n.starts_with("doomed"); }));
}

TEST_CASE("Producer ids stay unique across a crash", "[store][crash]") {
  CrashWorld w;
  std::unique_ptr<Store> store = w.Open();
  absl::StatusOr<ProducerIdAndEpoch> first = store->AllocateProducerId();
  REQUIRE_OK(first);
  w.Crash(&store);
  store = w.Open();
  absl::StatusOr<ProducerIdAndEpoch> second = store->AllocateProducerId();
  REQUIRE_OK(second);
  REQUIRE(second->producer_id != first->producer_id);
  REQUIRE(second->producer_id >= 1000);  // the crashed Store's whole block is skipped
}

TEST_CASE("A second Store on the same directory in the same process is kFailedPrecondition", "[store][lock]") {
  test::TempDir tmp;
  const std::string dir = JoinPath(tmp.path(), "data");
  std::unique_ptr<Store> first = OpenStoreOrDie(dir, {});
  absl::StatusOr<std::unique_ptr<Store>> second = Store::Open(dir, {});
  REQUIRE_CODE(second, absl::StatusCode::kFailedPrecondition);
  REQUIRE(std::string(second.status().message()).find("in use by another Store") != std::string::npos);
  REQUIRE(std::string(second.status().message()).find(dir) != std::string::npos);
  REQUIRE_OK(first->Close());
  // Released by Close.
  std::unique_ptr<Store> third = OpenStoreOrDie(dir, {});
  REQUIRE_OK(third->Close());
}

TEST_CASE("Another process cannot open a directory a Store holds, and can once it is closed", "[store][lock]") {
  test::TempDir tmp;
  const std::string dir = JoinPath(tmp.path(), "data");
  std::unique_ptr<Store> store = OpenStoreOrDie(dir, {});
  REQUIRE_OK(store->CreateTopic("t", 1));
  // The child exits 0 when Open fails with kFailedPrecondition, 1 when it succeeds, 2 on any other error.
  auto child_open = [&dir]() -> int {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      absl::StatusOr<std::unique_ptr<Store>> s = Store::Open(dir, {});
      if (s.ok()) {
        (*s)->Close().IgnoreError();
        _exit(1);
      }
      _exit(s.status().code() == absl::StatusCode::kFailedPrecondition ? 0 : 2);
    }
    int wstatus = 0;
    REQUIRE(waitpid(pid, &wstatus, 0) == pid);
    REQUIRE(WIFEXITED(wstatus));
    return WEXITSTATUS(wstatus);
  };
  REQUIRE(child_open() == 0);
  REQUIRE_OK(store->Close());
  REQUIRE(child_open() == 1);
}

// Waits for background housekeeping passes reported through StoreOptions::housekeeping_listener.
class PassLog {
 public:
  void Add(const absl::StatusOr<HousekeepingResult>& r) {
    MutexLock lock(&mu_);
    passes_.push_back(r);
    added_.SignalAll();
  }
  // Blocks (without polling) until the n-th pass has been reported, and returns it.
  absl::StatusOr<HousekeepingResult> AwaitPass(size_t n) {
    MutexLock lock(&mu_);
    while (passes_.size() < n) added_.Wait(&mu_);
    return passes_[n - 1];
  }

 private:
  Mutex mu_;
  CondVar added_;
  std::vector<absl::StatusOr<HousekeepingResult>> passes_ ABSL_GUARDED_BY(mu_);
};

TEST_CASE("Background housekeeping deletes expired segments when the clock says so", "[store][housekeeping]") {
  CrashWorld w;
  ManualClock clock;
  PassLog log;
  StoreOptions o = w.Options();
  o.clock = &clock;
  o.background_housekeeping = true;
  o.retention_check_interval_ms = 1000;
  o.flush_check_interval_ms = 1000;
  o.checkpoint_interval_ms = 1000;
  o.housekeeping_listener = [&log](const absl::StatusOr<HousekeepingResult>& r) { log.Add(r); };
  std::unique_ptr<Store> store = OpenStoreOrDie(kDir, o);
  REQUIRE_OK(store->CreateTopic("t", 1, {{"retention.ms", "5000"}, {"segment.bytes", "100"}}));
  std::shared_ptr<Partition> p = GetTopicOrDie(*store, "t")->partition(0);
  for (int i = 0; i < 5; ++i) AppendValues(*p, {absl::StrCat("old-record-", i)});
  REQUIRE(p->num_segments() >= 5);

  clock.AwaitWaiters(1);  // the housekeeping thread waits for its first deadline
  clock.Advance(absl::Seconds(1));
  absl::StatusOr<HousekeepingResult> first = log.AwaitPass(1);
  REQUIRE_OK(first);
  REQUIRE(first->segments_deleted == 0);  // nothing is 5 s old yet
  REQUIRE(p->log_start_offset() == 0);

  clock.AwaitWaiters(1);
  clock.Advance(absl::Seconds(10));
  absl::StatusOr<HousekeepingResult> second = log.AwaitPass(2);
  REQUIRE_OK(second);
  REQUIRE(second->segments_deleted >= 5);
  REQUIRE(second->bytes_deleted > 0);
  REQUIRE(p->log_start_offset() == 5);
  REQUIRE(ReadValues(*p).empty());
  REQUIRE_OK(store->Close());  // stops the thread promptly, whatever the clock says
}

TEST_CASE("RunHousekeeping enforces retention and flush.ms on demand", "[store][housekeeping]") {
  CrashWorld w;
  ManualClock clock;
  StoreOptions o = w.Options();
  o.clock = &clock;
  std::unique_ptr<Store> store = OpenStoreOrDie(kDir, o);
  REQUIRE_OK(store->CreateTopic("t", 2, {{"retention.ms", "5000"}, {"segment.bytes", "100"}, {"flush.ms", "1000"}}));
  auto t = GetTopicOrDie(*store, "t");
  for (int i = 0; i < 4; ++i) AppendValues(*t->partition(0), {absl::StrCat("r", i)});
  AppendValues(*t->partition(1), {"keep"});
  clock.Advance(absl::Seconds(2));
  absl::StatusOr<HousekeepingResult> r = store->RunHousekeeping();
  REQUIRE_OK(r);
  REQUIRE(r->segments_deleted == 0);
  REQUIRE(r->partitions_flushed == 2);  // flush.ms passed for both
  REQUIRE(t->partition(0)->recovery_point() == 4);
  clock.Advance(absl::Seconds(10));
  r = store->RunHousekeeping();
  REQUIRE_OK(r);
  REQUIRE(r->segments_deleted >= 4);
  REQUIRE(t->partition(0)->log_start_offset() == 4);
  REQUIRE(t->partition(1)->log_start_offset() == 1);
}

}  // namespace
}  // namespace seglog

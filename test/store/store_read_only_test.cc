// Store: read-only opens see the data beside a writer that holds the directory, refuse changes and leave
// every file byte-identical.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "seglog/log_files.h"
#include "seglog/store.h"
#include "store/store_test_util.h"
#include "support/test_util.h"

namespace seglog {
namespace {

using test::AppendValues;
using test::GetTopicOrDie;
using test::OpenStoreOrDie;
using test::ReadValues;

// Every file under `dir` (recursively) with its bytes.
std::map<std::string, std::string> Snapshot(FileSystem* fs, const std::string& dir) {
  std::map<std::string, std::string> files;
  absl::StatusOr<std::vector<std::string>> names = fs->ListDir(dir);
  REQUIRE_OK(names);
  for (const std::string& name : *names) {
    const std::string path = JoinPath(dir, name);
    if (fs->ListDir(path).ok()) {
      for (auto& [p, bytes] : Snapshot(fs, path)) files.emplace(p, std::move(bytes));
    } else {
      absl::StatusOr<std::string> bytes = ReadFileToString(fs, path);
      REQUIRE_OK(bytes);
      files.emplace(path, std::move(*bytes));
    }
  }
  return files;
}

StoreOptions ReadOnly() {
  StoreOptions o;
  o.read_only = true;
  return o;
}

TEST_CASE("A read-only Store beside a writer sees its data and leaves every file byte-identical",
          "[store][read_only]") {
  test::TempDir tmp;
  const std::string dir = JoinPath(tmp.path(), "data");
  std::unique_ptr<FileSystem> posix = NewPosixFileSystem();
  std::unique_ptr<Store> writer = OpenStoreOrDie(dir, {});
  REQUIRE_OK(writer->CreateTopic("t", 2, {{"segment.bytes", "200"}}));
  auto t = GetTopicOrDie(*writer, "t");
  for (int i = 0; i < 10; ++i) AppendValues(*t->partition(i % 2), {absl::StrCat("v", i)}, i < 6);
  REQUIRE_OK(t->partition(0)->Flush());
  const std::map<std::string, std::string> before = Snapshot(posix.get(), dir);

  {
    std::unique_ptr<Store> reader = OpenStoreOrDie(dir, ReadOnly());  // the writer holds the lock: no matter
    REQUIRE(reader->read_only());
    REQUIRE(reader->ListTopics() == std::vector<std::string>{"t"});
    auto rt = GetTopicOrDie(*reader, "t");
    REQUIRE(ReadValues(*rt->partition(0)) == std::vector<std::string>{"v0", "v2", "v4", "v6", "v8"});
    REQUIRE(ReadValues(*rt->partition(1)) == std::vector<std::string>{"v1", "v3", "v5", "v7", "v9"});
    REQUIRE_CODE(reader->CreateTopic("u", 1), absl::StatusCode::kFailedPrecondition);
    absl::Status deleted = reader->DeleteTopic("t");
    REQUIRE_CODE(deleted, absl::StatusCode::kFailedPrecondition);
    REQUIRE(std::string(deleted.message()).find("read-only") != std::string::npos);
    REQUIRE_CODE(reader->IncreasePartitions("t", 3), absl::StatusCode::kFailedPrecondition);
    REQUIRE_CODE(reader->AllocateProducerId(), absl::StatusCode::kFailedPrecondition);
    REQUIRE_CODE(reader->RunHousekeeping(), absl::StatusCode::kFailedPrecondition);
    REQUIRE_OK(reader->Flush());
    REQUIRE_OK(reader->Close());
  }
  REQUIRE(Snapshot(posix.get(), dir) == before);
  // The writer carries on untouched.
  AppendValues(*t->partition(0), {"after"}, true);
  REQUIRE_OK(writer->Close());
  std::unique_ptr<Store> reopened = OpenStoreOrDie(dir, {});
  REQUIRE(ReadValues(*GetTopicOrDie(*reopened, "t")->partition(0)).back() == "after");
}

TEST_CASE("A read-only Store of a cleanly closed directory changes nothing, not even the marker",
          "[store][read_only]") {
  test::TempDir tmp;
  const std::string dir = JoinPath(tmp.path(), "data");
  std::unique_ptr<FileSystem> posix = NewPosixFileSystem();
  {
    std::unique_ptr<Store> writer = OpenStoreOrDie(dir, {});
    REQUIRE_OK(writer->CreateTopic("t", 1));
    AppendValues(*GetTopicOrDie(*writer, "t")->partition(0), {"a", "b"});
    REQUIRE_OK(writer->Close());
  }
  const std::map<std::string, std::string> before = Snapshot(posix.get(), dir);
  REQUIRE(before.count(JoinPath(dir, kCleanShutdownFile)) == 1);
  {
    std::unique_ptr<Store> reader = OpenStoreOrDie(dir, ReadOnly());
    REQUIRE(ReadValues(*GetTopicOrDie(*reader, "t")->partition(0)) == std::vector<std::string>{"a", "b"});
    // Appending through a read-only Store's partition succeeds in its private in-memory snapshot only: the
    // reader sees it, the directory never does (checked below).
    AppendValues(*GetTopicOrDie(*reader, "t")->partition(0), {"private"});
    REQUIRE(ReadValues(*GetTopicOrDie(*reader, "t")->partition(0)) ==
            std::vector<std::string>{"a", "b", "private"});
  }  // destroyed without Close
  REQUIRE(Snapshot(posix.get(), dir) == before);
}

TEST_CASE("A read-only open of a missing directory is kNotFound and creates nothing", "[store][read_only]") {
  test::TempDir tmp;
  const std::string dir = JoinPath(tmp.path(), "missing");
  REQUIRE_CODE(Store::Open(dir, ReadOnly()), absl::StatusCode::kNotFound);
  std::unique_ptr<FileSystem> posix = NewPosixFileSystem();
  REQUIRE_FALSE(*posix->Exists(dir));
}

}  // namespace
}  // namespace seglog

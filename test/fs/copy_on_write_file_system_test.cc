// The copy-on-write FileSystem over POSIX: reads see the base, every change lands in private memory, and
// the base stays byte-identical — checked file by file, including for a partition opened (cleanly, and after
// an unclean shutdown that needs truncation and index rebuilds) through the view.
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "seglog/file_system.h"
#include "seglog/log_files.h"
#include "seglog/partition.h"
#include "support/test_util.h"

namespace seglog {
namespace {

// Every file under `dir` (recursively), by path: its contents (directories map to "<dir>").
std::map<std::string, std::string> Snapshot(FileSystem* fs, const std::string& dir) {
  std::map<std::string, std::string> files;
  auto names = fs->ListDir(dir);
  REQUIRE_OK(names);
  for (const std::string& name : *names) {
    const std::string path = JoinPath(dir, name);
    if (fs->FileSize(path).ok()) {
      auto contents = ReadFileToString(fs, path);
      REQUIRE_OK(contents);
      REQUIRE(fs->FileSize(path).value() == contents->size());
      files[path] = *contents;
    } else {
      files[path] = "<dir>";
      for (auto& [p, c] : Snapshot(fs, path)) files[p] = c;
    }
  }
  return files;
}

std::string Read(FileSystem* fs, const std::string& path) {
  auto contents = ReadFileToString(fs, path);
  REQUIRE_OK(contents);
  return *contents;
}

void Write(FileSystem* fs, const std::string& path, std::string_view contents) {
  auto file = fs->OpenFile(path, {.create = true, .truncate = true});
  REQUIRE_OK(file);
  REQUIRE_OK((*file)->Append(contents));
  REQUIRE_OK((*file)->Close());
}

struct Base {
  Base() {
    REQUIRE_OK(posix->CreateDirs(JoinPath(root, "sub")));
    Write(posix.get(), JoinPath(root, "a.txt"), "hello");
    Write(posix.get(), JoinPath(root, "sub/b.txt"), "world");
    Write(posix.get(), JoinPath(root, "e.txt"), "base e");
    before = Snapshot(posix.get(), root);
  }
  std::string P(std::string_view name) const { return JoinPath(root, name); }
  test::TempDir dir;
  std::string root = dir.path();
  std::unique_ptr<FileSystem> posix = NewPosixFileSystem();
  std::map<std::string, std::string> before;
};

TEST_CASE("The copy-on-write view reads the base and keeps every change private", "[cow]") {
  Base base;
  std::unique_ptr<FileSystem> cow = NewCopyOnWriteFileSystem(base.posix.get());
  FileSystem* fs = cow.get();
  REQUIRE(Read(fs, base.P("a.txt")) == "hello");
  REQUIRE(fs->ListDir(base.root).value() == std::vector<std::string>{"a.txt", "e.txt", "sub"});
  REQUIRE(fs->Exists(base.P("sub")).value());
  REQUIRE_CODE(fs->FileSize(base.P("sub")), absl::StatusCode::kInternal);  // EISDIR, as on POSIX

  SECTION("appends and positional writes") {
    auto file = fs->OpenFile(base.P("a.txt"), {});
    REQUIRE_OK(file);
    REQUIRE_OK((*file)->Append(" there"));
    REQUIRE_OK((*file)->WriteAt(0, "J"));
    REQUIRE_OK((*file)->Sync());
    REQUIRE(Read(fs, base.P("a.txt")) == "Jello there");
    REQUIRE(fs->FileSize(base.P("a.txt")).value() == 11);
    REQUIRE((*file)->NativeHandle() == -1);
  }
  SECTION("truncation, open with truncate, exclusive create") {
    auto file = fs->OpenFile(base.P("a.txt"), {});
    REQUIRE_OK(file);
    REQUIRE_OK((*file)->Truncate(2));
    REQUIRE(Read(fs, base.P("a.txt")) == "he");
    REQUIRE_OK(fs->OpenFile(base.P("e.txt"), {.truncate = true}));
    REQUIRE(fs->FileSize(base.P("e.txt")).value() == 0);
    REQUIRE_CODE(fs->OpenFile(base.P("sub/b.txt"), {.create = true, .exclusive = true}),
                 absl::StatusCode::kAlreadyExists);
    REQUIRE_CODE(fs->OpenFile(base.P("missing"), {}), absl::StatusCode::kNotFound);
  }
  SECTION("creation, removal, rename and directories") {
    Write(fs, base.P("c.txt"), "new");
    REQUIRE_OK(WriteFileAtomically(fs, base.P("sub/meta"), "m"));
    REQUIRE_OK(fs->RemoveFile(base.P("sub/b.txt")));
    REQUIRE_FALSE(fs->Exists(base.P("sub/b.txt")).value());
    REQUIRE_CODE(fs->RemoveFile(base.P("sub/b.txt")), absl::StatusCode::kNotFound);
    REQUIRE_OK(fs->Rename(base.P("e.txt"), base.P("sub/e2.txt")));  // never modified: still read from base
    REQUIRE_FALSE(fs->Exists(base.P("e.txt")).value());
    REQUIRE(Read(fs, base.P("sub/e2.txt")) == "base e");
    REQUIRE(fs->ListDir(base.P("sub")).value() == std::vector<std::string>{"e2.txt", "meta"});
    REQUIRE(fs->ListDir(base.root).value() == std::vector<std::string>{"a.txt", "c.txt", "sub"});
    REQUIRE_OK(fs->CreateDirs(base.P("x/y")));
    REQUIRE_OK(fs->SyncDir(base.P("x/y")));
    Write(fs, base.P("x/y/z"), "deep");
    REQUIRE_CODE(fs->RemoveDir(base.P("x")), absl::StatusCode::kInternal);  // ENOTEMPTY
    REQUIRE_OK(fs->RemoveFile(base.P("sub/e2.txt")));
    REQUIRE_OK(fs->RemoveFile(base.P("sub/meta")));
    REQUIRE_OK(fs->RemoveDir(base.P("sub")));
    REQUIRE_FALSE(fs->Exists(base.P("sub")).value());
    REQUIRE_CODE(fs->ListDir(base.P("sub")), absl::StatusCode::kNotFound);
    // A directory made again where a base one was removed shows none of the base's entries.
    REQUIRE_OK(fs->CreateDirs(base.P("sub")));
    REQUIRE(fs->ListDir(base.P("sub")).value().empty());
    REQUIRE_FALSE(fs->Exists(base.P("sub/b.txt")).value());
    REQUIRE_CODE(fs->Rename(base.P("x"), base.P("w")), absl::StatusCode::kUnimplemented);
    // The base's file comes back under its name only as a fresh private file.
    Write(fs, base.P("sub/b.txt"), "private");
    REQUIRE(Read(fs, base.P("sub/b.txt")) == "private");
  }
  SECTION("handles follow the file across another handle's first write, renames and removal") {
    auto reader = fs->OpenFile(base.P("a.txt"), {.read_only = true});
    REQUIRE_OK(reader);
    auto region = (*reader)->MapForRead(1 << 20);  // more than the file: cut to what exists
    REQUIRE_OK(region);
    REQUIRE((*region)->length() == 5);
    auto writer = fs->OpenFile(base.P("a.txt"), {});
    REQUIRE_OK(writer);
    REQUIRE_OK((*writer)->Append("!!"));
    char buf[16] = {};
    REQUIRE((*reader)->ReadAt(0, absl::MakeSpan(buf, sizeof(buf))).value() == 7);
    REQUIRE(std::string(buf, 7) == "hello!!");
    REQUIRE(std::string((*region)->data(), 5) == "hello");
    auto again = (*reader)->MapForRead(7);
    REQUIRE_OK(again);
    REQUIRE(std::string((*again)->data(), 7) == "hello!!");
    REQUIRE_CODE((*reader)->Append("x"), absl::StatusCode::kFailedPrecondition);
    REQUIRE_OK(fs->Rename(base.P("a.txt"), base.P("moved")));
    REQUIRE_OK(fs->RemoveFile(base.P("moved")));
    REQUIRE_OK((*writer)->Append("?"));
    REQUIRE((*reader)->Size().value() == 8);
  }
  SECTION("MapFile maps a private copy") {
    {
      auto map = fs->MapFile(base.P("a.txt"), 8);
      REQUIRE_OK(map);
      REQUIRE(std::string((*map)->data(), 8) == std::string("hello\0\0\0", 8));
      (*map)->data()[0] = 'y';
      REQUIRE_OK((*map)->Sync());
    }
    REQUIRE(Read(fs, base.P("a.txt")) == std::string("yello\0\0\0", 8));
  }
  SECTION("locks are the view's own") {
    auto lock = fs->LockFile(base.P("sub/.lock"));
    REQUIRE_OK(lock);
    REQUIRE_CODE(fs->LockFile(base.P("sub/.lock")), absl::StatusCode::kFailedPrecondition);
    REQUIRE(fs->Exists(base.P("sub/.lock")).value());
    // The base file is never locked (nor created).
    auto other = NewCopyOnWriteFileSystem(base.posix.get());
    REQUIRE_OK(other->LockFile(base.P("sub/.lock")));
    lock->reset();
    REQUIRE_OK(fs->LockFile(base.P("sub/.lock")));
  }
  cow.reset();
  REQUIRE(Snapshot(base.posix.get(), base.root) == base.before);
}

// A partition written through POSIX: `segments` segments of records "v<i>".
constexpr int kRecords = 60;

PartitionConfig SmallSegments() {
  PartitionConfig config;
  config.segment.segment_bytes = 1024;
  config.segment.index_interval_bytes = 128;
  return config;
}

std::vector<std::string> ReadValues(const Partition& p) {
  std::vector<std::string> values;
  int64_t offset = p.log_start_offset();
  while (true) {
    auto read = p.Read(offset);
    REQUIRE_OK(read);
    if (read->bytes.empty()) break;
    auto batches = test::DecodeLog(read->bytes);
    REQUIRE_OK(batches);
    for (const auto& b : *batches) {
      for (const auto& r : b.records) values.push_back(r.value.value_or("<null>"));
    }
    offset = read->next_offset;
  }
  return values;
}

void WritePartition(FileSystem* fs, const std::string& dir) {
  auto p = Partition::Open(dir, {.fs = fs, .create_if_missing = true, .config = SmallSegments()});
  REQUIRE_OK(p);
  for (int i = 0; i < kRecords; ++i) {
    const std::string value = absl::StrCat("v", i, std::string(40, 'x'));
    const Record r{.key = "k", .value = value};
    REQUIRE_OK((*p)->Append({&r, 1}));
  }
  REQUIRE_OK((*p)->Close());
}

TEST_CASE("A partition opened through the copy-on-write view leaves every base file byte-identical", "[cow]") {
  test::TempDir tmp;
  std::unique_ptr<FileSystem> posix = NewPosixFileSystem();
  const std::string dir = JoinPath(tmp.path(), "orders-0");
  WritePartition(posix.get(), dir);
  REQUIRE(posix->ListDir(dir).value().size() > 6);  // several segments

  const bool unclean = GENERATE(false, true);
  int64_t expected_end = kRecords;
  if (unclean) {
    // A crash's leftovers: no clean-shutdown marker, a torn tail on the last segment, missing indexes.
    REQUIRE_OK(posix->RemoveFile(JoinPath(dir, kCleanShutdownFile)));
    auto bases = posix->ListDir(dir).value();
    std::vector<int64_t> logs;
    for (const std::string& name : bases) {
      if (auto f = ParseSegmentFileName(name); f && f->suffix == kLogSuffix) logs.push_back(f->base_offset);
    }
    REQUIRE(logs.size() >= 3);
    REQUIRE_OK(posix->RemoveFile(JoinPath(dir, SegmentFileName(logs.front(), kIndexSuffix))));
    REQUIRE_OK(posix->RemoveFile(JoinPath(dir, SegmentFileName(logs.back(), kTimeIndexSuffix))));
    auto last = posix->OpenFile(JoinPath(dir, SegmentFileName(logs.back(), kLogSuffix)), {});
    REQUIRE_OK(last);
    REQUIRE_OK((*last)->Append(std::string(100, '\x7f')));
    REQUIRE_OK((*last)->Close());
    // The recovery point (checkpointed at close) is the log end, so recovery validates the last segment.
  }
  const auto before = Snapshot(posix.get(), tmp.path());

  for (int round = 0; round < 2; ++round) {  // the second view finds the base exactly as the first did
    std::unique_ptr<FileSystem> cow = NewCopyOnWriteFileSystem(posix.get());
    RecoveryReport report;
    auto p = Partition::Open(dir, {.fs = cow.get(), .config = SmallSegments()}, &report);
    REQUIRE_OK(p);
    REQUIRE(report.clean_shutdown == !unclean);
    if (unclean) {
      REQUIRE(report.bytes_truncated == 100);
      REQUIRE(report.segments_recovered >= 2);
    } else {
      REQUIRE(report.segments_recovered == 0);
    }
    REQUIRE((*p)->log_end_offset() == expected_end);
    const std::vector<std::string> values = ReadValues(**p);
    REQUIRE(values.size() == static_cast<size_t>(kRecords));
    for (int i = 0; i < kRecords; ++i) REQUIRE(values[i] == absl::StrCat("v", i, std::string(40, 'x')));
    auto ts = (*p)->OffsetForTimestamp(0);
    REQUIRE_OK(ts);
    REQUIRE(ts->has_value());
    // Changes land in the view: appends (rolling new segments), retention, a flush, the close.
    const std::string value(50, 'n');
    for (int i = 0; i < 30; ++i) {
      const Record r{.key = "k", .value = value};
      REQUIRE_OK((*p)->Append({&r, 1}, {.durable = i % 10 == 0}));
    }
    REQUIRE_OK((*p)->DeleteRecordsBefore(10));
    REQUIRE_OK((*p)->TruncateTo(kRecords + 5));
    REQUIRE(ReadValues(**p).size() == static_cast<size_t>(kRecords + 5 - (*p)->log_start_offset()));
    REQUIRE_OK((*p)->Close());
    REQUIRE(Snapshot(posix.get(), tmp.path()) == before);
  }
}

}  // namespace
}  // namespace seglog

// FaultInjectionFileSystem: what survives a simulated crash, injected errors and the simulated full disk.
#include "support/fault_injection_file_system.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "seglog/file_system.h"
#include "support/test_util.h"

namespace seglog {
namespace {

using Op = FaultInjectionFileSystem::Op;
using CrashReport = FaultInjectionFileSystem::CrashReport;


// A FaultInjectionFileSystem over a fresh in-memory file system with a durable directory /d.
struct Fixture {
  Fixture() : fs(base.get()) {
    REQUIRE_OK(fs.CreateDirs("/d"));
    REQUIRE_OK(fs.SyncDir("/"));
  }

  std::unique_ptr<File> Open(const std::string& path, const OpenOptions& options = {.create = true}) {
    absl::StatusOr<std::unique_ptr<File>> file = fs.OpenFile(path, options);
    REQUIRE_OK(file);
    return *std::move(file);
  }

  // Creates `path` with `contents`, synced and with its directory entry synced.
  void WriteDurable(const std::string& path, std::string_view contents) {
    std::unique_ptr<File> file = Open(path);
    REQUIRE_OK(file->Append(contents));
    REQUIRE_OK(file->Sync());
    REQUIRE_OK(fs.SyncDir(ParentDir(path)));
  }

  std::string Read(const std::string& path) {
    absl::StatusOr<std::string> contents = ReadFileToString(&fs, path);
    REQUIRE_OK(contents);
    return *contents;
  }

  bool Exists(const std::string& path) {
    absl::StatusOr<bool> exists = fs.Exists(path);
    REQUIRE_OK(exists);
    return *exists;
  }

  CrashReport Crash(const FaultInjectionFileSystem::CrashOptions& options = {}) {
    absl::StatusOr<CrashReport> report = fs.SimulateCrash(options);
    REQUIRE_OK(report);
    return *report;
  }

  std::unique_ptr<FileSystem> base = NewMemFileSystem();
  FaultInjectionFileSystem fs;
};

TEST_CASE("UnsyncedDataIsDroppedOnCrash", "[fault_fs]") {
  Fixture f;
  f.WriteDurable("/d/a.log", "synced");
  std::unique_ptr<File> file = f.Open("/d/a.log");
  REQUIRE_OK(file->Append("-unsynced"));
  REQUIRE(f.Read("/d/a.log") == "synced-unsynced");  // reads see unsynced writes
  const CrashReport report = f.Crash();
  REQUIRE(f.Read("/d/a.log") == "synced");
  REQUIRE(report.files_truncated == 1);
  REQUIRE(report.bytes_dropped == 9);
}

TEST_CASE("SyncedDataSurvivesCrash", "[fault_fs]") {
  Fixture f;
  std::unique_ptr<File> file = f.Open("/d/a.log");
  REQUIRE_OK(file->Append("one"));
  REQUIRE_OK(file->Sync());
  REQUIRE_OK(file->Append("two"));
  REQUIRE_OK(file->Sync());
  REQUIRE_OK(f.fs.SyncDir("/d"));
  const CrashReport report = f.Crash();
  REQUIRE(f.Read("/d/a.log") == "onetwo");
  REQUIRE(report.files_truncated == 0);
  REQUIRE(report.bytes_dropped == 0);
}

TEST_CASE("FilesWrittenOnlyBeforeTheWrapperSawThemAreDurable", "[fault_fs]") {
  Fixture f;
  {
    absl::StatusOr<std::unique_ptr<File>> file = f.base->OpenFile("/d/old.log", {.create = true});
    REQUIRE_OK(file);
    REQUIRE_OK((*file)->Append("from before"));
  }
  f.Crash();
  REQUIRE(f.Read("/d/old.log") == "from before");
}

// The size a crash with `options` leaves of a file holding 6 synced and 1000 unsynced bytes.
uint64_t SizeAfterTornCrash(const FaultInjectionFileSystem::CrashOptions& options, std::string* contents) {
  Fixture f;
  f.WriteDurable("/d/a.log", "synced");
  std::unique_ptr<File> file = f.Open("/d/a.log");
  std::string tail;
  for (int i = 0; i < 1000; ++i) tail.push_back(static_cast<char>('a' + i % 26));
  REQUIRE_OK(file->Append(tail.substr(0, 400)));
  REQUIRE_OK(file->Append(tail.substr(400)));
  f.Crash(options);
  *contents = f.Read("/d/a.log");
  REQUIRE(*contents == ("synced" + tail).substr(0, contents->size()));  // always a prefix
  return contents->size();
}

TEST_CASE("ATornTailKeepsAPrefixChosenDeterministicallyBySeed", "[fault_fs]") {
  std::string contents;
  std::set<uint64_t> sizes;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    const uint64_t size = SizeAfterTornCrash({.keep_unsynced_prefix = true, .seed = seed}, &contents);
    REQUIRE(size >= 6);
    REQUIRE(size <= 1006);
    REQUIRE(SizeAfterTornCrash({.keep_unsynced_prefix = true, .seed = seed}, &contents) == size);
    sizes.insert(size);
  }
  REQUIRE(sizes.size() > 1);  // the seed matters
}

TEST_CASE("TearingTheLastWriteKeepsEarlierWritesAndAPrefixOfTheLast", "[fault_fs]") {
  std::string contents;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    const uint64_t size = SizeAfterTornCrash({.tear_last_write = true, .seed = seed}, &contents);
    REQUIRE(size >= 6 + 400);
    REQUIRE(size <= 1006);
  }
}

TEST_CASE("GarbageAndZeroTailsAreAppendedAfterTheSurvivingData", "[fault_fs]") {
  Fixture f;
  f.WriteDurable("/d/a.log", "synced");
  f.WriteDurable("/d/clean.log", "clean");
  std::unique_ptr<File> file = f.Open("/d/a.log");
  REQUIRE_OK(file->Append("unsynced"));
  const CrashReport report = f.Crash({.append_garbage_bytes = 10, .append_zero_bytes = 4, .seed = 3});
  const std::string contents = f.Read("/d/a.log");
  REQUIRE(contents.size() == 6 + 10 + 4);
  REQUIRE(contents.substr(0, 6) == "synced");
  REQUIRE(contents.substr(16) == std::string(4, '\0'));
  REQUIRE(report.garbage_bytes_appended == 10);
  REQUIRE(report.zero_bytes_appended == 4);
  REQUIRE(f.Read("/d/clean.log") == "clean");  // only files with unsynced data get a tail
}

TEST_CASE("OverwrittenAndTruncatedSyncedBytesAreRestored", "[fault_fs]") {
  Fixture f;
  f.WriteDurable("/d/a.log", "0123456789");
  std::unique_ptr<File> file = f.Open("/d/a.log");
  REQUIRE_OK(file->WriteAt(2, "AB"));
  REQUIRE_OK(file->Truncate(5));
  REQUIRE_OK(file->WriteAt(3, "XYZW"));
  REQUIRE_OK(file->Append("tail"));
  REQUIRE(f.Read("/d/a.log") == "01AXYZWtail");
  const CrashReport report = f.Crash();
  REQUIRE(f.Read("/d/a.log") == "0123456789");
  REQUIRE(report.bytes_restored > 0);
}

TEST_CASE("OpenWithTruncateIsUndoneByACrashUntilSynced", "[fault_fs]") {
  Fixture f;
  f.WriteDurable("/d/a.log", "durable");
  f.Open("/d/a.log", {.truncate = true});
  REQUIRE(f.Read("/d/a.log").empty());
  f.Crash();
  REQUIRE(f.Read("/d/a.log") == "durable");
}

TEST_CASE("AFileCreatedWithoutSyncDirDisappearsOnCrash", "[fault_fs]") {
  Fixture f;
  std::unique_ptr<File> file = f.Open("/d/new.log");
  REQUIRE_OK(file->Append("data"));
  REQUIRE_OK(file->Sync());  // the data is durable, the directory entry is not
  const CrashReport report = f.Crash();
  REQUIRE_FALSE(f.Exists("/d/new.log"));
  REQUIRE(report.dir_ops_undone == 1);
}

TEST_CASE("AFileCreatedAndDirSyncedSurvivesCrash", "[fault_fs]") {
  Fixture f;
  std::unique_ptr<File> file = f.Open("/d/new.log");
  REQUIRE_OK(f.fs.SyncDir("/d"));
  REQUIRE_OK(file->Append("data"));
  f.Crash();
  REQUIRE(f.Exists("/d/new.log"));
  REQUIRE(f.Read("/d/new.log").empty());  // the entry survived, the unsynced data did not
}

TEST_CASE("SyncingAnotherDirectoryDoesNotMakeACreationDurable", "[fault_fs]") {
  Fixture f;
  REQUIRE_OK(f.fs.CreateDirs("/e"));
  f.Open("/d/new.log");
  REQUIRE_OK(f.fs.SyncDir("/e"));
  f.Crash();
  REQUIRE_FALSE(f.Exists("/d/new.log"));
}

TEST_CASE("AnUnsyncedRenameIsRevertedAndTheReplacedTargetRestored", "[fault_fs]") {
  Fixture f;
  f.WriteDurable("/d/meta", "old");
  f.WriteDurable("/d/meta.tmp", "new");
  REQUIRE_OK(f.fs.Rename("/d/meta.tmp", "/d/meta"));
  REQUIRE(f.Read("/d/meta") == "new");
  f.Crash();
  REQUIRE(f.Read("/d/meta") == "old");
  REQUIRE(f.Read("/d/meta.tmp") == "new");
}

TEST_CASE("ASyncedRenameIsKept", "[fault_fs]") {
  Fixture f;
  f.WriteDurable("/d/meta", "old");
  f.WriteDurable("/d/meta.tmp", "new");
  REQUIRE_OK(f.fs.Rename("/d/meta.tmp", "/d/meta"));
  REQUIRE_OK(f.fs.SyncDir("/d"));
  f.Crash();
  REQUIRE(f.Read("/d/meta") == "new");
  REQUIRE_FALSE(f.Exists("/d/meta.tmp"));
}

TEST_CASE("ARenameAcrossDirectoriesNeedsBothDirectoriesSynced", "[fault_fs]") {
  Fixture f;
  REQUIRE_OK(f.fs.CreateDirs("/e"));
  f.WriteDurable("/d/a.log", "a");
  REQUIRE_OK(f.fs.Rename("/d/a.log", "/e/a.log"));
  REQUIRE_OK(f.fs.SyncDir("/e"));
  f.Crash();
  REQUIRE(f.Read("/d/a.log") == "a");
  REQUIRE_FALSE(f.Exists("/e/a.log"));

  REQUIRE_OK(f.fs.Rename("/d/a.log", "/e/a.log"));
  REQUIRE_OK(f.fs.SyncDir("/e"));
  REQUIRE_OK(f.fs.SyncDir("/d"));
  f.Crash();
  REQUIRE(f.Read("/e/a.log") == "a");
}

TEST_CASE("WriteFileAtomicallyIsDurable", "[fault_fs]") {
  Fixture f;
  REQUIRE_OK(WriteFileAtomically(&f.fs, "/d/checkpoint", "v1"));
  f.Crash();
  REQUIRE(f.Read("/d/checkpoint") == "v1");
  REQUIRE_OK(WriteFileAtomically(&f.fs, "/d/checkpoint", "v2"));
  f.Crash();
  REQUIRE(f.Read("/d/checkpoint") == "v2");
}

TEST_CASE("AnUnsyncedRemoveIsRestoredWithItsDurableContent", "[fault_fs]") {
  Fixture f;
  f.WriteDurable("/d/a.log", "durable");
  {
    std::unique_ptr<File> file = f.Open("/d/a.log");
    REQUIRE_OK(file->Append("+lost"));
  }
  REQUIRE_OK(f.fs.RemoveFile("/d/a.log"));
  REQUIRE_FALSE(f.Exists("/d/a.log"));
  f.Crash();
  REQUIRE(f.Read("/d/a.log") == "durable");

  REQUIRE_OK(f.fs.RemoveFile("/d/a.log"));
  REQUIRE_OK(f.fs.SyncDir("/d"));
  f.Crash();
  REQUIRE_FALSE(f.Exists("/d/a.log"));
}

TEST_CASE("MappedFilesPassThroughToTheBase", "[fault_fs]") {
  Fixture f;
  f.WriteDurable("/d/a.index", "");
  absl::StatusOr<std::unique_ptr<MappedFile>> map = f.fs.MapFile("/d/a.index", 8);
  REQUIRE_OK(map);
  std::memcpy((*map)->data(), "abcdefgh", 8);
  REQUIRE_OK((*map)->Sync());
  REQUIRE(f.Read("/d/a.index") == "abcdefgh");
  REQUIRE(f.fs.sync_count() == 2);  // WriteDurable's File::Sync and this one
}

TEST_CASE("HandlesFromBeforeACrashAreInvalidAndLocksReleased", "[fault_fs]") {
  Fixture f;
  f.WriteDurable("/d/a.log", "abc");
  f.WriteDurable("/d/a.index", "");
  std::unique_ptr<File> file = f.Open("/d/a.log");
  absl::StatusOr<std::unique_ptr<MappedFile>> map = f.fs.MapFile("/d/a.index", 8);
  REQUIRE_OK(map);
  std::memcpy((*map)->data(), "12345678", 8);
  absl::StatusOr<std::unique_ptr<FileLock>> lock = f.fs.LockFile("/d/.lock");
  REQUIRE_OK(lock);
  REQUIRE_CODE(f.fs.LockFile("/d/.lock"), absl::StatusCode::kFailedPrecondition);

  f.Crash();
  char buf[4];
  REQUIRE_CODE(file->ReadAt(0, absl::MakeSpan(buf)), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->Append("x"), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->WriteAt(0, "x"), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->Truncate(0), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->Sync(), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->Size(), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->Close(), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE((*map)->Sync(), absl::StatusCode::kFailedPrecondition);
  REQUIRE(std::string((*map)->data(), 8) == "12345678");  // the memory stays valid

  REQUIRE_OK(f.fs.LockFile("/d/.lock"));  // released by the crash
  std::unique_ptr<File> reopened = f.Open("/d/a.log");
  REQUIRE(*reopened->Size() == 3);
}

TEST_CASE("InjectedErrorsFailExactlyCountOperationsThenSucceed", "[fault_fs]") {
  Fixture f;
  std::unique_ptr<File> file = f.Open("/d/a.log");
  f.fs.InjectError(Op::kWrite, absl::DataLossError("disk on fire"), "", 2);
  REQUIRE_CODE(file->Append("x"), absl::StatusCode::kDataLoss);
  REQUIRE_CODE(file->WriteAt(0, "x"), absl::StatusCode::kDataLoss);
  REQUIRE(*file->Size() == 0);  // failed operations did nothing
  REQUIRE_OK(file->Append("y"));
  REQUIRE(f.Read("/d/a.log") == "y");
}

TEST_CASE("InjectedErrorsMatchOnlyTheirOperationAndPath", "[fault_fs]") {
  Fixture f;
  std::unique_ptr<File> log = f.Open("/d/a.log");
  std::unique_ptr<File> index = f.Open("/d/a.index");
  f.fs.InjectError(Op::kSync, absl::DataLossError("fsync failed"), ".log");
  REQUIRE_OK(index->Sync());
  REQUIRE_OK(log->Append("x"));
  REQUIRE_CODE(log->Sync(), absl::StatusCode::kDataLoss);
  REQUIRE_OK(log->Sync());

  f.fs.InjectError(Op::kRename, absl::InternalError("no"), "target");
  REQUIRE_CODE(f.fs.Rename("/d/a.log", "/d/target.log"), absl::StatusCode::kInternal);
  REQUIRE(f.Exists("/d/a.log"));

  f.fs.InjectError(Op::kOpen, absl::PermissionDeniedError("no"), "", 1);
  REQUIRE_CODE(f.fs.OpenFile("/d/b.log", {.create = true}), absl::StatusCode::kPermissionDenied);
  REQUIRE_FALSE(f.Exists("/d/b.log"));
}

TEST_CASE("AFailedSyncLeavesTheDataUnsynced", "[fault_fs]") {
  Fixture f;
  f.WriteDurable("/d/a.log", "durable");
  std::unique_ptr<File> file = f.Open("/d/a.log");
  REQUIRE_OK(file->Append("+maybe"));
  f.fs.InjectError(Op::kSync, absl::DataLossError("fsync: Input/output error"));
  REQUIRE_FALSE(file->Sync().ok());
  f.Crash();
  REQUIRE(f.Read("/d/a.log") == "durable");
}

TEST_CASE("AnyOpRulesAndClearErrors", "[fault_fs]") {
  Fixture f;
  f.fs.InjectError(Op::kAny, absl::UnavailableError("everything fails"), "", 100);
  REQUIRE_CODE(f.fs.OpenFile("/d/a.log", {.create = true}), absl::StatusCode::kUnavailable);
  REQUIRE_CODE(f.fs.SyncDir("/d"), absl::StatusCode::kUnavailable);
  REQUIRE_CODE(f.fs.RemoveDir("/d"), absl::StatusCode::kUnavailable);
  f.fs.ClearErrors();
  REQUIRE_OK(f.fs.OpenFile("/d/a.log", {.create = true}));
  REQUIRE_OK(f.fs.SyncDir("/d"));
}

TEST_CASE("AFullDiskWritesWhatFitsThenFailsWithResourceExhausted", "[fault_fs]") {
  Fixture f;
  std::unique_ptr<File> file = f.Open("/d/a.log");
  f.fs.SetFreeSpace(10);
  REQUIRE_OK(file->Append("123456"));
  REQUIRE(f.fs.free_space() == 4);
  REQUIRE_CODE(file->Append("abcdefgh"), absl::StatusCode::kResourceExhausted);
  REQUIRE(f.Read("/d/a.log") == "123456abcd");  // a short write
  REQUIRE(f.fs.free_space() == 0);
  REQUIRE_CODE(file->Append("x"), absl::StatusCode::kResourceExhausted);
  REQUIRE_OK(file->WriteAt(0, "X"));  // overwriting in place needs no space

  REQUIRE_OK(file->Truncate(6));  // truncation frees space
  REQUIRE(f.fs.free_space() == 4);
  REQUIRE_OK(file->Append("wxyz"));
  REQUIRE(f.Read("/d/a.log") == "X23456wxyz");

  f.fs.SetFreeSpace(std::nullopt);
  REQUIRE_OK(file->Append(std::string(1000, 'z')));
}

TEST_CASE("RemovingAFileFreesItsSpace", "[fault_fs]") {
  Fixture f;
  f.fs.SetFreeSpace(5);
  {
    std::unique_ptr<File> file = f.Open("/d/a.log");
    REQUIRE_OK(file->Append("12345"));
  }
  REQUIRE(f.fs.free_space() == 0);
  REQUIRE_OK(f.fs.RemoveFile("/d/a.log"));
  REQUIRE(f.fs.free_space() == 5);
}

TEST_CASE("ARegionIsTheBaseFilesAndStaysValidAfterACrash", "[fault_fs]") {
  Fixture f;
  std::unique_ptr<File> file = f.Open("/d/a.log");
  REQUIRE_OK(file->Append("synced"));
  REQUIRE_OK(file->Sync());
  REQUIRE_OK(f.fs.SyncDir("/d"));
  absl::StatusOr<std::shared_ptr<const FileRegion>> region = file->MapForRead(64);
  REQUIRE_OK(region);
  REQUIRE_OK(file->Append("+unsynced"));
  const std::string held = "synced+unsynced";
  // The base's region, not a snapshot: it follows the append.
  REQUIRE((*region)->length() >= held.size());
  REQUIRE(std::string((*region)->data(), held.size()) == held);

  f.Crash();
  REQUIRE(f.Read("/d/a.log") == "synced");
  REQUIRE(std::string((*region)->data(), held.size()) == held);  // valid memory, the bytes it held
  REQUIRE_CODE(file->MapForRead(64), absl::StatusCode::kFailedPrecondition);

  std::unique_ptr<File> reopened = f.Open("/d/a.log", {.read_only = true});
  f.fs.InjectError(Op::kRead, absl::DataLossError("bad sector"), "a.log");
  REQUIRE_CODE(reopened->MapForRead(64), absl::StatusCode::kDataLoss);
  region = reopened->MapForRead(64);
  REQUIRE_OK(region);
  REQUIRE(std::string((*region)->data(), 6) == "synced");
}

TEST_CASE("CountersTrackSyncsAndBytesWritten", "[fault_fs]") {
  Fixture f;
  const int64_t dir_syncs = f.fs.dir_sync_count();
  std::unique_ptr<File> file = f.Open("/d/a.log");
  REQUIRE_OK(file->Append("abc"));
  REQUIRE_OK(file->WriteAt(1, "zz"));
  REQUIRE_OK(file->Sync());
  REQUIRE_OK(f.fs.SyncDir("/d"));
  REQUIRE(f.fs.bytes_written() == 5);
  REQUIRE(f.fs.sync_count() == 1);
  REQUIRE(f.fs.dir_sync_count() == dir_syncs + 1);
}

}  // namespace
}  // namespace seglog

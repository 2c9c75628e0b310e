// The FileSystem contract, checked against both the POSIX file system (in a fresh temporary directory per
// test) and the in-memory one, plus the path helpers and the errno mapping. Read regions (File::MapForRead)
// are checked on both too, and File's default (snapshot) MapForRead through a forwarding File.

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fs/errno_status.h"
#include "fs/path_util.h"
#include "seglog/file_system.h"
#include "support/test_util.h"

namespace seglog {
namespace {

enum class FsKind { kPosix, kMem };

// One file system under test and a directory to work in.
struct TestFs {
  explicit TestFs(FsKind kind) {
    if (kind == FsKind::kPosix) {
      name = "posix";
      fs = NewPosixFileSystem();
      scratch = std::make_unique<test::TempDir>();
      root = scratch->path();
    } else {
      name = "mem";
      fs = NewMemFileSystem();
      root = "/scratch";
      REQUIRE_OK(fs->CreateDirs(root));
    }
  }
  std::string Path(std::string_view relative) const { return JoinPath(root, relative); }

  std::string name;
  std::unique_ptr<test::TempDir> scratch;  // POSIX only
  std::unique_ptr<FileSystem> fs;
  std::string root;
};

std::unique_ptr<File> Open(FileSystem* fs, const std::string& path, const OpenOptions& options = {}) {
  absl::StatusOr<std::unique_ptr<File>> file = fs->OpenFile(path, options);
  REQUIRE_OK(file);
  return *std::move(file);
}

// Everything in `file`, read through ReadAt.
std::string ReadAll(const File& file) {
  std::string bytes(4096, '\0');
  absl::StatusOr<size_t> n = file.ReadAt(0, absl::MakeSpan(bytes));
  REQUIRE_OK(n);
  bytes.resize(*n);
  return bytes;
}

void WriteFile(FileSystem* fs, const std::string& path, std::string_view contents) {
  std::unique_ptr<File> file = Open(fs, path, {.create = true, .truncate = true});
  REQUIRE_OK(file->Append(contents));
  REQUIRE_OK(file->Close());
}

std::string ReadFile(FileSystem* fs, const std::string& path) {
  absl::StatusOr<std::string> contents = ReadFileToString(fs, path);
  REQUIRE_OK(contents);
  return *contents;
}

std::vector<std::string> List(FileSystem* fs, const std::string& dir) {
  absl::StatusOr<std::vector<std::string>> names = fs->ListDir(dir);
  REQUIRE_OK(names);
  return *names;
}

bool Exists(FileSystem* fs, const std::string& path) {
  absl::StatusOr<bool> exists = fs->Exists(path);
  REQUIRE_OK(exists);
  return *exists;
}

// Runs the enclosing TEST_CASE once per file system kind; `t` is the TestFs.
#define FOR_EACH_FS(t)                              \
  TestFs t(GENERATE(FsKind::kPosix, FsKind::kMem)); \
  INFO("file system: " << t.name)

TEST_CASE("OpeningAMissingFileIsNotFoundUnlessCreated", "[fs]") {
  FOR_EACH_FS(t);
  const std::string path = t.Path("a.log");
  REQUIRE_CODE(t.fs->OpenFile(path, {}), absl::StatusCode::kNotFound);
  REQUIRE_FALSE(Exists(t.fs.get(), path));
  std::unique_ptr<File> file = Open(t.fs.get(), path, {.create = true});
  REQUIRE(file->path() == path);
  REQUIRE(Exists(t.fs.get(), path));
  REQUIRE(*file->Size() == 0);
  REQUIRE_CODE(t.fs->OpenFile(t.Path("missing-dir/a.log"), {.create = true}), absl::StatusCode::kNotFound);
}

TEST_CASE("ExclusiveCreateOfAnExistingFileIsAlreadyExists", "[fs]") {
  FOR_EACH_FS(t);
  const std::string path = t.Path("a.log");
  Open(t.fs.get(), path, {.create = true, .exclusive = true});
  REQUIRE_CODE(t.fs->OpenFile(path, {.create = true, .exclusive = true}), absl::StatusCode::kAlreadyExists);
  REQUIRE_OK(t.fs->OpenFile(path, {.create = true}));
}

TEST_CASE("OpeningADirectoryAsAFileFails", "[fs]") {
  FOR_EACH_FS(t);
  REQUIRE_FALSE(t.fs->OpenFile(t.root, {}).ok());
  REQUIRE_FALSE(t.fs->OpenFile(t.root, {.read_only = true}).ok());
}

TEST_CASE("AppendedBytesAreReadBackAndReadsShortenAtEndOfFile", "[fs]") {
  FOR_EACH_FS(t);
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.create = true});
  REQUIRE_OK(file->Append("hello "));
  REQUIRE_OK(file->Append("world"));
  REQUIRE(*file->Size() == 11);

  char buf[8];
  absl::StatusOr<size_t> n = file->ReadAt(6, absl::MakeSpan(buf));
  REQUIRE_OK(n);
  REQUIRE(std::string(buf, *n) == "world");
  n = file->ReadAt(0, absl::MakeSpan(buf, 5));
  REQUIRE(std::string(buf, *n) == "hello");
  REQUIRE(*file->ReadAt(11, absl::MakeSpan(buf)) == 0);
  REQUIRE(*file->ReadAt(1000, absl::MakeSpan(buf)) == 0);
}

TEST_CASE("AppendOnAReopenedFileGoesToItsEnd", "[fs]") {
  FOR_EACH_FS(t);
  WriteFile(t.fs.get(), t.Path("a.log"), "first,");
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"));
  REQUIRE_OK(file->Append("second"));
  REQUIRE(ReadFile(t.fs.get(), t.Path("a.log")) == "first,second");
}

TEST_CASE("WriteAtOverwritesInPlaceAndExtendsWithZeros", "[fs]") {
  FOR_EACH_FS(t);
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.create = true});
  REQUIRE_OK(file->Append("abcdef"));
  REQUIRE_OK(file->WriteAt(1, "XY"));
  REQUIRE(ReadAll(*file) == "aXYdef");
  REQUIRE_OK(file->WriteAt(8, "Z"));
  REQUIRE(ReadAll(*file) == std::string("aXYdef\0\0Z", 9));
  REQUIRE_OK(file->Append("!"));  // appends go to the new end
  REQUIRE(ReadAll(*file) == std::string("aXYdef\0\0Z!", 10));
}

TEST_CASE("TruncateShrinksAndZeroExtends", "[fs]") {
  FOR_EACH_FS(t);
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.create = true});
  REQUIRE_OK(file->Append("abcdef"));
  REQUIRE_OK(file->Truncate(2));
  REQUIRE(*file->Size() == 2);
  REQUIRE_OK(file->Append("c"));  // appends continue at the truncated end
  REQUIRE(ReadAll(*file) == "abc");
  REQUIRE_OK(file->Truncate(5));
  REQUIRE(ReadAll(*file) == std::string("abc\0\0", 5));
  REQUIRE(*t.fs->FileSize(t.Path("a.log")) == 5);
}

TEST_CASE("OpenWithTruncateEmptiesTheFile", "[fs]") {
  FOR_EACH_FS(t);
  WriteFile(t.fs.get(), t.Path("a.log"), "old contents");
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.truncate = true});
  REQUIRE(*file->Size() == 0);
}

TEST_CASE("SyncedDataIsVisibleToOtherHandles", "[fs]") {
  FOR_EACH_FS(t);
  std::unique_ptr<File> writer = Open(t.fs.get(), t.Path("a.log"), {.create = true});
  REQUIRE_OK(writer->Append("batch"));
  REQUIRE_OK(writer->Sync());
  std::unique_ptr<File> reader = Open(t.fs.get(), t.Path("a.log"), {.read_only = true});
  REQUIRE(ReadAll(*reader) == "batch");
  REQUIRE(*t.fs->FileSize(t.Path("a.log")) == 5);
}

TEST_CASE("UsingAClosedFileIsFailedPrecondition", "[fs]") {
  FOR_EACH_FS(t);
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.create = true});
  REQUIRE_OK(file->Close());
  char buf[1];
  REQUIRE_CODE(file->ReadAt(0, absl::MakeSpan(buf)), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->Append("x"), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->WriteAt(0, "x"), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->Sync(), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->Truncate(0), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->Size(), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->MapForRead(1), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->Close(), absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("AReadOnlyHandleRejectsWrites", "[fs]") {
  FOR_EACH_FS(t);
  WriteFile(t.fs.get(), t.Path("a.log"), "abc");
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.read_only = true});
  REQUIRE_CODE(file->Append("x"), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->WriteAt(0, "x"), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(file->Truncate(0), absl::StatusCode::kFailedPrecondition);
  REQUIRE(ReadAll(*file) == "abc");
}

TEST_CASE("NativeHandleIsADescriptorOnlyForPosixFiles", "[fs]") {
  FOR_EACH_FS(t);
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.create = true});
  if (t.name == "posix") {
    REQUIRE(file->NativeHandle() >= 0);
  } else {
    REQUIRE(file->NativeHandle() == -1);
  }
}

TEST_CASE("ListDirIsSortedAndOmitsDotEntriesAndGrandchildren", "[fs]") {
  FOR_EACH_FS(t);
  REQUIRE(List(t.fs.get(), t.root).empty());
  WriteFile(t.fs.get(), t.Path("b.log"), "");
  WriteFile(t.fs.get(), t.Path("a.index"), "");
  REQUIRE_OK(t.fs->CreateDirs(t.Path("c-0/nested")));
  WriteFile(t.fs.get(), t.Path("c-0/x.log"), "");
  REQUIRE(List(t.fs.get(), t.root) == std::vector<std::string>{"a.index", "b.log", "c-0"});
  REQUIRE(List(t.fs.get(), t.Path("c-0")) == std::vector<std::string>{"nested", "x.log"});
  REQUIRE_CODE(t.fs->ListDir(t.Path("missing")), absl::StatusCode::kNotFound);
}

TEST_CASE("CreateDirsMakesNestedDirectoriesAndIsIdempotent", "[fs]") {
  FOR_EACH_FS(t);
  REQUIRE_OK(t.fs->CreateDirs(t.Path("a/b/c")));
  REQUIRE(Exists(t.fs.get(), t.Path("a/b/c")));
  REQUIRE_OK(t.fs->CreateDirs(t.Path("a/b/c")));
  REQUIRE_OK(t.fs->CreateDirs(t.Path("a/b/c/")));
  REQUIRE_OK(t.fs->CreateDirs(t.Path("a")));
  WriteFile(t.fs.get(), t.Path("a/file"), "x");
  REQUIRE_FALSE(t.fs->CreateDirs(t.Path("a/file")).ok());
  REQUIRE_FALSE(t.fs->CreateDirs(t.Path("a/file/d")).ok());
}

TEST_CASE("RemoveDirRemovesOnlyEmptyDirectories", "[fs]") {
  FOR_EACH_FS(t);
  REQUIRE_OK(t.fs->CreateDirs(t.Path("d")));
  WriteFile(t.fs.get(), t.Path("d/f"), "x");
  REQUIRE_FALSE(t.fs->RemoveDir(t.Path("d")).ok());
  REQUIRE_OK(t.fs->RemoveFile(t.Path("d/f")));
  REQUIRE_OK(t.fs->RemoveDir(t.Path("d")));
  REQUIRE_FALSE(Exists(t.fs.get(), t.Path("d")));
  REQUIRE_CODE(t.fs->RemoveDir(t.Path("d")), absl::StatusCode::kNotFound);
}

TEST_CASE("RemoveFileDeletesAndMissingIsNotFound", "[fs]") {
  FOR_EACH_FS(t);
  WriteFile(t.fs.get(), t.Path("a.log"), "x");
  REQUIRE_OK(t.fs->RemoveFile(t.Path("a.log")));
  REQUIRE_FALSE(Exists(t.fs.get(), t.Path("a.log")));
  REQUIRE_CODE(t.fs->RemoveFile(t.Path("a.log")), absl::StatusCode::kNotFound);
  REQUIRE_CODE(t.fs->FileSize(t.Path("a.log")), absl::StatusCode::kNotFound);
}

TEST_CASE("RenameIsAtomicAndReplacesTarget", "[fs]") {
  FOR_EACH_FS(t);
  WriteFile(t.fs.get(), t.Path("meta.tmp"), "new");
  WriteFile(t.fs.get(), t.Path("meta"), "old");
  REQUIRE_OK(t.fs->Rename(t.Path("meta.tmp"), t.Path("meta")));
  REQUIRE(ReadFile(t.fs.get(), t.Path("meta")) == "new");
  REQUIRE_FALSE(Exists(t.fs.get(), t.Path("meta.tmp")));
  REQUIRE_CODE(t.fs->Rename(t.Path("meta.tmp"), t.Path("other")), absl::StatusCode::kNotFound);
}

TEST_CASE("RenameMovesADirectoryWithItsFiles", "[fs]") {
  FOR_EACH_FS(t);
  REQUIRE_OK(t.fs->CreateDirs(t.Path("topic-0/sub")));
  WriteFile(t.fs.get(), t.Path("topic-0/a.log"), "a");
  WriteFile(t.fs.get(), t.Path("topic-0/sub/b.log"), "b");
  REQUIRE_OK(t.fs->Rename(t.Path("topic-0"), t.Path("topic-0.deleted")));
  REQUIRE_FALSE(Exists(t.fs.get(), t.Path("topic-0")));
  REQUIRE(ReadFile(t.fs.get(), t.Path("topic-0.deleted/a.log")) == "a");
  REQUIRE(ReadFile(t.fs.get(), t.Path("topic-0.deleted/sub/b.log")) == "b");
  REQUIRE(List(t.fs.get(), t.root) == std::vector<std::string>{"topic-0.deleted"});
}

TEST_CASE("AnOpenFileStaysReadableAfterItIsRenamedOrRemoved", "[fs]") {
  FOR_EACH_FS(t);
  WriteFile(t.fs.get(), t.Path("a.log"), "segment bytes");
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.read_only = true});
  REQUIRE_OK(t.fs->Rename(t.Path("a.log"), t.Path("a.log.deleted")));
  REQUIRE(ReadAll(*file) == "segment bytes");
  REQUIRE_OK(t.fs->RemoveFile(t.Path("a.log.deleted")));
  REQUIRE(ReadAll(*file) == "segment bytes");
  REQUIRE(*file->Size() == 13);
}

TEST_CASE("MappedWritesReachTheFileAfterSync", "[fs]") {
  FOR_EACH_FS(t);
  const std::string path = t.Path("a.index");
  WriteFile(t.fs.get(), path, "");
  absl::StatusOr<std::unique_ptr<MappedFile>> map = t.fs->MapFile(path, 16);
  REQUIRE_OK(map);
  REQUIRE((*map)->length() == 16);
  std::memcpy((*map)->data(), "0123456789abcdef", 16);
  REQUIRE_OK((*map)->Sync());
  std::unique_ptr<File> file = Open(t.fs.get(), path, {.read_only = true});
  REQUIRE(ReadAll(*file) == "0123456789abcdef");
  map->reset();
  REQUIRE(ReadFile(t.fs.get(), path) == "0123456789abcdef");
}

TEST_CASE("MapFileSetsTheFileToTheMappedLength", "[fs]") {
  FOR_EACH_FS(t);
  const std::string path = t.Path("a.index");
  WriteFile(t.fs.get(), path, "abcd");
  {
    absl::StatusOr<std::unique_ptr<MappedFile>> map = t.fs->MapFile(path, 8);
    REQUIRE_OK(map);
    REQUIRE(std::string((*map)->data(), 8) == std::string("abcd\0\0\0\0", 8));  // zero-extended
    REQUIRE(*t.fs->FileSize(path) == 8);
  }
  {
    absl::StatusOr<std::unique_ptr<MappedFile>> map = t.fs->MapFile(path, 2);
    REQUIRE_OK(map);
    REQUIRE(std::string((*map)->data(), 2) == "ab");
    REQUIRE(*t.fs->FileSize(path) == 2);
  }
  {
    absl::StatusOr<std::unique_ptr<MappedFile>> map = t.fs->MapFile(path, 0);
    REQUIRE_OK(map);
    REQUIRE((*map)->data() == nullptr);
    REQUIRE((*map)->length() == 0);
    REQUIRE_OK((*map)->Sync());
  }
  REQUIRE(*t.fs->FileSize(path) == 0);
  REQUIRE_CODE(t.fs->MapFile(t.Path("missing.index"), 8), absl::StatusCode::kNotFound);
}

// Read regions (File::MapForRead).

std::shared_ptr<const FileRegion> Map(const File& file, uint64_t length) {
  absl::StatusOr<std::shared_ptr<const FileRegion>> region = file.MapForRead(length);
  REQUIRE_OK(region);
  REQUIRE(*region != nullptr);
  return *std::move(region);
}

// The first `n` bytes of `region`, which must span them.
std::string RegionBytes(const FileRegion& region, size_t n) {
  REQUIRE(region.length() >= n);
  if (n == 0) return "";
  return std::string(region.data(), n);
}

// `n` bytes cycling through the `count` characters from `first`; different alphabets never share a byte.
std::string Pattern(size_t n, char first, int count) {
  std::string bytes(n, '\0');
  for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>(first + static_cast<int>(i % count));
  return bytes;
}

// All `size` bytes of `file`, read through ReadAt.
std::string ReadN(const File& file, size_t size) {
  std::string bytes(size, '\0');
  absl::StatusOr<size_t> n = file.ReadAt(0, absl::MakeSpan(bytes));
  REQUIRE_OK(n);
  bytes.resize(*n);
  return bytes;
}

// A File that forwards everything to `base` but MapForRead, so that File's default (a snapshot) applies.
class DefaultRegionFile final : public File {
 public:
  explicit DefaultRegionFile(std::unique_ptr<File> base) : base_(std::move(base)) {}

  absl::StatusOr<size_t> ReadAt(uint64_t offset, absl::Span<char> dst) const override {
    return base_->ReadAt(offset, dst);
  }
  absl::Status Append(std::string_view data) override { return base_->Append(data); }
  absl::Status WriteAt(uint64_t offset, std::string_view data) override { return base_->WriteAt(offset, data); }
  absl::Status Sync() override { return base_->Sync(); }
  absl::Status Truncate(uint64_t size) override { return base_->Truncate(size); }
  absl::StatusOr<uint64_t> Size() const override { return base_->Size(); }
  absl::Status Close() override { return base_->Close(); }
  const std::string& path() const override { return base_->path(); }

 private:
  const std::unique_ptr<File> base_;
};

TEST_CASE("ARegionReadsTheBytesWrittenBeforeIt", "[fs][region]") {
  FOR_EACH_FS(t);
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.create = true});
  const std::string contents = Pattern(10000, 'a', 26);  // more than two pages
  REQUIRE_OK(file->Append(contents));
  std::shared_ptr<const FileRegion> region = Map(*file, contents.size());
  REQUIRE(RegionBytes(*region, contents.size()) == contents);

  // Asking for more than the file holds is fine; only the bytes the file holds are read.
  region = Map(*file, 1 << 20);
  REQUIRE(RegionBytes(*region, contents.size()) == contents);

  // So is mapping through a read-only handle.
  std::unique_ptr<File> reader = Open(t.fs.get(), t.Path("a.log"), {.read_only = true});
  REQUIRE(RegionBytes(*Map(*reader, contents.size()), contents.size()) == contents);
}

TEST_CASE("ARegionShowsLaterAppendsBelowItsLength", "[fs][region]") {
  FOR_EACH_FS(t);
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.create = true});
  std::string expected = "head";
  REQUIRE_OK(file->Append(expected));
  const std::shared_ptr<const FileRegion> first = Map(*file, 1 << 20);
  REQUIRE(RegionBytes(*first, expected.size()) == expected);
  std::shared_ptr<const FileRegion> latest = first;
  int remaps = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string record = Pattern(97, static_cast<char>('A' + i % 26), 7);
    REQUIRE_OK(file->Append(record));
    expected += record;
    // Every region shows the appended bytes that fall below its length...
    for (const FileRegion* region : {first.get(), latest.get()}) {
      const size_t readable = std::min(region->length(), expected.size());
      REQUIRE(RegionBytes(*region, readable) == expected.substr(0, readable));
    }
    // ...and when that is not all of them, mapping again covers the rest.
    if (latest->length() < expected.size()) {
      latest = Map(*file, 1 << 20);
      ++remaps;
      REQUIRE(RegionBytes(*latest, expected.size()) == expected);
    }
  }
  INFO("remaps: " << remaps);
  REQUIRE(expected.size() == 4 + 200 * 97);
}

TEST_CASE("AHeldRegionKeepsItsBytesWhenTheFileIsTruncatedAndRewritten", "[fs][region]") {
  FOR_EACH_FS(t);
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.create = true});
  const std::string original = Pattern(3 * 4096 + 100, 'a', 26);
  REQUIRE_OK(file->Append(original));
  const std::shared_ptr<const FileRegion> region = Map(*file, original.size());
  REQUIRE(RegionBytes(*region, original.size()) == original);

  // Mid-page, on a page boundary, and to nothing; each time rewritten with bytes the original never has.
  for (const uint64_t new_size : {uint64_t{5000}, uint64_t{4096}, uint64_t{0}}) {
    INFO("truncated to " << new_size);
    REQUIRE_OK(file->Truncate(new_size));
    const std::string rewrite = Pattern(original.size() - new_size, '0', 10);
    REQUIRE_OK(file->Append(rewrite));
    REQUIRE(ReadN(*file, original.size()).substr(new_size) == rewrite);
    REQUIRE(RegionBytes(*region, original.size()) == original);
  }
  // A region mapped now sees the new bytes.
  REQUIRE(RegionBytes(*Map(*file, original.size()), original.size()) == ReadN(*file, original.size()));
  // Growing the file (zero-extending) leaves held regions alone too.
  REQUIRE_OK(file->Truncate(original.size() + 5000));
  REQUIRE(RegionBytes(*region, original.size()) == original);
}

TEST_CASE("InMemoryRegionsKeepTheirBytesWhenOverwritten", "[fs][region]") {
  // The POSIX file system shows in-place overwrites through a held region (MAP_SHARED): the contract leaves
  // it open, so only the in-memory copy-on-write is checked here.
  std::unique_ptr<FileSystem> fs = NewMemFileSystem();
  std::unique_ptr<File> file = Open(fs.get(), "/a.log", {.create = true});
  REQUIRE_OK(file->Append("abcdef"));
  const std::shared_ptr<const FileRegion> region = Map(*file, 6);
  REQUIRE_OK(file->WriteAt(1, "XY"));
  REQUIRE(ReadAll(*file) == "aXYdef");
  REQUIRE(RegionBytes(*region, 6) == "abcdef");
  REQUIRE(RegionBytes(*Map(*file, 6), 6) == "aXYdef");
}

TEST_CASE("AHeldRegionSurvivesRenameRemovalAndClose", "[fs][region]") {
  FOR_EACH_FS(t);
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.create = true});
  REQUIRE_OK(file->Append("segment bytes"));
  const std::shared_ptr<const FileRegion> region = Map(*file, 13);
  REQUIRE_OK(t.fs->Rename(t.Path("a.log"), t.Path("a.log.deleted")));
  REQUIRE(RegionBytes(*region, 13) == "segment bytes");
  REQUIRE_OK(t.fs->RemoveFile(t.Path("a.log.deleted")));
  REQUIRE(RegionBytes(*region, 13) == "segment bytes");
  REQUIRE_OK(file->Close());
  REQUIRE(RegionBytes(*region, 13) == "segment bytes");
  REQUIRE_CODE(file->MapForRead(13), absl::StatusCode::kFailedPrecondition);
  file.reset();
  t.fs.reset();  // a region may outlive its file system too
  REQUIRE(RegionBytes(*region, 13) == "segment bytes");
}

TEST_CASE("ARegionOfZeroBytesIsEmpty", "[fs][region]") {
  FOR_EACH_FS(t);
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.create = true});
  std::shared_ptr<const FileRegion> region = Map(*file, 0);
  REQUIRE(region->length() == 0);
  REQUIRE(region->data() == nullptr);
  REQUIRE_OK(file->Append("abc"));
  region = Map(*file, 0);
  REQUIRE(region->length() == 0);
  REQUIRE(region->data() == nullptr);
}

TEST_CASE("ARegionOfAnEmptyFileFollowsItsFirstAppends", "[fs][region]") {
  FOR_EACH_FS(t);
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.create = true});
  std::shared_ptr<const FileRegion> region = Map(*file, 4096);
  REQUIRE_OK(file->Append("first batch"));
  if (region->length() < 11) region = Map(*file, 4096);  // the in-memory file had no buffer to share yet
  REQUIRE(RegionBytes(*region, 11) == "first batch");
}

TEST_CASE("TheDefaultMapForReadIsASnapshotOfTheBytesThatExist", "[fs][region]") {
  FOR_EACH_FS(t);
  DefaultRegionFile file(Open(t.fs.get(), t.Path("a.log"), {.create = true}));
  REQUIRE_OK(file.Append("hello world"));
  const std::shared_ptr<const FileRegion> prefix = Map(file, 5);
  REQUIRE(prefix->length() == 5);
  REQUIRE(RegionBytes(*prefix, 5) == "hello");
  const std::shared_ptr<const FileRegion> whole = Map(file, 100);
  REQUIRE(whole->length() == 11);  // min(asked, size)
  REQUIRE(RegionBytes(*whole, 11) == "hello world");

  REQUIRE_OK(file.Append("!!"));
  REQUIRE_OK(file.Truncate(3));
  REQUIRE_OK(file.Append("XYZWVUTSRQ"));
  REQUIRE(whole->length() == 11);  // a snapshot neither follows appends nor sees truncation
  REQUIRE(RegionBytes(*whole, 11) == "hello world");
  REQUIRE(Map(file, 0)->length() == 0);
  REQUIRE(Map(file, 0)->data() == nullptr);

  REQUIRE_OK(file.Close());
  REQUIRE_CODE(file.MapForRead(5), absl::StatusCode::kFailedPrecondition);
  REQUIRE(RegionBytes(*whole, 11) == "hello world");
}

TEST_CASE("AReaderMapsAndReadsPublishedBytesWhileAWriterAppends", "[fs][region]") {
  FOR_EACH_FS(t);
  std::unique_ptr<File> file = Open(t.fs.get(), t.Path("a.log"), {.create = true});
  constexpr int kRecords = 1000;
  constexpr uint64_t kMapLength = 1 << 20;  // more than all the records
  std::string expected;
  std::vector<uint64_t> ends;
  for (int i = 0; i < kRecords; ++i) {
    expected += std::to_string(i) + ":" + Pattern(10 + i % 90, static_cast<char>('a' + i % 26), 3) + "\n";
    ends.push_back(expected.size());
  }
  REQUIRE(expected.size() < kMapLength);

  // Catch2's assertions are not thread-safe: the threads record what went wrong and the test checks it after
  // joining them.
  std::atomic<uint64_t> published{0};
  std::atomic<bool> writer_failed{false};
  std::string writer_error;
  std::thread writer([&] {
    uint64_t begin = 0;
    for (const uint64_t end : ends) {
      const absl::Status status = file->Append(std::string_view(expected).substr(begin, end - begin));
      if (!status.ok()) {
        writer_error = status.ToString();
        writer_failed.store(true);
        return;
      }
      published.store(end, std::memory_order_release);
      begin = end;
    }
  });

  uint64_t checked = 0;
  int maps = 0;
  std::string reader_error;
  std::thread reader([&] {
    std::shared_ptr<const FileRegion> region;
    while (checked < expected.size() && !writer_failed.load()) {
      const uint64_t end = published.load(std::memory_order_acquire);
      if (end == checked) {
        std::this_thread::yield();
        continue;
      }
      if (region == nullptr || region->length() < end) {
        absl::StatusOr<std::shared_ptr<const FileRegion>> mapped = file->MapForRead(kMapLength);
        if (!mapped.ok()) {
          reader_error = mapped.status().ToString();
          return;
        }
        region = *std::move(mapped);
        ++maps;
        if (region->length() < end) {
          reader_error =
              absl::StrCat("a new region spans ", region->length(), " bytes, fewer than the ", end, " published");
          return;
        }
        checked = 0;  // check everything again through the new region
      }
      if (std::memcmp(region->data() + checked, expected.data() + checked, end - checked) != 0) {
        reader_error = absl::StrCat("bytes [", checked, ", ", end, ") differ");
        return;
      }
      checked = end;
    }
  });
  writer.join();
  reader.join();
  INFO("writer: " << writer_error << "; reader: " << reader_error << "; maps: " << maps);
  REQUIRE(writer_error.empty());
  REQUIRE(reader_error.empty());
  REQUIRE(checked == expected.size());
  REQUIRE(maps >= 1);
}

TEST_CASE("ASecondLockFailsUntilTheFirstIsReleased", "[fs]") {
  FOR_EACH_FS(t);
  const std::string path = t.Path(".lock");
  absl::StatusOr<std::unique_ptr<FileLock>> first = t.fs->LockFile(path);
  REQUIRE_OK(first);
  REQUIRE(Exists(t.fs.get(), path));
  REQUIRE_CODE(t.fs->LockFile(path), absl::StatusCode::kFailedPrecondition);
  REQUIRE_CODE(t.fs->LockFile(t.Path("./.lock")), absl::StatusCode::kFailedPrecondition);
  first->reset();
  REQUIRE_OK(t.fs->LockFile(path));
}

TEST_CASE("PosixLocksConflictAcrossFileSystemInstances", "[fs]") {
  test::TempDir dir;
  const std::string path = JoinPath(dir.path(), ".lock");
  std::unique_ptr<FileSystem> a = NewPosixFileSystem();
  std::unique_ptr<FileSystem> b = NewPosixFileSystem();
  absl::StatusOr<std::unique_ptr<FileLock>> lock = a->LockFile(path);
  REQUIRE_OK(lock);
  REQUIRE_CODE(b->LockFile(path), absl::StatusCode::kFailedPrecondition);  // flock, not the in-process table
  lock->reset();
  REQUIRE_OK(b->LockFile(path));
}

TEST_CASE("WriteFileAtomicallyReplacesContentsAndLeavesNoTemporary", "[fs]") {
  FOR_EACH_FS(t);
  const std::string path = t.Path("recovery-point-offset-checkpoint");
  REQUIRE_OK(WriteFileAtomically(t.fs.get(), path, "0\n1\nt 0 42\n"));
  REQUIRE(ReadFile(t.fs.get(), path) == "0\n1\nt 0 42\n");
  REQUIRE_OK(WriteFileAtomically(t.fs.get(), path, "0\n0\n"));
  REQUIRE(ReadFile(t.fs.get(), path) == "0\n0\n");
  REQUIRE(List(t.fs.get(), t.root) == std::vector<std::string>{"recovery-point-offset-checkpoint"});
  REQUIRE_OK(t.fs->SyncDir(t.root));
}

TEST_CASE("ReadFileToStringOfAMissingFileIsNotFound", "[fs]") {
  FOR_EACH_FS(t);
  REQUIRE_CODE(ReadFileToString(t.fs.get(), t.Path("missing")), absl::StatusCode::kNotFound);
  WriteFile(t.fs.get(), t.Path("big"), std::string(10000, 'x'));
  REQUIRE(ReadFile(t.fs.get(), t.Path("big")) == std::string(10000, 'x'));
}

TEST_CASE("MemFileSystemNormalisesPaths", "[fs]") {
  std::unique_ptr<FileSystem> fs = NewMemFileSystem();
  REQUIRE_OK(fs->CreateDirs("/data//t-0/"));
  WriteFile(fs.get(), "/data/t-0/./a.log", "x");
  REQUIRE(ReadFile(fs.get(), "data/t-0/a.log") == "x");
  REQUIRE(ReadFile(fs.get(), "/data/../data/t-0//a.log") == "x");
  REQUIRE(List(fs.get(), "/") == std::vector<std::string>{"data"});
}

TEST_CASE("PathHelpersSplitAndJoinPaths", "[fs]") {
  REQUIRE(ParentDir("/data/t-0/a.log") == "/data/t-0");
  REQUIRE(ParentDir("/data/t-0/") == "/data");
  REQUIRE(ParentDir("/a") == "/");
  REQUIRE(ParentDir("/") == "/");
  REQUIRE(ParentDir("a.log") == ".");
  REQUIRE(ParentDir("dir//a.log") == "dir");
  REQUIRE(BaseName("/data/t-0/a.log") == "a.log");
  REQUIRE(BaseName("/data/t-0/") == "t-0");
  REQUIRE(BaseName("a.log") == "a.log");
  REQUIRE(BaseName("/") == "");
  REQUIRE(JoinPath("/data", "a.log") == "/data/a.log");
  REQUIRE(JoinPath("/data/", "/a.log") == "/data/a.log");
  REQUIRE(JoinPath("/", "a.log") == "/a.log");
  REQUIRE(JoinPath("", "a.log") == "a.log");
  REQUIRE(JoinPath("/data", "") == "/data");
}

TEST_CASE("NormalizePathResolvesSlashesAndDots", "[fs]") {
  using internal::NormalizePath;
  REQUIRE(NormalizePath("/a//b/./c/../d/") == "/a/b/d");
  REQUIRE(NormalizePath("a/b/..") == "a");
  REQUIRE(NormalizePath("") == ".");
  REQUIRE(NormalizePath("./") == ".");
  REQUIRE(NormalizePath("/..") == "/");
  REQUIRE(NormalizePath("/") == "/");
}

TEST_CASE("ErrnoToStatusMapsCodesAndNamesTheOperationAndPath", "[fs]") {
  using internal::ErrnoToStatus;
  const absl::Status not_found = ErrnoToStatus(ENOENT, "open", "/x/y");
  REQUIRE(not_found.code() == absl::StatusCode::kNotFound);
  REQUIRE(not_found.message() == "open /x/y: No such file or directory");
  REQUIRE(ErrnoToStatus(EEXIST, "open", "/x").code() == absl::StatusCode::kAlreadyExists);
  REQUIRE(ErrnoToStatus(ENOSPC, "write", "/x").code() == absl::StatusCode::kResourceExhausted);
  REQUIRE(ErrnoToStatus(EDQUOT, "write", "/x").code() == absl::StatusCode::kResourceExhausted);
  REQUIRE(ErrnoToStatus(EACCES, "open", "/x").code() == absl::StatusCode::kPermissionDenied);
  REQUIRE(ErrnoToStatus(EPERM, "open", "/x").code() == absl::StatusCode::kPermissionDenied);
  const absl::Status io = ErrnoToStatus(EIO, "fdatasync", "/x/00000000000000000000.log");
  REQUIRE(io.code() == absl::StatusCode::kDataLoss);
  REQUIRE(io.message() == "fdatasync /x/00000000000000000000.log: Input/output error");
  REQUIRE(ErrnoToStatus(EBADF, "read", "/x").code() == absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace seglog

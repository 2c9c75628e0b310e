// Helpers built on the FileSystem interface: whole-file read, atomic replace, path manipulation, and the
// default File::MapForRead (a snapshot copy).
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fs/path_util.h"
#include "seglog/file_system.h"
#include "util/status_macros.h"

namespace seglog {
namespace {

// `path` without trailing slashes, except that a path made only of slashes stays "/".
std::string_view StripTrailingSlashes(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

// A private copy of a file's first bytes: what File::MapForRead gives when an implementation cannot map.
class SnapshotRegion final : public FileRegion {
 public:
  SnapshotRegion(std::unique_ptr<char[]> bytes, size_t length) : bytes_(std::move(bytes)), length_(length) {}

  const char* data() const override { return length_ == 0 ? nullptr : bytes_.get(); }
  size_t length() const override { return length_; }

 private:
  const std::unique_ptr<char[]> bytes_;
  const size_t length_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<const FileRegion>> File::MapForRead(uint64_t length) const {
  ASSIGN_OR_RETURN(const uint64_t size, Size());
  const size_t wanted = static_cast<size_t>(std::min(length, size));
  std::unique_ptr<char[]> bytes;
  size_t filled = 0;
  if (wanted > 0) {
    bytes = std::make_unique_for_overwrite<char[]>(wanted);
    while (filled < wanted) {  // ReadAt stops short only at the end, which a concurrent Truncate may move
      ASSIGN_OR_RETURN(const size_t n, ReadAt(filled, absl::MakeSpan(bytes.get() + filled, wanted - filled)));
      if (n == 0) break;
      filled += n;
    }
  }
  return std::make_shared<const SnapshotRegion>(std::move(bytes), filled);
}

absl::StatusOr<std::string> ReadFileToString(FileSystem* fs, const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs->OpenFile(path, {.read_only = true}));
  ASSIGN_OR_RETURN(uint64_t size, file->Size());
  std::string contents;
  contents.resize(size);
  uint64_t filled = 0;
  while (true) {
    if (filled == contents.size()) contents.resize(contents.size() + 4096);  // the file may have grown
    ASSIGN_OR_RETURN(size_t n, file->ReadAt(filled, absl::MakeSpan(contents).subspan(filled)));
    if (n == 0) break;
    filled += n;
  }
  contents.resize(filled);
  RETURN_IF_ERROR(file->Close());
  return contents;
}

absl::Status WriteFileAtomically(FileSystem* fs, const std::string& path, std::string_view contents) {
  const std::string tmp = path + ".tmp";
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs->OpenFile(tmp, {.create = true, .truncate = true}));
  absl::Status status = file->Append(contents);
  if (status.ok()) status = file->Sync();
  if (status.ok()) status = file->Close();
  if (!status.ok()) {
    file.reset();
    fs->RemoveFile(tmp).IgnoreError();  // best effort: the caller sees the write error
    return status;
  }
  RETURN_IF_ERROR(fs->Rename(tmp, path));
  return fs->SyncDir(ParentDir(path));
}

std::string ParentDir(std::string_view path) {
  path = StripTrailingSlashes(path);
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  std::string_view parent = path.substr(0, slash);
  while (!parent.empty() && parent.back() == '/') parent.remove_suffix(1);
  if (parent.empty()) return "/";
  return std::string(parent);
}

std::string BaseName(std::string_view path) {
  path = StripTrailingSlashes(path);
  if (path == "/") return "";
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return std::string(path);
  return std::string(path.substr(slash + 1));
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  if (name.empty()) return std::string(dir);
  while (!dir.empty() && dir.back() == '/') dir.remove_suffix(1);
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  std::string joined(dir);
  joined.append("/").append(name);
  return joined;
}

namespace internal {

std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  const bool absolute = !path.empty() && path.front() == '/';
  std::string normalized;
  for (std::string_view part : parts) {
    if (!normalized.empty() || absolute) normalized.append("/");
    normalized.append(part);
  }
  if (normalized.empty()) return absolute ? "/" : ".";
  return normalized;
}

}  // namespace internal
}  // namespace seglog

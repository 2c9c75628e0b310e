// The in-memory FileSystem: a map from normalised absolute path to node (directory or file inode). Open
// handles share the inode, so a renamed or removed file stays readable through them (POSIX semantics).
// Errors use the errno the POSIX calls would have set, mapped by ErrnoToStatus, so both file systems agree.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "fs/errno_status.h"
#include "fs/lock_table.h"
#include "fs/path_util.h"
#include "seglog/file_system.h"
#include "util/status_macros.h"

namespace seglog {
namespace {

using internal::ErrnoToStatus;
using internal::LockTable;

// A regular file's bytes, shared by the directory entry and every handle open on it.
struct Inode {
  absl::Mutex mu;
  std::string data ABSL_GUARDED_BY(mu);
};

// A directory entry: a directory (no inode) or a regular file.
struct Node {
  bool is_dir = false;
  std::shared_ptr<Inode> inode;
};

// The absolute normalised form of `path` (relative paths are taken relative to "/").
std::string Normalize(std::string_view path) {
  std::string normalized = internal::NormalizePath(path);
  if (normalized == ".") return "/";
  if (normalized.front() != '/') normalized = absl::StrCat("/", normalized);  // (insert(0) trips GCC 12 -Wrestrict)
  return normalized;
}

// The prefix every key under directory `dir` (normalised) starts with.
std::string ChildPrefix(const std::string& dir) { return dir == "/" ? dir : dir + "/"; }

absl::Status ClosedError(const std::string& path) {
  return absl::FailedPreconditionError(absl::StrCat("file ", path, " is closed"));
}

class MemFile final : public File {
 public:
  MemFile(std::string path, std::shared_ptr<Inode> inode, bool read_only, uint64_t size)
      : path_(std::move(path)), inode_(std::move(inode)), read_only_(read_only), end_(size) {}

  absl::StatusOr<size_t> ReadAt(uint64_t offset, absl::Span<char> dst) const override {
    if (closed_.load()) return ClosedError(path_);
    absl::ReaderMutexLock lock(&inode_->mu);
    if (offset >= inode_->data.size()) return 0;
    const size_t n = std::min<uint64_t>(dst.size(), inode_->data.size() - offset);
    std::memcpy(dst.data(), inode_->data.data() + offset, n);
    return n;
  }

  absl::Status Append(std::string_view data) override {
    RETURN_IF_ERROR(CheckWritable());
    absl::MutexLock lock(&inode_->mu);
    WriteLocked(end_, data);
    return absl::OkStatus();
  }

  absl::Status WriteAt(uint64_t offset, std::string_view data) override {
    RETURN_IF_ERROR(CheckWritable());
    absl::MutexLock lock(&inode_->mu);
    WriteLocked(offset, data);
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    if (closed_.load()) return ClosedError(path_);
    return absl::OkStatus();
  }

  absl::Status Truncate(uint64_t size) override {
    RETURN_IF_ERROR(CheckWritable());
    absl::MutexLock lock(&inode_->mu);
    inode_->data.resize(size, '\0');
    end_ = size;
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> Size() const override {
    if (closed_.load()) return ClosedError(path_);
    absl::ReaderMutexLock lock(&inode_->mu);
    return inode_->data.size();
  }

  absl::Status Close() override {
    if (closed_.exchange(true)) return ClosedError(path_);
    return absl::OkStatus();
  }

  const std::string& path() const override { return path_; }

 private:
  void WriteLocked(uint64_t offset, std::string_view data) ABSL_EXCLUSIVE_LOCKS_REQUIRED(inode_->mu) {
    std::string& bytes = inode_->data;
    if (bytes.size() < offset + data.size()) bytes.resize(offset + data.size(), '\0');
    bytes.replace(offset, data.size(), data);
    end_ = std::max<uint64_t>(end_, offset + data.size());
  }

  absl::Status CheckWritable() const {
    if (closed_.load()) return ClosedError(path_);
    if (read_only_) {
      return absl::FailedPreconditionError(absl::StrCat("write ", path_, ": file opened read-only"));
    }
    return absl::OkStatus();
  }

  const std::string path_;
  const std::shared_ptr<Inode> inode_;
  const bool read_only_;
  std::atomic<bool> closed_{false};
  // Where the next Append goes: the size at open, moved by this handle's writes (as PosixFile does).
  uint64_t end_ ABSL_GUARDED_BY(inode_->mu);
};

// A private copy of the first length() bytes of an inode, written back on Sync() and destruction. Unlike a
// real mapping it does not see writes made through File handles meanwhile, and its write-back overwrites
// them; seglog never writes a mapped file through a File.
class MemMappedFile final : public MappedFile {
 public:
  MemMappedFile(std::shared_ptr<Inode> inode, size_t length) : inode_(std::move(inode)), length_(length) {
    if (length_ == 0) return;
    buffer_ = std::make_unique<char[]>(length_);
    absl::ReaderMutexLock lock(&inode_->mu);
    std::memcpy(buffer_.get(), inode_->data.data(), std::min(length_, inode_->data.size()));
  }
  ~MemMappedFile() override { WriteBack(); }

  char* data() override { return buffer_.get(); }
  const char* data() const override { return buffer_.get(); }
  size_t length() const override { return length_; }

  absl::Status Sync() override {
    WriteBack();
    return absl::OkStatus();
  }

 private:
  // Copies the buffer into the inode. As with mmap, bytes past a since-truncated end of file are lost.
  void WriteBack() {
    if (length_ == 0) return;
    absl::MutexLock lock(&inode_->mu);
    std::string& data = inode_->data;
    std::memcpy(data.data(), buffer_.get(), std::min(length_, data.size()));
  }

  const std::shared_ptr<Inode> inode_;
  const size_t length_;
  std::unique_ptr<char[]> buffer_;  // null when length_ is 0
};

class MemFileLock final : public FileLock {
 public:
  MemFileLock(std::shared_ptr<LockTable> table, std::string key) : table_(std::move(table)), key_(std::move(key)) {}
  ~MemFileLock() override { table_->Release(key_); }

 private:
  const std::shared_ptr<LockTable> table_;
  const std::string key_;
};

class MemFileSystem final : public FileSystem {
 public:
  MemFileSystem() { nodes_["/"] = Node{.is_dir = true, .inode = nullptr}; }

  absl::StatusOr<std::unique_ptr<File>> OpenFile(const std::string& path, const OpenOptions& options) override {
    const std::string key = Normalize(path);
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(std::shared_ptr<Inode> inode,
                     FindOrCreateFileLocked(key, path, options.create, options.exclusive));
    uint64_t size;
    {
      absl::MutexLock inode_lock(&inode->mu);
      if (options.truncate) inode->data.clear();
      size = inode->data.size();
    }
    return std::make_unique<MemFile>(path, std::move(inode), options.read_only, size);
  }

  absl::StatusOr<std::unique_ptr<MappedFile>> MapFile(const std::string& path, size_t length) override {
    std::shared_ptr<Inode> inode;
    {
      absl::MutexLock lock(&mu_);
      ASSIGN_OR_RETURN(inode, FindOrCreateFileLocked(Normalize(path), path, /*create=*/false, /*exclusive=*/false));
    }
    {
      absl::MutexLock inode_lock(&inode->mu);
      inode->data.resize(length, '\0');
    }
    return std::make_unique<MemMappedFile>(std::move(inode), length);
  }

  absl::StatusOr<bool> Exists(const std::string& path) override {
    absl::MutexLock lock(&mu_);
    return nodes_.contains(Normalize(path));
  }

  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    absl::MutexLock lock(&mu_);
    auto it = nodes_.find(Normalize(path));
    if (it == nodes_.end()) return ErrnoToStatus(ENOENT, "stat", path);
    if (it->second.is_dir) return ErrnoToStatus(EISDIR, "stat", path);
    absl::ReaderMutexLock inode_lock(&it->second.inode->mu);
    return it->second.inode->data.size();
  }

  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override {
    const std::string key = Normalize(dir);
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(CheckIsDirLocked(key, "opendir", dir));
    std::vector<std::string> names;
    const std::string prefix = ChildPrefix(key);
    for (auto it = nodes_.lower_bound(prefix); it != nodes_.end() && it->first.starts_with(prefix); ++it) {
      const std::string_view name = std::string_view(it->first).substr(prefix.size());
      if (!name.empty() && name.find('/') == std::string_view::npos) names.emplace_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  absl::Status CreateDirs(const std::string& dir) override {
    const std::string key = Normalize(dir);
    absl::MutexLock lock(&mu_);
    for (size_t end = key.find('/', 1);; end = key.find('/', end + 1)) {
      const std::string prefix = key.substr(0, end);
      auto it = nodes_.find(prefix);
      if (it == nodes_.end()) {
        nodes_[prefix] = Node{.is_dir = true, .inode = nullptr};
      } else if (!it->second.is_dir) {
        return ErrnoToStatus(ENOTDIR, "mkdir", prefix);
      }
      if (end == std::string::npos) break;
    }
    return absl::OkStatus();
  }

  absl::Status RemoveDir(const std::string& dir) override {
    const std::string key = Normalize(dir);
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(CheckIsDirLocked(key, "rmdir", dir));
    if (key == "/") return ErrnoToStatus(EBUSY, "rmdir", dir);
    if (HasChildrenLocked(key)) return ErrnoToStatus(ENOTEMPTY, "rmdir", dir);
    nodes_.erase(key);
    return absl::OkStatus();
  }

  absl::Status RemoveFile(const std::string& path) override {
    absl::MutexLock lock(&mu_);
    auto it = nodes_.find(Normalize(path));
    if (it == nodes_.end()) return ErrnoToStatus(ENOENT, "unlink", path);
    if (it->second.is_dir) return ErrnoToStatus(EISDIR, "unlink", path);
    nodes_.erase(it);
    return absl::OkStatus();
  }

  absl::Status Rename(const std::string& from, const std::string& to) override {
    const std::string from_key = Normalize(from);
    const std::string to_key = Normalize(to);
    const std::string what = absl::StrCat(from, " -> ", to);
    absl::MutexLock lock(&mu_);
    auto from_it = nodes_.find(from_key);
    if (from_it == nodes_.end()) return ErrnoToStatus(ENOENT, "rename", what);
    RETURN_IF_ERROR(CheckIsDirLocked(ParentDir(to_key), "rename", what));
    if (from_key == to_key) return absl::OkStatus();
    auto to_it = nodes_.find(to_key);
    if (!from_it->second.is_dir) {
      if (to_it != nodes_.end() && to_it->second.is_dir) return ErrnoToStatus(EISDIR, "rename", what);
      nodes_[to_key] = std::move(from_it->second);
      nodes_.erase(from_key);
      return absl::OkStatus();
    }
    // A directory moves with everything under it, onto nothing or an empty directory.
    if (to_key.starts_with(ChildPrefix(from_key)) || from_key == "/") {
      return ErrnoToStatus(EINVAL, "rename", what);
    }
    if (to_it != nodes_.end()) {
      if (!to_it->second.is_dir) return ErrnoToStatus(ENOTDIR, "rename", what);
      if (HasChildrenLocked(to_key)) return ErrnoToStatus(ENOTEMPTY, "rename", what);
      nodes_.erase(to_it);
    }
    const std::string prefix = ChildPrefix(from_key);
    std::vector<std::string> moved = {from_key};
    for (auto it = nodes_.lower_bound(prefix); it != nodes_.end() && it->first.starts_with(prefix); ++it) {
      moved.push_back(it->first);
    }
    for (const std::string& old_key : moved) {
      auto node = nodes_.extract(old_key);
      node.key() = to_key + old_key.substr(from_key.size());
      nodes_.insert(std::move(node));
    }
    return absl::OkStatus();
  }

  absl::Status SyncDir(const std::string& dir) override {
    absl::MutexLock lock(&mu_);
    return CheckIsDirLocked(Normalize(dir), "open", dir);
  }

  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    std::string key = Normalize(path);
    {
      absl::MutexLock lock(&mu_);
      RETURN_IF_ERROR(FindOrCreateFileLocked(key, path, /*create=*/true, /*exclusive=*/false).status());
    }
    if (!locks_->TryAcquire(key)) {
      return absl::FailedPreconditionError(absl::StrCat("lock ", path, ": already held by this process"));
    }
    return std::make_unique<MemFileLock>(locks_, std::move(key));
  }

 private:
  // The inode of the regular file at `key`, creating it when `create` allows. `path` is for messages.
  absl::StatusOr<std::shared_ptr<Inode>> FindOrCreateFileLocked(const std::string& key, const std::string& path,
                                                                bool create, bool exclusive)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = nodes_.find(key);
    if (it != nodes_.end()) {
      if (it->second.is_dir) return ErrnoToStatus(EISDIR, "open", path);
      if (create && exclusive) return ErrnoToStatus(EEXIST, "open", path);
      return it->second.inode;
    }
    if (!create) return ErrnoToStatus(ENOENT, "open", path);
    RETURN_IF_ERROR(CheckIsDirLocked(ParentDir(key), "open", path));
    auto inode = std::make_shared<Inode>();
    nodes_[key] = Node{.is_dir = false, .inode = inode};
    return inode;
  }

  // ENOENT if `key` does not exist, ENOTDIR if it is not a directory; `op` and `path` are for messages.
  absl::Status CheckIsDirLocked(const std::string& key, std::string_view op, std::string_view path)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = nodes_.find(key);
    if (it == nodes_.end()) return ErrnoToStatus(ENOENT, op, path);
    if (!it->second.is_dir) return ErrnoToStatus(ENOTDIR, op, path);
    return absl::OkStatus();
  }

  bool HasChildrenLocked(const std::string& dir) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const std::string prefix = ChildPrefix(dir);
    auto it = nodes_.lower_bound(prefix);
    if (it != nodes_.end() && it->first == dir) ++it;  // the root is its own prefix
    return it != nodes_.end() && it->first.starts_with(prefix);
  }

  absl::Mutex mu_;
  std::map<std::string, Node> nodes_ ABSL_GUARDED_BY(mu_);  // keyed by normalised path; "/" always present
  // Shared with the locks handed out, which may outlive this object.
  const std::shared_ptr<LockTable> locks_ = std::make_shared<LockTable>();
};

}  // namespace

std::unique_ptr<FileSystem> NewMemFileSystem() { return std::make_unique<MemFileSystem>(); }

}  // namespace seglog

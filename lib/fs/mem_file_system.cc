// The in-memory FileSystem: a map from normalised absolute path to node (directory or file inode). Open
// handles share the inode, so a renamed or removed file stays readable through them (POSIX semantics), and
// read regions share the inode's buffer (see Inode for how they keep their bytes).
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
#include "fs/errno_status.h"
#include "fs/lock_table.h"
#include "fs/path_util.h"
#include "seglog/file_system.h"
#include "seglog/mutex.h"
#include "util/status_macros.h"

namespace seglog {
namespace {

using internal::ErrnoToStatus;
using internal::LockTable;

// Stably addressed, zero-initialised storage for a file's bytes.
struct Buffer {
  explicit Buffer(size_t n) : bytes(std::make_unique<char[]>(n)), capacity(n) {}
  const std::unique_ptr<char[]> bytes;
  const size_t capacity;
};

// A regular file's bytes, shared by the directory entry and every handle open on it: the first `size` bytes
// of `buffer` (null while the file has never held a byte).
//
// Regions (File::MapForRead) hold a buffer and read it without the mutex, so every buffer a region holds
// keeps this invariant: its bytes [0, capacity) equal the file's bytes at those positions that are below the
// file's size. Hence appends within the capacity write in place (past the size, where no reader looks); an
// append past the capacity first fills the old buffer, then moves to a bigger one; and anything that changes
// bytes below the size (an overwrite, a shrink) first moves to a private copy when a region shares the
// buffer. A region drops its reference under `mu`, so use_count() read under `mu` is exact.
struct Inode {
  // Appending to a full buffer moves to one at least this big (and at least twice as big).
  static constexpr size_t kMinCapacity = 4096;

  size_t CapacityLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return buffer == nullptr ? 0 : buffer->capacity; }

  // Copies up to dst.size() bytes from `offset` into dst; returns how many (0 at or past the end).
  size_t ReadLocked(uint64_t offset, absl::Span<char> dst) const ABSL_SHARED_LOCKS_REQUIRED(mu) {
    if (offset >= size) return 0;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(dst.size(), size - offset));
    if (n > 0) std::memcpy(dst.data(), buffer->bytes.get() + offset, n);
    return n;
  }

  // Writes `data` at `offset`, zero-filling any gap past the end and growing the file as needed.
  void WriteLocked(uint64_t offset, std::string_view data) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    const uint64_t end = offset + data.size();
    if (offset < size && !data.empty()) UnshareLocked();  // changes bytes below the size
    if (buffer != nullptr) FillLocked(buffer.get(), offset, data);
    if (end > CapacityLocked()) {
      auto grown =
          std::make_shared<Buffer>(std::max<size_t>({static_cast<size_t>(end), 2 * CapacityLocked(), kMinCapacity}));
      if (size > 0) std::memcpy(grown->bytes.get(), buffer->bytes.get(), size);
      FillLocked(grown.get(), offset, data);
      buffer = std::move(grown);
    }
    size = std::max<uint64_t>(size, end);
  }

  // Sets the size, dropping or zero-extending the tail.
  void ResizeLocked(uint64_t new_size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (new_size >= size) {
      WriteLocked(new_size, {});
      return;
    }
    UnshareLocked();  // later writes land below the old size, where a region must keep the old bytes
    size = new_size;
  }

  // Moves to a private copy of the buffer if a region shares it.
  void UnshareLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (buffer == nullptr || buffer.use_count() == 1) return;
    auto copy = std::make_shared<Buffer>(buffer->capacity);
    std::memcpy(copy->bytes.get(), buffer->bytes.get(), size);
    buffer = std::move(copy);
  }

  // Writes into `b` the part of the zero gap [size, offset) and of `data` (at `offset`) below its capacity.
  void FillLocked(Buffer* b, uint64_t offset, std::string_view data) const ABSL_SHARED_LOCKS_REQUIRED(mu) {
    const uint64_t capacity = b->capacity;
    if (offset > size && size < capacity) {
      std::memset(b->bytes.get() + size, 0, static_cast<size_t>(std::min(offset, capacity) - size));
    }
    if (offset < capacity && !data.empty()) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(data.size(), capacity - offset));
      std::memcpy(b->bytes.get() + offset, data.data(), n);
    }
  }

  SharedMutex mu;
  std::shared_ptr<Buffer> buffer ABSL_GUARDED_BY(mu);
  uint64_t size ABSL_GUARDED_BY(mu) = 0;
};

// The bytes of an inode's buffer (File::MapForRead), from position 0 to the buffer's capacity.
class MemRegion final : public FileRegion {
 public:
  MemRegion(std::shared_ptr<Inode> inode, std::shared_ptr<Buffer> buffer)
      : inode_(std::move(inode)), buffer_(std::move(buffer)) {}
  ~MemRegion() override {
    WriterMutexLock lock(&inode_->mu);  // makes the inode's use_count() exact (see Inode)
    buffer_.reset();
  }

  const char* data() const override { return buffer_ == nullptr ? nullptr : buffer_->bytes.get(); }
  size_t length() const override { return buffer_ == nullptr ? 0 : buffer_->capacity; }

 private:
  const std::shared_ptr<Inode> inode_;
  std::shared_ptr<Buffer> buffer_;  // null for an empty region
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
    ReaderMutexLock lock(&inode_->mu);
    return inode_->ReadLocked(offset, dst);
  }

  absl::Status Append(std::string_view data) override {
    RETURN_IF_ERROR(CheckWritable());
    WriterMutexLock lock(&inode_->mu);
    WriteLocked(end_, data);
    return absl::OkStatus();
  }

  absl::Status WriteAt(uint64_t offset, std::string_view data) override {
    RETURN_IF_ERROR(CheckWritable());
    WriterMutexLock lock(&inode_->mu);
    WriteLocked(offset, data);
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    if (closed_.load()) return ClosedError(path_);
    return absl::OkStatus();
  }

  absl::Status Truncate(uint64_t size) override {
    RETURN_IF_ERROR(CheckWritable());
    WriterMutexLock lock(&inode_->mu);
    inode_->ResizeLocked(size);
    end_ = size;
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> Size() const override {
    if (closed_.load()) return ClosedError(path_);
    ReaderMutexLock lock(&inode_->mu);
    return inode_->size;
  }

  absl::Status Close() override {
    if (closed_.exchange(true)) return ClosedError(path_);
    return absl::OkStatus();
  }

  // The region shares the inode's current buffer, so it follows appends up to the buffer's capacity.
  absl::StatusOr<std::shared_ptr<const FileRegion>> MapForRead(uint64_t length) const override {
    if (closed_.load()) return ClosedError(path_);
    if (length == 0) return std::make_shared<const MemRegion>(inode_, nullptr);
    ReaderMutexLock lock(&inode_->mu);
    return std::make_shared<const MemRegion>(inode_, inode_->buffer);
  }

  const std::string& path() const override { return path_; }

 private:
  void WriteLocked(uint64_t offset, std::string_view data) ABSL_EXCLUSIVE_LOCKS_REQUIRED(inode_->mu) {
    inode_->WriteLocked(offset, data);
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
    ReaderMutexLock lock(&inode_->mu);
    inode_->ReadLocked(0, absl::MakeSpan(buffer_.get(), length_));
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
    WriterMutexLock lock(&inode_->mu);
    inode_->WriteLocked(0, std::string_view(buffer_.get(), std::min<uint64_t>(length_, inode_->size)));
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
    MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(std::shared_ptr<Inode> inode,
                     FindOrCreateFileLocked(key, path, options.create, options.exclusive));
    uint64_t size = 0;
    {
      WriterMutexLock inode_lock(&inode->mu);
      if (options.truncate) inode->ResizeLocked(0);
      size = inode->size;
    }
    return std::make_unique<MemFile>(path, std::move(inode), options.read_only, size);
  }

  absl::StatusOr<std::unique_ptr<MappedFile>> MapFile(const std::string& path, size_t length) override {
    std::shared_ptr<Inode> inode;
    {
      MutexLock lock(&mu_);
      ASSIGN_OR_RETURN(inode, FindOrCreateFileLocked(Normalize(path), path, /*create=*/false, /*exclusive=*/false));
    }
    {
      WriterMutexLock inode_lock(&inode->mu);
      inode->ResizeLocked(length);
    }
    return std::make_unique<MemMappedFile>(std::move(inode), length);
  }

  absl::StatusOr<bool> Exists(const std::string& path) override {
    MutexLock lock(&mu_);
    return nodes_.contains(Normalize(path));
  }

  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    MutexLock lock(&mu_);
    auto it = nodes_.find(Normalize(path));
    if (it == nodes_.end()) return ErrnoToStatus(ENOENT, "stat", path);
    if (it->second.is_dir) return ErrnoToStatus(EISDIR, "stat", path);
    ReaderMutexLock inode_lock(&it->second.inode->mu);
    return it->second.inode->size;
  }

  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override {
    const std::string key = Normalize(dir);
    MutexLock lock(&mu_);
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
    MutexLock lock(&mu_);
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
    MutexLock lock(&mu_);
    RETURN_IF_ERROR(CheckIsDirLocked(key, "rmdir", dir));
    if (key == "/") return ErrnoToStatus(EBUSY, "rmdir", dir);
    if (HasChildrenLocked(key)) return ErrnoToStatus(ENOTEMPTY, "rmdir", dir);
    nodes_.erase(key);
    return absl::OkStatus();
  }

  absl::Status RemoveFile(const std::string& path) override {
    MutexLock lock(&mu_);
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
    MutexLock lock(&mu_);
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
    MutexLock lock(&mu_);
    return CheckIsDirLocked(Normalize(dir), "open", dir);
  }

  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    std::string key = Normalize(path);
    {
      MutexLock lock(&mu_);
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
    mu_.AssertHeld();
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
    mu_.AssertHeld();
    auto it = nodes_.find(key);
    if (it == nodes_.end()) return ErrnoToStatus(ENOENT, op, path);
    if (!it->second.is_dir) return ErrnoToStatus(ENOTDIR, op, path);
    return absl::OkStatus();
  }

  bool HasChildrenLocked(const std::string& dir) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    mu_.AssertHeld();
    const std::string prefix = ChildPrefix(dir);
    auto it = nodes_.lower_bound(prefix);
    if (it != nodes_.end() && it->first == dir) ++it;  // the root is its own prefix
    return it != nodes_.end() && it->first.starts_with(prefix);
  }

  Mutex mu_;
  std::map<std::string, Node> nodes_ ABSL_GUARDED_BY(mu_);  // keyed by normalised path; "/" always present
  // Shared with the locks handed out, which may outlive this object.
  const std::shared_ptr<LockTable> locks_ = std::make_shared<LockTable>();
};

}  // namespace

std::unique_ptr<FileSystem> NewMemFileSystem() { return std::make_unique<MemFileSystem>(); }

}  // namespace seglog

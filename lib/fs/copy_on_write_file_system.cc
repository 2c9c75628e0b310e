// The copy-on-write FileSystem (NewCopyOnWriteFileSystem): a read-only base under a private overlay.
//
// The overlay is a map from normalised path to an entry: a whiteout (the base entry there, and everything
// under it, is hidden), a private directory (opaque: nothing of base below it shows), or a file node. A path
// without an entry shows base, unless an ancestor has an entry (a whiteout, a private directory or a file),
// which hides base below it. A file node is base's file at `origin` until its first change, then a file of a
// private in-memory FileSystem (NewMemFileSystem) under a flat name of its own, so renames and removals
// only move or drop entries and open handles follow the node, as POSIX handles follow the inode.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <map>
#include <memory>
#include <mutex>
#include <set>
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

constexpr size_t kCopyChunk = size_t{1} << 20;

// A file's contents: base's file at `origin` (empty: none, the file was created privately) until
// Materialize copies it into the private file system at `key`.
class CowNode {
 public:
  CowNode(std::shared_ptr<FileSystem> mem, FileSystem* base, std::string origin, std::string key)
      : mem_(std::move(mem)), base_(base), origin_(std::move(origin)), key_(std::move(key)) {}
  ~CowNode() {
    if (!materialized()) return;
    mem_file_.reset();
    mem_->RemoveFile(key_).IgnoreError();  // only this node knows the name
  }
  CowNode(const CowNode&) = delete;
  CowNode& operator=(const CowNode&) = delete;

  // Moves the contents into private memory (once), copying at most `limit` bytes of base's file.
  absl::Status Materialize(uint64_t limit) {
    std::lock_guard<std::mutex> lock(mu_);
    if (materialized()) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::unique_ptr<File> file, mem_->OpenFile(key_, {.create = true, .truncate = true}));
    if (!origin_.empty() && limit > 0) {
      ASSIGN_OR_RETURN(std::unique_ptr<File> source, base_->OpenFile(origin_, {.read_only = true}));
      ASSIGN_OR_RETURN(const uint64_t size, source->Size());
      const uint64_t n = std::min(size, limit);
      std::string buffer(static_cast<size_t>(std::min<uint64_t>(n, kCopyChunk)), '\0');
      for (uint64_t position = 0; position < n;) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), n - position));
        ASSIGN_OR_RETURN(const size_t got, source->ReadAt(position, absl::MakeSpan(buffer.data(), want)));
        if (got == 0) break;  // base shrank under us (someone else changed it)
        RETURN_IF_ERROR(file->WriteAt(position, std::string_view(buffer.data(), got)));
        position += got;
      }
      RETURN_IF_ERROR(source->Close());
    }
    mem_file_ = std::move(file);
    materialized_.store(true, std::memory_order_release);
    return absl::OkStatus();
  }

  bool materialized() const { return materialized_.load(std::memory_order_acquire); }
  // The private file, shared by every handle on the node. Only once materialized().
  File* mem_file() const { return mem_file_.get(); }
  const std::string& origin() const { return origin_; }
  const std::string& key() const { return key_; }

  absl::StatusOr<uint64_t> Size() const {
    if (materialized()) return mem_file()->Size();
    return base_->FileSize(origin_);
  }

 private:
  const std::shared_ptr<FileSystem> mem_;
  FileSystem* const base_;
  const std::string origin_;
  const std::string key_;
  std::mutex mu_;  // serialises Materialize
  std::atomic<bool> materialized_{false};
  std::unique_ptr<File> mem_file_;  // set once, before materialized_ is
};

// A region of base's file cut to the bytes the file held when mapped (base's mapping may span more, which
// would not follow this file's appends once it is private).
class ClampedRegion final : public FileRegion {
 public:
  ClampedRegion(std::shared_ptr<const FileRegion> region, size_t length)
      : region_(std::move(region)), length_(length) {}
  const char* data() const override { return length_ == 0 ? nullptr : region_->data(); }
  size_t length() const override { return length_; }

 private:
  const std::shared_ptr<const FileRegion> region_;
  const size_t length_;
};

absl::Status ClosedError(const std::string& path) {
  return absl::FailedPreconditionError(absl::StrCat("file ", path, " is closed"));
}

class CowFile final : public File {
 public:
  // `base_file`: a read-only handle on the node's origin, or null when the node was private already.
  CowFile(std::string path, std::shared_ptr<CowNode> node, std::unique_ptr<File> base_file, bool read_only,
          uint64_t end)
      : path_(std::move(path)),
        node_(std::move(node)),
        base_file_(std::move(base_file)),
        read_only_(read_only),
        end_(end) {}

  absl::StatusOr<size_t> ReadAt(uint64_t offset, absl::Span<char> dst) const override {
    if (closed_.load()) return ClosedError(path_);
    if (node_->materialized()) return node_->mem_file()->ReadAt(offset, dst);
    return base_file_->ReadAt(offset, dst);
  }

  absl::Status Append(std::string_view data) override {
    RETURN_IF_ERROR(CheckWritable());
    RETURN_IF_ERROR(node_->Materialize(UINT64_MAX));
    RETURN_IF_ERROR(node_->mem_file()->WriteAt(end_, data));
    end_ += data.size();
    return absl::OkStatus();
  }

  absl::Status WriteAt(uint64_t offset, std::string_view data) override {
    RETURN_IF_ERROR(CheckWritable());
    RETURN_IF_ERROR(node_->Materialize(UINT64_MAX));
    RETURN_IF_ERROR(node_->mem_file()->WriteAt(offset, data));
    end_ = std::max<uint64_t>(end_, offset + data.size());
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    if (closed_.load()) return ClosedError(path_);
    return absl::OkStatus();
  }

  absl::Status Truncate(uint64_t size) override {
    RETURN_IF_ERROR(CheckWritable());
    RETURN_IF_ERROR(node_->Materialize(size));  // bytes past the new size are not worth copying
    RETURN_IF_ERROR(node_->mem_file()->Truncate(size));
    end_ = size;
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> Size() const override {
    if (closed_.load()) return ClosedError(path_);
    if (node_->materialized()) return node_->mem_file()->Size();
    return base_file_->Size();
  }

  absl::Status Close() override {
    if (closed_.exchange(true)) return ClosedError(path_);
    if (base_file_ != nullptr) return base_file_->Close();
    return absl::OkStatus();
  }

  absl::StatusOr<std::shared_ptr<const FileRegion>> MapForRead(uint64_t length) const override {
    if (closed_.load()) return ClosedError(path_);
    if (node_->materialized()) return node_->mem_file()->MapForRead(length);
    // Base's bytes never change, but base's mapping would not see this file's later (private) appends:
    // map only what exists, so the caller maps again (and reaches the private copy) when it needs more.
    ASSIGN_OR_RETURN(const uint64_t size, base_file_->Size());
    const uint64_t wanted = std::min(length, size);
    ASSIGN_OR_RETURN(std::shared_ptr<const FileRegion> region, base_file_->MapForRead(wanted));
    if (region->length() <= wanted) return region;
    return std::make_shared<const ClampedRegion>(std::move(region), static_cast<size_t>(wanted));
  }

  const std::string& path() const override { return path_; }

 private:
  absl::Status CheckWritable() const {
    if (closed_.load()) return ClosedError(path_);
    if (read_only_) return absl::FailedPreconditionError(absl::StrCat("write ", path_, ": file opened read-only"));
    return absl::OkStatus();
  }

  const std::string path_;
  const std::shared_ptr<CowNode> node_;
  const std::unique_ptr<File> base_file_;  // null when the node was private when opened
  const bool read_only_;
  std::atomic<bool> closed_{false};
  uint64_t end_;  // where the next Append goes (one writer at a time, per the File contract)
};

class CowFileLock final : public FileLock {
 public:
  CowFileLock(std::shared_ptr<LockTable> table, std::string key) : table_(std::move(table)), key_(std::move(key)) {}
  ~CowFileLock() override { table_->Release(key_); }

 private:
  const std::shared_ptr<LockTable> table_;
  const std::string key_;
};

// What a path names in the view.
enum class Kind { kNone, kFile, kDir };

struct Entry {
  enum Type { kWhiteout, kDir, kFile } type = kWhiteout;
  std::shared_ptr<CowNode> node;  // kFile only
};

struct Resolved {
  Kind kind = Kind::kNone;
  std::shared_ptr<CowNode> node;  // a file with an entry (null: base's file, not yet given a node)
  bool in_base = false;           // a directory of base (its base entries show, less the whiteouts)
};

std::string Key(std::string_view path) { return internal::NormalizePath(path); }

bool IsTop(const std::string& key) { return key == "/" || key == "."; }

// The prefix of the keys under `dir`.
std::string ChildPrefix(const std::string& dir) {
  if (dir == "/") return dir;
  if (dir == ".") return "";
  return dir + "/";
}

class CowFileSystem final : public FileSystem {
 public:
  explicit CowFileSystem(FileSystem* base) : base_(base) {}

  absl::StatusOr<std::unique_ptr<File>> OpenFile(const std::string& path, const OpenOptions& options) override {
    const std::string key = Key(path);
    std::shared_ptr<CowNode> node;
    {
      MutexLock lock(&mu_);
      ASSIGN_OR_RETURN(Resolved r, ResolveLocked(key));
      if (r.kind == Kind::kDir) return ErrnoToStatus(EISDIR, "open", path);
      if (r.kind == Kind::kNone) {
        if (!options.create) return ErrnoToStatus(ENOENT, "open", path);
        ASSIGN_OR_RETURN(node, CreatePrivateFileLocked(key, path, "open"));
      } else {
        if (options.create && options.exclusive) return ErrnoToStatus(EEXIST, "open", path);
        node = NodeLocked(key, r);
      }
    }
    if (options.truncate) {
      RETURN_IF_ERROR(node->Materialize(0));
      RETURN_IF_ERROR(node->mem_file()->Truncate(0));
    }
    std::unique_ptr<File> base_file;
    if (!node->materialized()) {
      ASSIGN_OR_RETURN(base_file, base_->OpenFile(node->origin(), {.read_only = true}));
    }
    ASSIGN_OR_RETURN(const uint64_t size, node->materialized() ? node->mem_file()->Size() : base_file->Size());
    return std::make_unique<CowFile>(path, std::move(node), std::move(base_file), options.read_only, size);
  }

  absl::StatusOr<std::unique_ptr<MappedFile>> MapFile(const std::string& path, size_t length) override {
    std::shared_ptr<CowNode> node;
    {
      MutexLock lock(&mu_);
      const std::string key = Key(path);
      ASSIGN_OR_RETURN(Resolved r, ResolveLocked(key));
      if (r.kind == Kind::kNone) return ErrnoToStatus(ENOENT, "open", path);
      if (r.kind == Kind::kDir) return ErrnoToStatus(EISDIR, "open", path);
      node = NodeLocked(key, r);
    }
    RETURN_IF_ERROR(node->Materialize(length));
    return mem_->MapFile(node->key(), length);
  }

  absl::StatusOr<bool> Exists(const std::string& path) override {
    MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(Resolved r, ResolveLocked(Key(path)));
    return r.kind != Kind::kNone;
  }

  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    const std::string key = Key(path);
    std::shared_ptr<CowNode> node;
    {
      MutexLock lock(&mu_);
      ASSIGN_OR_RETURN(Resolved r, ResolveLocked(key));
      if (r.kind == Kind::kNone) return ErrnoToStatus(ENOENT, "stat", path);
      if (r.kind == Kind::kDir) return ErrnoToStatus(EISDIR, "stat", path);
      node = r.node;
    }
    if (node == nullptr) return base_->FileSize(key);
    return node->Size();
  }

  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override {
    MutexLock lock(&mu_);
    return ListDirLocked(Key(dir), dir);
  }

  absl::Status CreateDirs(const std::string& dir) override {
    const std::string key = Key(dir);
    MutexLock lock(&mu_);
    std::vector<std::string> prefixes;
    for (std::string p = key; !IsTop(p); p = ParentDir(p)) prefixes.push_back(p);
    std::reverse(prefixes.begin(), prefixes.end());
    for (const std::string& prefix : prefixes) {
      ASSIGN_OR_RETURN(Resolved r, ResolveLocked(prefix));
      if (r.kind == Kind::kFile) return ErrnoToStatus(ENOTDIR, "mkdir", prefix);
      if (r.kind == Kind::kNone) entries_[prefix] = Entry{.type = Entry::kDir, .node = nullptr};
    }
    return absl::OkStatus();
  }

  absl::Status RemoveDir(const std::string& dir) override {
    const std::string key = Key(dir);
    MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(Resolved r, ResolveLocked(key));
    if (r.kind == Kind::kNone) return ErrnoToStatus(ENOENT, "rmdir", dir);
    if (r.kind == Kind::kFile) return ErrnoToStatus(ENOTDIR, "rmdir", dir);
    if (IsTop(key)) return ErrnoToStatus(EBUSY, "rmdir", dir);
    ASSIGN_OR_RETURN(std::vector<std::string> children, ListDirLocked(key, dir));
    if (!children.empty()) return ErrnoToStatus(ENOTEMPTY, "rmdir", dir);
    // What is below is hidden now; only whiteouts can be there (the directory shows empty).
    const std::string prefix = ChildPrefix(key);
    for (auto it = entries_.lower_bound(prefix); it != entries_.end() && it->first.starts_with(prefix);) {
      it = entries_.erase(it);
    }
    entries_[key] = Entry{.type = Entry::kWhiteout, .node = nullptr};
    return absl::OkStatus();
  }

  absl::Status RemoveFile(const std::string& path) override {
    const std::string key = Key(path);
    MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(Resolved r, ResolveLocked(key));
    if (r.kind == Kind::kNone) return ErrnoToStatus(ENOENT, "unlink", path);
    if (r.kind == Kind::kDir) return ErrnoToStatus(EISDIR, "unlink", path);
    entries_[key] = Entry{.type = Entry::kWhiteout, .node = nullptr};  // open handles keep the node
    return absl::OkStatus();
  }

  absl::Status Rename(const std::string& from, const std::string& to) override {
    const std::string from_key = Key(from);
    const std::string to_key = Key(to);
    const std::string what = absl::StrCat(from, " -> ", to);
    MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(Resolved r, ResolveLocked(from_key));
    if (r.kind == Kind::kNone) return ErrnoToStatus(ENOENT, "rename", what);
    if (r.kind == Kind::kDir) {
      return absl::UnimplementedError(absl::StrCat("rename ", what,
                                                   ": the copy-on-write file system does not "
                                                   "rename directories"));
    }
    RETURN_IF_ERROR(CheckDirLocked(ParentDir(to_key), "rename", what));
    if (from_key == to_key) return absl::OkStatus();
    ASSIGN_OR_RETURN(Resolved target, ResolveLocked(to_key));
    if (target.kind == Kind::kDir) return ErrnoToStatus(EISDIR, "rename", what);
    std::shared_ptr<CowNode> node = NodeLocked(from_key, r);
    entries_[to_key] = Entry{.type = Entry::kFile, .node = std::move(node)};
    entries_[from_key] = Entry{.type = Entry::kWhiteout, .node = nullptr};
    return absl::OkStatus();
  }

  absl::Status SyncDir(const std::string& dir) override {
    MutexLock lock(&mu_);
    return CheckDirLocked(Key(dir), "open", dir);
  }

  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    std::string key = Key(path);
    {
      MutexLock lock(&mu_);
      ASSIGN_OR_RETURN(Resolved r, ResolveLocked(key));
      if (r.kind == Kind::kDir) return ErrnoToStatus(EISDIR, "open", path);
      if (r.kind == Kind::kNone) RETURN_IF_ERROR(CreatePrivateFileLocked(key, path, "open").status());
    }
    if (!locks_->TryAcquire(key)) {
      return absl::FailedPreconditionError(absl::StrCat("lock ", path, ": already held by this process"));
    }
    return std::make_unique<CowFileLock>(locks_, std::move(key));
  }

 private:
  // What `key` names in the view.
  absl::StatusOr<Resolved> ResolveLocked(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    mu_.AssertHeld();
    if (auto it = entries_.find(key); it != entries_.end()) {
      switch (it->second.type) {
        case Entry::kWhiteout:
          return Resolved{};
        case Entry::kDir:
          return Resolved{.kind = Kind::kDir, .node = nullptr, .in_base = false};
        case Entry::kFile:
          return Resolved{.kind = Kind::kFile, .node = it->second.node, .in_base = false};
      }
    }
    // Any entry above hides base below it: a whiteout, a private (opaque) directory, or a file.
    if (!IsTop(key)) {
      for (std::string p = ParentDir(key);; p = ParentDir(p)) {
        if (entries_.contains(p)) return Resolved{};
        if (IsTop(p)) break;
      }
    }
    ASSIGN_OR_RETURN(const bool exists, base_->Exists(key));
    if (!exists) return Resolved{};
    // Both file systems refuse FileSize on a directory.
    if (base_->FileSize(key).ok()) return Resolved{.kind = Kind::kFile, .node = nullptr, .in_base = true};
    return Resolved{.kind = Kind::kDir, .node = nullptr, .in_base = true};
  }

  // The node of the file `r` resolved at `key`, giving base's file one (and an entry) first.
  std::shared_ptr<CowNode> NodeLocked(const std::string& key, const Resolved& r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    mu_.AssertHeld();
    if (r.node != nullptr) return r.node;
    auto node = NewNodeLocked(key);
    entries_[key] = Entry{.type = Entry::kFile, .node = node};
    return node;
  }

  std::shared_ptr<CowNode> NewNodeLocked(std::string origin) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    mu_.AssertHeld();
    return std::make_shared<CowNode>(mem_, base_, std::move(origin), absl::StrCat("/f", next_node_++));
  }

  // Creates an empty private file at `key` (its parent must be a directory of the view).
  absl::StatusOr<std::shared_ptr<CowNode>> CreatePrivateFileLocked(const std::string& key, const std::string& path,
                                                                   std::string_view op)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    mu_.AssertHeld();
    RETURN_IF_ERROR(CheckDirLocked(ParentDir(key), op, path));
    std::shared_ptr<CowNode> node = NewNodeLocked("");
    RETURN_IF_ERROR(node->Materialize(0));
    entries_[key] = Entry{.type = Entry::kFile, .node = node};
    return node;
  }

  absl::Status CheckDirLocked(const std::string& key, std::string_view op, std::string_view path)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    mu_.AssertHeld();
    ASSIGN_OR_RETURN(Resolved r, ResolveLocked(key));
    if (r.kind == Kind::kNone) return ErrnoToStatus(ENOENT, op, path);
    if (r.kind == Kind::kFile) return ErrnoToStatus(ENOTDIR, op, path);
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<std::string>> ListDirLocked(const std::string& key, std::string_view dir)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    mu_.AssertHeld();
    ASSIGN_OR_RETURN(Resolved r, ResolveLocked(key));
    if (r.kind == Kind::kNone) return ErrnoToStatus(ENOENT, "opendir", dir);
    if (r.kind == Kind::kFile) return ErrnoToStatus(ENOTDIR, "opendir", dir);
    std::set<std::string> names;
    if (r.in_base) {
      ASSIGN_OR_RETURN(std::vector<std::string> base_names, base_->ListDir(key));
      names.insert(base_names.begin(), base_names.end());
    }
    const std::string prefix = ChildPrefix(key);
    for (auto it = entries_.lower_bound(prefix); it != entries_.end() && it->first.starts_with(prefix); ++it) {
      const std::string name = it->first.substr(prefix.size());
      if (name.empty() || name.find('/') != std::string::npos) continue;  // the directory itself, or deeper
      if (it->second.type == Entry::kWhiteout) {
        names.erase(name);
      } else {
        names.insert(name);
      }
    }
    return std::vector<std::string>(names.begin(), names.end());
  }

  FileSystem* const base_;
  // The private files' contents; shared with the nodes, which may outlive this object (open handles).
  const std::shared_ptr<FileSystem> mem_ = NewMemFileSystem();
  const std::shared_ptr<LockTable> locks_ = std::make_shared<LockTable>();
  Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);  // keyed by normalised path
  uint64_t next_node_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

std::unique_ptr<FileSystem> NewCopyOnWriteFileSystem(FileSystem* base) { return std::make_unique<CowFileSystem>(base); }

}  // namespace seglog

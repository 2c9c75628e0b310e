// FaultInjectionFileSystem: see fault_injection_file_system.h.
#include "support/fault_injection_file_system.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "fs/path_util.h"
#include "util/status_macros.h"

namespace seglog {
namespace {

using internal::NormalizePath;

std::string ChildPrefix(const std::string& dir) { return dir == "/" ? dir : dir + "/"; }

// Replaces the file at `path` with `contents` on `fs` (no durability needed: `fs` is the base).
absl::Status WriteWholeFile(FileSystem* fs, const std::string& path, std::string_view contents) {
  RETURN_IF_ERROR(fs->CreateDirs(ParentDir(path)));
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs->OpenFile(path, {.create = true, .truncate = true}));
  RETURN_IF_ERROR(file->Append(contents));
  return file->Close();
}

// Moves the map entries for `from` and everything under it to the same places under `to`.
template <typename Value>
void MoveKeys(std::map<std::string, Value>* map, const std::string& from, const std::string& to) {
  std::vector<std::string> keys;
  const std::string prefix = ChildPrefix(from);
  if (map->contains(from)) keys.push_back(from);
  for (auto it = map->lower_bound(prefix); it != map->end() && it->first.starts_with(prefix); ++it) {
    keys.push_back(it->first);
  }
  map->erase(to);
  for (const std::string& key : keys) {
    Value value = std::move(map->extract(key).mapped());
    (*map)[to + key.substr(from.size())] = std::move(value);
  }
}

absl::Status InvalidatedError(const std::string& path) {
  return absl::FailedPreconditionError(absl::StrCat(path, ": handle invalidated by simulated crash"));
}

}  // namespace

// What the wrapper knows about one file's durability.
struct FaultInjectionFileSystem::FileState {
  uint64_t synced_size = 0;  // size at the last successful Sync
  bool dirty = false;        // changed since then
  // Synced bytes overwritten or truncated away since the last Sync, oldest first: (offset, original bytes).
  std::vector<std::pair<uint64_t, std::string>> backups;
  uint64_t last_write_begin = 0;  // [begin, end) of the last Append or WriteAt
  uint64_t last_write_end = 0;
};

// A directory operation not yet made durable by SyncDir.
struct FaultInjectionFileSystem::DirOp {
  enum class Kind { kCreate, kRemove, kRename } kind = Kind::kCreate;
  std::string path = {};                     // the file created or removed; the rename source
  std::string to = {};                       // the rename destination
  std::set<std::string> unsynced_dirs = {};  // parents still to be synced
  bool replaced_file = false;                // kRename: `to` was a file, whose durable content is `content`
  bool replaced_dir = false;                 // kRename: `to` was an empty directory
  std::string content = {};                  // kRemove: the removed file's durable content
};

class FaultInjectionFileSystem::FaultFile final : public File {
 public:
  FaultFile(FaultInjectionFileSystem* fs, std::unique_ptr<File> base, std::shared_ptr<FileState> state, uint64_t epoch,
            uint64_t size)
      : fs_(fs), base_(std::move(base)), state_(std::move(state)), epoch_(epoch), end_(size) {}

  absl::StatusOr<size_t> ReadAt(uint64_t offset, absl::Span<char> dst) const override {
    MutexLock lock(&fs_->mu_);
    RETURN_IF_ERROR(fs_->CheckEpochLocked(epoch_, path()));
    RETURN_IF_ERROR(fs_->MaybeInjectLocked(Op::kRead, path()));
    return base_->ReadAt(offset, dst);
  }

  absl::Status Append(std::string_view data) override {
    MutexLock lock(&fs_->mu_);
    RETURN_IF_ERROR(fs_->CheckEpochLocked(epoch_, path()));
    RETURN_IF_ERROR(fs_->MaybeInjectLocked(Op::kWrite, path()));
    return WriteLocked(end_, data);
  }

  absl::Status WriteAt(uint64_t offset, std::string_view data) override {
    MutexLock lock(&fs_->mu_);
    RETURN_IF_ERROR(fs_->CheckEpochLocked(epoch_, path()));
    RETURN_IF_ERROR(fs_->MaybeInjectLocked(Op::kWrite, path()));
    return WriteLocked(offset, data);
  }

  absl::Status Sync() override {
    std::shared_ptr<const std::function<void(const std::string&)>> hook;
    {
      MutexLock lock(&fs_->mu_);
      hook = fs_->sync_hook_;
    }
    if (hook != nullptr) (*hook)(path());  // outside the lock: the hook may block
    MutexLock lock(&fs_->mu_);
    RETURN_IF_ERROR(fs_->CheckEpochLocked(epoch_, path()));
    RETURN_IF_ERROR(fs_->MaybeInjectLocked(Op::kSync, path()));
    RETURN_IF_ERROR(base_->Sync());
    ASSIGN_OR_RETURN(state_->synced_size, base_->Size());
    state_->dirty = false;
    state_->backups.clear();
    state_->last_write_begin = state_->last_write_end = 0;
    ++fs_->sync_count_;
    return absl::OkStatus();
  }

  absl::Status Truncate(uint64_t size) override {
    MutexLock lock(&fs_->mu_);
    RETURN_IF_ERROR(fs_->CheckEpochLocked(epoch_, path()));
    RETURN_IF_ERROR(fs_->MaybeInjectLocked(Op::kTruncate, path()));
    return TruncateLocked(size);
  }

  absl::StatusOr<uint64_t> Size() const override {
    MutexLock lock(&fs_->mu_);
    RETURN_IF_ERROR(fs_->CheckEpochLocked(epoch_, path()));
    return base_->Size();
  }

  absl::Status Close() override {
    MutexLock lock(&fs_->mu_);
    const absl::Status closed = base_->Close();
    RETURN_IF_ERROR(fs_->CheckEpochLocked(epoch_, path()));
    return closed;
  }

  // The base file's region: it stays valid memory after a crash (the handle is dead, its region is not).
  absl::StatusOr<std::shared_ptr<const FileRegion>> MapForRead(uint64_t length) const override {
    MutexLock lock(&fs_->mu_);
    RETURN_IF_ERROR(fs_->CheckEpochLocked(epoch_, path()));
    RETURN_IF_ERROR(fs_->MaybeInjectLocked(Op::kRead, path()));
    return base_->MapForRead(length);
  }

  int NativeHandle() const override { return base_->NativeHandle(); }
  const std::string& path() const override { return base_->path(); }

  // Truncate without the checks; also how OpenFile applies OpenOptions::truncate.
  absl::Status TruncateLocked(uint64_t size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(fs_->mu_) {
    fs_->mu_.AssertHeld();
    ASSIGN_OR_RETURN(uint64_t old_size, base_->Size());
    RETURN_IF_ERROR(BackupSyncedLocked(size, state_->synced_size, old_size));
    RETURN_IF_ERROR(base_->Truncate(size));
    end_ = size;
    state_->dirty = true;
    fs_->ChargeLocked(old_size, size);
    return absl::OkStatus();
  }

 private:
  friend class FaultInjectionFileSystem;  // reads fs_ to assert mu_ is held

  // Writes what fits of `data` at `offset`, remembering what it overwrote. Appends, too, reach the base as
  // WriteAt at this handle's tracked end (the same rule the base file systems follow), so the offsets this
  // wrapper records are exactly where the bytes went.
  absl::Status WriteLocked(uint64_t offset, std::string_view data) ABSL_EXCLUSIVE_LOCKS_REQUIRED(fs_->mu_) {
    fs_->mu_.AssertHeld();
    ASSIGN_OR_RETURN(uint64_t size, base_->Size());
    absl::Status full;
    if (fs_->free_space_.has_value() && offset + data.size() > size + *fs_->free_space_) {
      const uint64_t limit = size + *fs_->free_space_;
      data = data.substr(0, limit > offset ? std::min<uint64_t>(data.size(), limit - offset) : 0);
      full = absl::ResourceExhaustedError(
          absl::StrCat("write ", path(), ": No space left on device (simulated full disk)"));
    }
    if (data.empty()) return full;
    RETURN_IF_ERROR(BackupSyncedLocked(offset, offset + data.size(), size));
    RETURN_IF_ERROR(base_->WriteAt(offset, data));
    end_ = std::max<uint64_t>(end_, offset + data.size());
    state_->dirty = true;
    state_->last_write_begin = offset;
    state_->last_write_end = offset + data.size();
    fs_->ChargeLocked(size, std::max<uint64_t>(size, offset + data.size()));
    fs_->bytes_written_ += static_cast<int64_t>(data.size());
    return full;
  }

  // Saves the synced bytes in [begin, end) that are about to change; `size` is the file's current size.
  absl::Status BackupSyncedLocked(uint64_t begin, uint64_t end, uint64_t size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(fs_->mu_) {
    fs_->mu_.AssertHeld();
    end = std::min({end, state_->synced_size, size});
    if (begin >= end) return absl::OkStatus();
    std::string bytes(end - begin, '\0');
    ASSIGN_OR_RETURN(size_t n, base_->ReadAt(begin, absl::MakeSpan(bytes)));
    bytes.resize(n);
    state_->backups.emplace_back(begin, std::move(bytes));
    return absl::OkStatus();
  }

  FaultInjectionFileSystem* const fs_;
  const std::unique_ptr<File> base_;
  const std::shared_ptr<FileState> state_;
  const uint64_t epoch_;
  uint64_t end_ ABSL_GUARDED_BY(fs_->mu_);  // where the next Append goes
};

// Keeps its own copy of the bytes, so that data() stays valid after a crash releases the base mapping.
class FaultInjectionFileSystem::FaultMappedFile final : public MappedFile {
 public:
  FaultMappedFile(FaultInjectionFileSystem* fs, std::string path, std::unique_ptr<MappedFile> base, uint64_t epoch)
      : fs_(fs), path_(std::move(path)), length_(base->length()), base_(std::move(base)), epoch_(epoch) {
    if (length_ == 0) return;
    buffer_ = std::make_unique<char[]>(length_);
    std::memcpy(buffer_.get(), base_->data(), length_);
  }

  ~FaultMappedFile() override {
    MutexLock lock(&fs_->mu_);
    fs_->mappings_.erase(this);
    ReleaseLocked();
  }

  char* data() override { return buffer_.get(); }
  const char* data() const override { return buffer_.get(); }
  size_t length() const override { return length_; }

  absl::Status Sync() override {
    MutexLock lock(&fs_->mu_);
    RETURN_IF_ERROR(fs_->CheckEpochLocked(epoch_, path_));
    RETURN_IF_ERROR(fs_->MaybeInjectLocked(Op::kSync, path_));
    if (length_ > 0) std::memcpy(base_->data(), buffer_.get(), length_);
    RETURN_IF_ERROR(base_->Sync());
    ++fs_->sync_count_;
    return absl::OkStatus();
  }

  // Writes the bytes to the base mapping and drops it (at destruction or a crash).
  void ReleaseLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(fs_->mu_) {
    fs_->mu_.AssertHeld();
    if (base_ == nullptr) return;
    if (length_ > 0) std::memcpy(base_->data(), buffer_.get(), length_);
    base_.reset();
  }

 private:
  friend class FaultInjectionFileSystem;  // reads fs_ to assert mu_ is held

  FaultInjectionFileSystem* const fs_;
  const std::string path_;
  const size_t length_;
  std::unique_ptr<MappedFile> base_ ABSL_GUARDED_BY(fs_->mu_);  // null once released
  std::unique_ptr<char[]> buffer_;                              // null when length_ is 0
  const uint64_t epoch_;
};

class FaultInjectionFileSystem::FaultLock final : public FileLock {
 public:
  FaultLock(FaultInjectionFileSystem* fs, std::unique_ptr<FileLock> base) : fs_(fs), base_(std::move(base)) {}
  ~FaultLock() override {
    MutexLock lock(&fs_->mu_);
    fs_->locks_.erase(this);
    base_.reset();
  }

  void ReleaseLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(fs_->mu_) {
    fs_->mu_.AssertHeld();
    base_.reset();
  }

 private:
  friend class FaultInjectionFileSystem;  // reads fs_ to assert mu_ is held

  FaultInjectionFileSystem* const fs_;
  std::unique_ptr<FileLock> base_ ABSL_GUARDED_BY(fs_->mu_);  // null once released
};

FaultInjectionFileSystem::FaultInjectionFileSystem(FileSystem* base) : base_(base) {}
FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

absl::StatusOr<std::unique_ptr<File>> FaultInjectionFileSystem::OpenFile(const std::string& path,
                                                                         const OpenOptions& options) {
  const std::string key = NormalizePath(path);
  MutexLock lock(&mu_);
  RETURN_IF_ERROR(MaybeInjectLocked(Op::kOpen, path));
  ASSIGN_OR_RETURN(bool existed, base_->Exists(path));
  OpenOptions base_options = options;
  const bool emulate_truncate = options.truncate && !options.read_only;
  if (emulate_truncate) base_options.truncate = false;  // done below, so the old bytes can be restored
  ASSIGN_OR_RETURN(std::unique_ptr<File> base_file, base_->OpenFile(path, base_options));
  if (!existed) {
    files_.erase(key);
    pending_dir_ops_.push_back(DirOp{.kind = DirOp::Kind::kCreate, .path = key, .unsynced_dirs = {ParentDir(key)}});
  }
  ASSIGN_OR_RETURN(std::shared_ptr<FileState> state, StateLocked(key));
  ASSIGN_OR_RETURN(uint64_t size, base_file->Size());
  auto file = std::make_unique<FaultFile>(this, std::move(base_file), std::move(state), epoch_, size);
  if (emulate_truncate) {
    file->fs_->mu_.AssertHeld();  // the same mutex, spelled for the thread-safety analysis
    RETURN_IF_ERROR(file->TruncateLocked(0));
  }
  return file;
}

absl::StatusOr<std::unique_ptr<MappedFile>> FaultInjectionFileSystem::MapFile(const std::string& path, size_t length) {
  MutexLock lock(&mu_);
  RETURN_IF_ERROR(MaybeInjectLocked(Op::kOpen, path));
  ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> base_map, base_->MapFile(path, length));
  auto map = std::make_unique<FaultMappedFile>(this, path, std::move(base_map), epoch_);
  mappings_.insert(map.get());
  return map;
}

absl::StatusOr<bool> FaultInjectionFileSystem::Exists(const std::string& path) {
  MutexLock lock(&mu_);
  return base_->Exists(path);
}

absl::StatusOr<uint64_t> FaultInjectionFileSystem::FileSize(const std::string& path) {
  MutexLock lock(&mu_);
  return base_->FileSize(path);
}

absl::StatusOr<std::vector<std::string>> FaultInjectionFileSystem::ListDir(const std::string& dir) {
  MutexLock lock(&mu_);
  return base_->ListDir(dir);
}

absl::Status FaultInjectionFileSystem::CreateDirs(const std::string& dir) {
  MutexLock lock(&mu_);
  return base_->CreateDirs(dir);
}

absl::Status FaultInjectionFileSystem::RemoveDir(const std::string& dir) {
  MutexLock lock(&mu_);
  RETURN_IF_ERROR(MaybeInjectLocked(Op::kRemove, dir));
  return base_->RemoveDir(dir);
}

absl::Status FaultInjectionFileSystem::RemoveFile(const std::string& path) {
  const std::string key = NormalizePath(path);
  MutexLock lock(&mu_);
  RETURN_IF_ERROR(MaybeInjectLocked(Op::kRemove, path));
  ASSIGN_OR_RETURN(uint64_t size, base_->FileSize(path));
  ASSIGN_OR_RETURN(std::string durable, DurableContentLocked(key));
  RETURN_IF_ERROR(base_->RemoveFile(path));
  pending_dir_ops_.push_back(DirOp{
      .kind = DirOp::Kind::kRemove, .path = key, .unsynced_dirs = {ParentDir(key)}, .content = std::move(durable)});
  files_.erase(key);
  ChargeLocked(size, 0);
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::Rename(const std::string& from, const std::string& to) {
  const std::string from_key = NormalizePath(from);
  const std::string to_key = NormalizePath(to);
  MutexLock lock(&mu_);
  RETURN_IF_ERROR(MaybeInjectLocked(Op::kRename, from, to));
  DirOp op{.kind = DirOp::Kind::kRename,
           .path = from_key,
           .to = to_key,
           .unsynced_dirs = {ParentDir(from_key), ParentDir(to_key)}};
  uint64_t replaced_size = 0;
  ASSIGN_OR_RETURN(bool to_exists, base_->Exists(to));
  if (to_exists && from_key != to_key) {
    op.replaced_dir = base_->ListDir(to).ok();
    op.replaced_file = !op.replaced_dir;
    if (op.replaced_file) {
      ASSIGN_OR_RETURN(replaced_size, base_->FileSize(to));
      ASSIGN_OR_RETURN(op.content, DurableContentLocked(to_key));
    }
  }
  RETURN_IF_ERROR(base_->Rename(from, to));
  if (from_key == to_key) return absl::OkStatus();
  MoveKeys(&files_, from_key, to_key);
  pending_dir_ops_.push_back(std::move(op));
  ChargeLocked(replaced_size, 0);
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::SyncDir(const std::string& dir) {
  const std::string key = NormalizePath(dir);
  MutexLock lock(&mu_);
  RETURN_IF_ERROR(MaybeInjectLocked(Op::kSyncDir, dir));
  RETURN_IF_ERROR(base_->SyncDir(dir));
  for (DirOp& op : pending_dir_ops_) op.unsynced_dirs.erase(key);
  std::erase_if(pending_dir_ops_, [](const DirOp& op) { return op.unsynced_dirs.empty(); });
  ++dir_sync_count_;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<FileLock>> FaultInjectionFileSystem::LockFile(const std::string& path) {
  MutexLock lock(&mu_);
  RETURN_IF_ERROR(MaybeInjectLocked(Op::kOpen, path));
  ASSIGN_OR_RETURN(std::unique_ptr<FileLock> base_lock, base_->LockFile(path));
  auto file_lock = std::make_unique<FaultLock>(this, std::move(base_lock));
  locks_.insert(file_lock.get());
  return file_lock;
}

absl::StatusOr<FaultInjectionFileSystem::CrashReport> FaultInjectionFileSystem::SimulateCrash(
    const CrashOptions& options) {
  MutexLock lock(&mu_);
  ++epoch_;
  for (FaultMappedFile* map : mappings_) {
    map->fs_->mu_.AssertHeld();  // the same mutex, spelled for the thread-safety analysis
    map->ReleaseLocked();
  }
  mappings_.clear();
  for (FaultLock* file_lock : locks_) {
    file_lock->fs_->mu_.AssertHeld();
    file_lock->ReleaseLocked();
  }
  locks_.clear();

  CrashReport report;
  std::vector<DirOp> pending = std::move(pending_dir_ops_);
  pending_dir_ops_.clear();
  for (auto it = pending.rbegin(); it != pending.rend(); ++it) RETURN_IF_ERROR(UndoLocked(*it, &report));

  std::mt19937_64 rng(options.seed);
  std::map<std::string, std::shared_ptr<FileState>> files = std::move(files_);
  files_.clear();
  for (const auto& [key, state] : files) {
    if (state->dirty) RETURN_IF_ERROR(CrashFileLocked(key, *state, options, &rng, &report));
  }
  return report;
}

void FaultInjectionFileSystem::InjectError(Op op, absl::Status error, std::string path_substring, int count) {
  if (count <= 0) return;
  MutexLock lock(&mu_);
  rules_.push_back(ErrorRule{op, std::move(error), std::move(path_substring), count});
}

void FaultInjectionFileSystem::SetSyncHook(std::function<void(const std::string& path)> hook) {
  MutexLock lock(&mu_);
  sync_hook_ = hook ? std::make_shared<const std::function<void(const std::string&)>>(std::move(hook)) : nullptr;
}

void FaultInjectionFileSystem::ClearErrors() {
  MutexLock lock(&mu_);
  rules_.clear();
}

void FaultInjectionFileSystem::SetFreeSpace(std::optional<uint64_t> bytes) {
  MutexLock lock(&mu_);
  free_space_ = bytes;
}

std::optional<uint64_t> FaultInjectionFileSystem::free_space() const {
  MutexLock lock(&mu_);
  return free_space_;
}

int64_t FaultInjectionFileSystem::sync_count() const {
  MutexLock lock(&mu_);
  return sync_count_;
}

int64_t FaultInjectionFileSystem::dir_sync_count() const {
  MutexLock lock(&mu_);
  return dir_sync_count_;
}

int64_t FaultInjectionFileSystem::bytes_written() const {
  MutexLock lock(&mu_);
  return bytes_written_;
}

absl::Status FaultInjectionFileSystem::MaybeInjectLocked(Op op, const std::string& path, const std::string& path2) {
  mu_.AssertHeld();
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (it->op != Op::kAny && it->op != op) continue;
    if (!it->path_substring.empty() && !absl::StrContains(path, it->path_substring) &&
        !absl::StrContains(path2, it->path_substring)) {
      continue;
    }
    absl::Status error = it->error;
    if (--it->remaining == 0) rules_.erase(it);
    return error;
  }
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::CheckEpochLocked(uint64_t epoch, const std::string& path) const {
  mu_.AssertHeld();
  if (epoch != epoch_) return InvalidatedError(path);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<FaultInjectionFileSystem::FileState>> FaultInjectionFileSystem::StateLocked(
    const std::string& key) {
  mu_.AssertHeld();
  auto it = files_.find(key);
  if (it != files_.end()) return it->second;
  auto state = std::make_shared<FileState>();
  ASSIGN_OR_RETURN(state->synced_size, base_->FileSize(key));
  files_[key] = state;
  return state;
}

void FaultInjectionFileSystem::ChargeLocked(uint64_t old_size, uint64_t new_size) {
  mu_.AssertHeld();
  if (!free_space_.has_value()) return;
  if (new_size >= old_size) {
    *free_space_ -= std::min(*free_space_, new_size - old_size);
  } else {
    *free_space_ += old_size - new_size;
  }
}

absl::StatusOr<std::string> FaultInjectionFileSystem::DurableContentLocked(const std::string& key) {
  mu_.AssertHeld();
  ASSIGN_OR_RETURN(std::string content, ReadFileToString(base_, key));
  auto it = files_.find(key);
  if (it == files_.end()) return content;  // never written through this wrapper: all durable
  const FileState& state = *it->second;
  content.resize(state.synced_size, '\0');
  for (auto backup = state.backups.rbegin(); backup != state.backups.rend(); ++backup) {
    content.replace(backup->first, backup->second.size(), backup->second);
  }
  return content;
}

absl::Status FaultInjectionFileSystem::UndoLocked(const DirOp& op, CrashReport* report) {
  mu_.AssertHeld();
  ++report->dir_ops_undone;
  switch (op.kind) {
    case DirOp::Kind::kCreate: {
      files_.erase(op.path);
      const absl::Status removed = base_->RemoveFile(op.path);
      return absl::IsNotFound(removed) ? absl::OkStatus() : removed;  // best effort
    }
    case DirOp::Kind::kRemove:
      files_.erase(op.path);
      return WriteWholeFile(base_, op.path, op.content);
    case DirOp::Kind::kRename: {
      const absl::Status moved = base_->Rename(op.to, op.path);
      if (absl::IsNotFound(moved)) return absl::OkStatus();  // best effort
      RETURN_IF_ERROR(moved);
      MoveKeys(&files_, op.to, op.path);
      if (op.replaced_file) return WriteWholeFile(base_, op.to, op.content);
      if (op.replaced_dir) return base_->CreateDirs(op.to);
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::CrashFileLocked(const std::string& key, const FileState& state,
                                                       const CrashOptions& options, std::mt19937_64* rng,
                                                       CrashReport* report) {
  mu_.AssertHeld();
  absl::StatusOr<std::unique_ptr<File>> opened = base_->OpenFile(key, {});
  if (absl::IsNotFound(opened.status())) return absl::OkStatus();  // durably removed
  RETURN_IF_ERROR(opened.status());
  File& file = **opened;
  ASSIGN_OR_RETURN(const uint64_t size, file.Size());
  const uint64_t synced = state.synced_size;
  const uint64_t tail = size > synced ? size - synced : 0;

  // How much of the unsynced tail survives.
  auto uniform = [rng](uint64_t max) { return std::uniform_int_distribution<uint64_t>(0, max)(*rng); };
  uint64_t kept = 0;
  if (options.tear_last_write && state.last_write_end > synced) {
    const uint64_t torn_begin = std::max(state.last_write_begin, synced);
    const uint64_t torn_end = std::min(state.last_write_end, size);
    kept = (torn_begin - synced) + (torn_end > torn_begin ? uniform(torn_end - torn_begin) : 0);
  } else if (options.keep_unsynced_prefix) {
    kept = uniform(tail);
  }
  kept = std::min(kept, tail);

  const uint64_t new_size = synced + kept;
  if (new_size != size) RETURN_IF_ERROR(file.Truncate(new_size));
  if (tail > kept) {
    ++report->files_truncated;
    report->bytes_dropped += tail - kept;
  }
  for (auto backup = state.backups.rbegin(); backup != state.backups.rend(); ++backup) {
    RETURN_IF_ERROR(file.WriteAt(backup->first, backup->second));
    report->bytes_restored += backup->second.size();
  }
  if (options.append_garbage_bytes > 0) {
    std::string garbage(options.append_garbage_bytes, '\0');
    for (char& c : garbage) c = static_cast<char>(uniform(255));
    RETURN_IF_ERROR(file.Append(garbage));
    report->garbage_bytes_appended += garbage.size();
  }
  if (options.append_zero_bytes > 0) {
    RETURN_IF_ERROR(file.Append(std::string(options.append_zero_bytes, '\0')));
    report->zero_bytes_appended += options.append_zero_bytes;
  }
  ASSIGN_OR_RETURN(const uint64_t final_size, file.Size());
  ChargeLocked(size, final_size);
  return file.Close();
}

}  // namespace seglog

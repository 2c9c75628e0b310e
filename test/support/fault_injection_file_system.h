// FaultInjectionFileSystem: a FileSystem wrapper for crash and error tests. It forwards every operation to a
// base file system (usually a MemFileSystem) and remembers what is not yet durable, so a test can
// SimulateCrash() and see exactly what a power cut would leave behind; it can also fail chosen operations
// and pretend the disk is full.
//
//   std::unique_ptr<FileSystem> mem = NewMemFileSystem();
//   FaultInjectionFileSystem fs(mem.get());
//   ... write through &fs, Sync some files, SyncDir some directories ...
//   auto report = fs.SimulateCrash({.keep_unsynced_prefix = true, .seed = 7});
//   ... reopen through &fs (or mem) and check recovery ...
//   fs.InjectError(FaultInjectionFileSystem::Op::kSync, absl::DataLossError("fsync failed"), ".log");
//
// Crash model:
//  - File data. Append/WriteAt/Truncate reach the base at once (reads see them). A file's durable content is
//    what it held at its last successful File::Sync (files that existed before the wrapper first opened them
//    count as synced). On a crash each file with unsynced changes is cut back to its synced size; bytes of
//    the synced range that were overwritten or truncated since are restored. Then, per CrashOptions, part of
//    the unsynced tail may survive, and garbage or zeros may be appended. Out-of-order writeback (a later
//    unsynced write surviving while an earlier one is lost) is not modelled.
//  - Directory entries. Creating a file (OpenFile with create), RemoveFile and Rename are durable only after
//    SyncDir of the parent directory (both parents for a rename). A crash undoes the others, newest first,
//    restoring removed files and replaced rename targets with their durable content. Undo is best-effort
//    where later durable operations conflict. CreateDirs, RemoveDir and LockFile's file creation are durable
//    at once.
//  - Mapped files are not crash-modelled: their bytes are written to the base on Sync, destruction and at the
//    crash (indexes are rebuilt after an unclean shutdown anyway). A mapping created before a crash keeps
//    valid memory but its Sync fails afterwards.
//  - Read regions (File::MapForRead) are the base file's own regions, not crash-modelled: one obtained before
//    a crash stays valid memory and keeps the bytes it held, unsynced ones included. (Over a POSIX base, a
//    crash that cuts a file back does so through another handle, so the region is not detached: reading its
//    bytes past the new end would fault. Crash tests use the in-memory base.)
//  - After a crash every File, MappedFile and FileLock obtained before it is dead: operations fail with
//    kFailedPrecondition ("handle invalidated by simulated crash") and locks are released.
//
// Lifetime: `base` is borrowed and must outlive this object; Files, MappedFiles and FileLocks obtained from
// it must be destroyed before it.
//
// Thread safety: every method may be called from any thread (one internal mutex serialises them).
#ifndef SEGLOG_TEST_SUPPORT_FAULT_INJECTION_FILE_SYSTEM_H_
#define SEGLOG_TEST_SUPPORT_FAULT_INJECTION_FILE_SYSTEM_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "seglog/file_system.h"
#include "seglog/mutex.h"

namespace seglog {

class FaultInjectionFileSystem final : public FileSystem {
 public:
  // Which operations an injected error applies to.
  enum class Op {
    kRead,      // File::ReadAt, File::MapForRead
    kWrite,     // File::Append, File::WriteAt
    kSync,      // File::Sync, MappedFile::Sync
    kRename,    // Rename (matched against both paths)
    kOpen,      // OpenFile, MapFile, LockFile
    kTruncate,  // File::Truncate
    kRemove,    // RemoveFile, RemoveDir
    kSyncDir,   // SyncDir
    kAny,       // any of the above
  };

  struct CrashOptions {
    // Keep a random-length prefix (possibly empty or all) of each file's unsynced tail.
    bool keep_unsynced_prefix = false;
    // Keep each file's unsynced tail up to its last write, and a random-length prefix of that write: the
    // last write is torn. Takes precedence over keep_unsynced_prefix.
    bool tear_last_write = false;
    // After the above, append this many random bytes to every file that had unsynced data (the inode size
    // reached disk, the data blocks did not)...
    uint64_t append_garbage_bytes = 0;
    // ...and then this many zero bytes (a preallocated or zero-filled tail).
    uint64_t append_zero_bytes = 0;
    // Seeds every random choice, so a crash is reproducible.
    uint64_t seed = 0;
  };

  struct CrashReport {
    int files_truncated = 0;      // files whose unsynced data was dropped in whole or part
    uint64_t bytes_dropped = 0;   // unsynced bytes that did not survive
    uint64_t bytes_restored = 0;  // overwritten or truncated synced bytes put back
    uint64_t garbage_bytes_appended = 0;
    uint64_t zero_bytes_appended = 0;
    int dir_ops_undone = 0;  // unsynced creates, removes and renames reverted
  };

  // `base` is borrowed and must outlive this object.
  explicit FaultInjectionFileSystem(FileSystem* base);
  ~FaultInjectionFileSystem() override;

  // FileSystem.
  absl::StatusOr<std::unique_ptr<File>> OpenFile(const std::string& path, const OpenOptions& options) override;
  absl::StatusOr<std::unique_ptr<MappedFile>> MapFile(const std::string& path, size_t length) override;
  absl::StatusOr<bool> Exists(const std::string& path) override;
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override;
  absl::Status CreateDirs(const std::string& dir) override;
  absl::Status RemoveDir(const std::string& dir) override;
  absl::Status RemoveFile(const std::string& path) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;

  // Drops everything not durable as described above, invalidates every open handle and releases every lock.
  // Fails only if the base file system fails.
  absl::StatusOr<CrashReport> SimulateCrash(const CrashOptions& options);
  absl::StatusOr<CrashReport> SimulateCrash() { return SimulateCrash(CrashOptions()); }

  // The next `count` operations of kind `op` whose path contains `path_substring` fail with `error` without
  // doing anything; later ones behave normally. Rules are checked in the order they were added.
  void InjectError(Op op, absl::Status error, std::string path_substring = "", int count = 1);
  void ClearErrors();

  // Calls `hook` with the file's path at the start of every File::Sync, outside the internal lock, so a test
  // can hold an fsync in flight (e.g. block until other threads have queued behind it). Empty to remove.
  void SetSyncHook(std::function<void(const std::string& path)> hook);

  // With a value, the disk has that many free bytes: growing a file consumes them; shrinking one (Truncate,
  // RemoveFile, being replaced by Rename, a crash cutting it back) frees them. A write that does not fit
  // writes the prefix that does, then fails with kResourceExhausted (a short write on a full disk).
  // std::nullopt, the default, means unlimited.
  void SetFreeSpace(std::optional<uint64_t> bytes);
  std::optional<uint64_t> free_space() const;

  // Counters since construction: successful File::Sync and MappedFile::Sync calls, successful SyncDir calls,
  // and bytes written by Append/WriteAt.
  int64_t sync_count() const;
  int64_t dir_sync_count() const;
  int64_t bytes_written() const;

 private:
  class FaultFile;
  class FaultMappedFile;
  class FaultLock;
  struct FileState;
  struct DirOp;

  // The error to fail a `op` on `path` (and `path2`, for a rename) with, consuming one use of the first
  // matching rule; OK when none matches.
  absl::Status MaybeInjectLocked(Op op, const std::string& path, const std::string& path2 = "")
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // kFailedPrecondition for a handle (on `path`) opened before the latest crash; OK for a live one.
  absl::Status CheckEpochLocked(uint64_t epoch, const std::string& path) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The tracked state of the file at normalised `key`, created (with its current size synced) if new.
  absl::StatusOr<std::shared_ptr<FileState>> StateLocked(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adjusts the free-space budget for a file growing (or shrinking) from `old_size` to `new_size`.
  void ChargeLocked(uint64_t old_size, uint64_t new_size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The durable content of the file at `key` (what a crash would leave by default).
  absl::StatusOr<std::string> DurableContentLocked(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reverts one unsynced directory operation.
  absl::Status UndoLocked(const DirOp& op, CrashReport* report) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Cuts one file with unsynced changes back to what survives the crash.
  absl::Status CrashFileLocked(const std::string& key, const FileState& state, const CrashOptions& options,
                               std::mt19937_64* rng, CrashReport* report) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  FileSystem* const base_;

  mutable Mutex mu_;
  uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;                                       // bumped by each crash
  std::map<std::string, std::shared_ptr<FileState>> files_ ABSL_GUARDED_BY(mu_);  // by normalised path
  std::vector<DirOp> pending_dir_ops_ ABSL_GUARDED_BY(mu_);                       // unsynced, oldest first
  struct ErrorRule {
    Op op;
    absl::Status error;
    std::string path_substring;
    int remaining;
  };
  std::vector<ErrorRule> rules_ ABSL_GUARDED_BY(mu_);
  std::optional<uint64_t> free_space_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const std::function<void(const std::string&)>> sync_hook_ ABSL_GUARDED_BY(mu_);
  std::set<FaultMappedFile*> mappings_ ABSL_GUARDED_BY(mu_);  // live, for write-back at a crash
  std::set<FaultLock*> locks_ ABSL_GUARDED_BY(mu_);           // live, for release at a crash
  int64_t sync_count_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t dir_sync_count_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t bytes_written_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace seglog

#endif  // SEGLOG_TEST_SUPPORT_FAULT_INJECTION_FILE_SYSTEM_H_

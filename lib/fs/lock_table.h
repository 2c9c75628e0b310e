// LockTable: the set of lock keys held inside this process, so that a second FileSystem::LockFile on a file
// this process already holds fails instead of depending on how the OS treats two locks from one process.
//
//   auto table = std::make_shared<LockTable>();
//   if (!table->TryAcquire(key)) return absl::FailedPreconditionError("...");
//   ...
//   table->Release(key);
//
// Thread safety: every method may be called from any thread.
#ifndef SEGLOG_LIB_FS_LOCK_TABLE_H_
#define SEGLOG_LIB_FS_LOCK_TABLE_H_

#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "seglog/mutex.h"

namespace seglog::internal {

class LockTable {
 public:
  LockTable() = default;
  LockTable(const LockTable&) = delete;
  LockTable& operator=(const LockTable&) = delete;

  // Records `key` as held. Returns false (and changes nothing) if it already is.
  bool TryAcquire(const std::string& key) {
    MutexLock lock(&mu_);
    return held_.insert(key).second;
  }

  // Forgets `key`. Precondition: this caller acquired it.
  void Release(const std::string& key) {
    MutexLock lock(&mu_);
    held_.erase(key);
  }

 private:
  Mutex mu_;
  std::set<std::string> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace seglog::internal

#endif  // SEGLOG_LIB_FS_LOCK_TABLE_H_

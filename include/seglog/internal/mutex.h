// internal::Mutex: std::mutex under Abseil's thread-safety annotations, for the one lock every append takes.
// Not part of seglog's API (it is here only because public classes hold one).
//
//   internal::Mutex mu_;
//   int n_ ABSL_GUARDED_BY(mu_);
//   { internal::MutexLock lock(&mu_); ++n_; }
//
// Why not absl::Mutex: Debian's Abseil is built with deadlock detection on, which costs an append a few
// tens of nanoseconds per lock (about a tenth of a one-record append); std::mutex is a bare futex. Use
// absl::Mutex everywhere else (it is what absl::CondVar and Clock::WaitWithDeadline need).
//
// Thread safety: a mutex.
#ifndef SEGLOG_INTERNAL_MUTEX_H_
#define SEGLOG_INTERNAL_MUTEX_H_

#include <mutex>

#include "absl/base/thread_annotations.h"

namespace seglog::internal {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

}  // namespace seglog::internal

#endif  // SEGLOG_INTERNAL_MUTEX_H_

// Mutex, SharedMutex and CondVar: seglog's locks. std::mutex, std::shared_mutex and std::condition_variable
// under Clang's thread-safety annotations (-Wthread-safety checks every ABSL_GUARDED_BY against them).
//
//   seglog::Mutex mu_;
//   seglog::CondVar cv_;
//   bool ready_ ABSL_GUARDED_BY(mu_) = false;
//
//   { seglog::MutexLock lock(&mu_); ready_ = true; cv_.SignalAll(); }
//   { seglog::MutexLock lock(&mu_); while (!ready_) cv_.Wait(&mu_); }
//
// Why not absl::Mutex: Debian's Abseil runs deadlock detection on every lock (a few tens of nanoseconds, a
// tenth of a one-record append) and is not built for ThreadSanitizer, which therefore cannot see the
// happens-before edges it makes. The standard types are bare futexes that TSan understands. They are public
// because the Clock seam (clock.h) takes a CondVar and a Mutex.
//
// AssertHeld(): in builds without NDEBUG (Debug, the sanitizer presets) a Mutex remembers its owner thread
// and AssertHeld() aborts when the caller does not hold it; with NDEBUG it only informs the analysis, and
// locking does nothing but lock the std::mutex (nothing more on the append path). The owner field is there
// in both, so a Mutex has one layout whether or not the code around it defines NDEBUG: an application
// built without NDEBUG links against a Release seglog safely (a Topic holds a Mutex before fields its
// inline accessors read).
//
// Thread safety: these are the synchronisation primitives; every method may be called from any thread, with
// the usual preconditions (Unlock and the waits only by the holder).
#ifndef SEGLOG_MUTEX_H_
#define SEGLOG_MUTEX_H_

#include <cassert>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#include <atomic>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"

namespace seglog {

class CondVar;

// An exclusive lock.
class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    mu_.lock();
    SetOwner();
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    ClearOwner();
    mu_.unlock();
  }
  // True (and held) when the lock was free.
  bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    if (!mu_.try_lock()) return false;
    SetOwner();
    return true;
  }
  // Aborts (without NDEBUG) unless the calling thread holds the lock; tells the analysis that it does.
  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() {
#ifndef NDEBUG
    assert(owner_.load(std::memory_order_relaxed) == std::this_thread::get_id() && "seglog::Mutex not held");
#endif
  }

 private:
  friend class CondVar;

#ifndef NDEBUG
  void SetOwner() { owner_.store(std::this_thread::get_id(), std::memory_order_relaxed); }
  void ClearOwner() { owner_.store(std::thread::id(), std::memory_order_relaxed); }
#else
  void SetOwner() {}
  void ClearOwner() {}
#endif
  // Written only without NDEBUG, present always (one layout; see above).
  [[maybe_unused]] std::atomic<std::thread::id> owner_{};
  std::mutex mu_;
};

// Holds a Mutex for its scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A reader/writer lock, for state read far more often than written where readers must not wait for one
// another (index maps, mapped regions, a listener registry). No AssertHeld: prefer Mutex unless readers
// really run in parallel.
class ABSL_LOCKABLE SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() { mu_.lock_shared(); }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

// Holds a SharedMutex exclusively for its scope.
class ABSL_SCOPED_LOCKABLE WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~WriterMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

// Holds a SharedMutex shared for its scope.
class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex* mu) ABSL_SHARED_LOCK_FUNCTION(mu) : mu_(mu) { mu_->ReaderLock(); }
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

// A condition variable used with a Mutex. Waits may return spuriously: callers wait in a loop that re-checks
// their condition.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Releases `mu` (which the caller holds), waits for a signal and takes `mu` again.
  void Wait(Mutex* mu) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // As Wait, until a signal or the real time `deadline` (absl::InfiniteFuture(): no deadline). Returns true
  // when it returned because the deadline passed.
  bool WaitWithDeadline(Mutex* mu, absl::Time deadline) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // As Wait, for at most `timeout` of real time. Returns true when the timeout expired.
  bool WaitWithTimeout(Mutex* mu, absl::Duration timeout) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // WaitWithDeadline for as long as `done()` is false; returns done() (false: the deadline passed first).
  template <typename Predicate>
  bool WaitUntil(Mutex* mu, absl::Time deadline, Predicate done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    while (!done()) {
      if (WaitWithDeadline(mu, deadline)) return done();
    }
    return true;
  }

  // Wakes one waiter / every waiter. The caller need not hold the mutex.
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace seglog

#endif  // SEGLOG_MUTEX_H_

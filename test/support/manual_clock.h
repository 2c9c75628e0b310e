// ManualClock: a Clock whose time moves only when a test says so (Advance, SetTime), making retention,
// segment.ms rolls, linger and poll deadlines deterministic.
//
//   seglog::ManualClock clock;                      // starts at 2023-11-14T22:13:20Z
//   std::thread sleeper([&] { clock.SleepFor(absl::Seconds(5)); });
//   clock.AwaitWaiters(1);                          // the sleeper is blocked now
//   clock.Advance(absl::Seconds(5));                // ... and returns
//   sleeper.join();
//
// Waiting semantics:
//  - SleepFor(d) blocks until the manual time reaches (time at the call) + d. Advance and SetTime wake it
//    through the clock's own condition variable; no real time passes and nothing polls.
//  - WaitWithDeadline(cv, mu, deadline) returns true at once if Now() >= deadline. Otherwise it registers
//    `cv`, waits on it for at most 5 ms of *real* time, and returns Now() >= deadline. Advance and SetTime
//    SignalAll() every registered cv, so a waiter whose deadline they pass wakes promptly. The real-time
//    bound exists because Advance cannot take the caller's `mu`: a signal sent between registration and
//    the wait would otherwise be lost. Callers loop and re-check their condition (as the Clock contract
//    requires), so a 5 ms timeout shows up only as a spurious `false`.
//  - SetTime may move time backwards; sleepers then simply have longer to wait.
//
// Thread safety: every method may be called from any thread.
#ifndef SEGLOG_TEST_SUPPORT_MANUAL_CLOCK_H_
#define SEGLOG_TEST_SUPPORT_MANUAL_CLOCK_H_

#include <map>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "seglog/clock.h"
#include "seglog/mutex.h"

namespace seglog {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start = absl::FromUnixMillis(1'700'000'000'000));
  ManualClock(const ManualClock&) = delete;
  ManualClock& operator=(const ManualClock&) = delete;
  ~ManualClock() override = default;

  absl::Time Now() const override;
  void SleepFor(absl::Duration d) override;
  bool WaitWithDeadline(CondVar* cv, Mutex* mu, absl::Time deadline) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) override;

  // Moves time forward by `d` (which may be zero or negative) and wakes every waiter.
  void Advance(absl::Duration d);
  // Sets the time to `t`, forwards or backwards, and wakes every waiter.
  void SetTime(absl::Time t);

  // Blocks (without polling) until at least `n` threads are inside SleepFor or WaitWithDeadline, so a test
  // can advance time knowing a waiter is there to see it.
  void AwaitWaiters(int n) const;
  // The number of threads currently inside SleepFor or WaitWithDeadline.
  int waiters() const;

 private:
  // Wakes WaitWithDeadline callers (their cvs) and SleepFor / AwaitWaiters callers (changed_).
  void SignalWaitersLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable Mutex mu_;
  mutable CondVar changed_;  // signalled whenever now_ or waiters_ changes
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  int waiters_ ABSL_GUARDED_BY(mu_) = 0;
  // Condition variables WaitWithDeadline callers are waiting on, with how many callers use each.
  std::map<CondVar*, int> waiting_cvs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace seglog

#endif  // SEGLOG_TEST_SUPPORT_MANUAL_CLOCK_H_

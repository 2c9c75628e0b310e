// ManualClock: see manual_clock.h.
#include "support/manual_clock.h"

namespace seglog {
namespace {

// The real-time bound on one WaitWithDeadline; see manual_clock.h for why there is one.
constexpr absl::Duration kMaxRealWait = absl::Milliseconds(5);

}  // namespace

ManualClock::ManualClock(absl::Time start) : now_(start) {}

absl::Time ManualClock::Now() const {
  MutexLock lock(&mu_);
  return now_;
}

void ManualClock::SleepFor(absl::Duration d) {
  MutexLock lock(&mu_);
  const absl::Time wake_at = now_ + d;
  ++waiters_;
  changed_.SignalAll();
  while (now_ < wake_at) changed_.Wait(&mu_);
  --waiters_;
  changed_.SignalAll();
}

bool ManualClock::WaitWithDeadline(CondVar* cv, Mutex* mu, absl::Time deadline) {
  {
    MutexLock lock(&mu_);
    if (now_ >= deadline) return true;
    ++waiting_cvs_[cv];
    ++waiters_;
    changed_.SignalAll();
  }
  cv->WaitWithTimeout(mu, kMaxRealWait);
  MutexLock lock(&mu_);
  if (--waiting_cvs_[cv] == 0) waiting_cvs_.erase(cv);
  --waiters_;
  changed_.SignalAll();
  return now_ >= deadline;
}

void ManualClock::Advance(absl::Duration d) {
  MutexLock lock(&mu_);
  now_ += d;
  SignalWaitersLocked();
}

void ManualClock::SetTime(absl::Time t) {
  MutexLock lock(&mu_);
  now_ = t;
  SignalWaitersLocked();
}

void ManualClock::AwaitWaiters(int n) const {
  MutexLock lock(&mu_);
  while (waiters_ < n) changed_.Wait(&mu_);
}

int ManualClock::waiters() const {
  MutexLock lock(&mu_);
  return waiters_;
}

void ManualClock::SignalWaitersLocked() {
  mu_.AssertHeld();
  // CondVar::SignalAll never blocks on the waiters' mutex, so calling it under mu_ cannot deadlock.
  for (const auto& [cv, count] : waiting_cvs_) cv->SignalAll();
  changed_.SignalAll();
}

}  // namespace seglog

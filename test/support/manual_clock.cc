// ManualClock: see manual_clock.h.
#include "support/manual_clock.h"

namespace seglog {
namespace {

// The real-time bound on one WaitWithDeadline; see manual_clock.h for why there is one.
constexpr absl::Duration kMaxRealWait = absl::Milliseconds(5);

}  // namespace

ManualClock::ManualClock(absl::Time start) : now_(start) {}

absl::Time ManualClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

void ManualClock::SleepFor(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  const absl::Time wake_at = now_ + d;
  ++waiters_;
  auto reached = [this, wake_at]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return now_ >= wake_at; };
  mu_.Await(absl::Condition(&reached));
  --waiters_;
}

bool ManualClock::WaitWithDeadline(absl::CondVar* cv, absl::Mutex* mu, absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    if (now_ >= deadline) return true;
    ++waiting_cvs_[cv];
    ++waiters_;
  }
  cv->WaitWithTimeout(mu, kMaxRealWait);
  absl::MutexLock lock(&mu_);
  if (--waiting_cvs_[cv] == 0) waiting_cvs_.erase(cv);
  --waiters_;
  return now_ >= deadline;
}

void ManualClock::Advance(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  now_ += d;
  SignalWaitersLocked();
}

void ManualClock::SetTime(absl::Time t) {
  absl::MutexLock lock(&mu_);
  now_ = t;
  SignalWaitersLocked();
}

void ManualClock::AwaitWaiters(int n) const {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return waiters_ >= n; };
  mu_.Await(absl::Condition(&enough));
}

int ManualClock::waiters() const {
  absl::MutexLock lock(&mu_);
  return waiters_;
}

void ManualClock::SignalWaitersLocked() {
  // CondVar::SignalAll never blocks on the waiters' mutex, so calling it under mu_ cannot deadlock.
  for (const auto& [cv, count] : waiting_cvs_) cv->SignalAll();
}

}  // namespace seglog

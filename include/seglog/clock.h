// Clock: the seam through which seglog reads time and waits with a deadline.
//
// Production code uses SystemClock(); tests use ManualClock (test/support/manual_clock.h), whose time moves
// only when the test advances it, so retention, segment.ms rolls, linger and poll deadlines are deterministic.
//
//   seglog::Clock* clock = seglog::SystemClock();
//   int64_t now_ms = clock->NowMillis();
//
//   // Waiting for a condition guarded by `mu_` until a deadline, without polling:
//   seglog::MutexLock lock(&mu_);
//   while (!data_arrived_) {
//     if (clock->WaitWithDeadline(&cv_, &mu_, deadline)) break;   // true: deadline passed
//   }
//
// Thread safety: every Clock method may be called from any thread.
#ifndef SEGLOG_CLOCK_H_
#define SEGLOG_CLOCK_H_

#include <cstdint>

#include "absl/time/time.h"
#include "seglog/mutex.h"

namespace seglog {

class Clock {
 public:
  virtual ~Clock() = default;

  // Wall-clock time (what Kafka stores in record timestamps).
  virtual absl::Time Now() const = 0;

  // Milliseconds since the Unix epoch (Kafka's timestamp unit). Every append reads it, so implementations
  // may answer faster than through Now().
  virtual int64_t NowMillis() const { return absl::ToUnixMillis(Now()); }
  int64_t NowMicros() const { return absl::ToUnixMicros(Now()); }

  // Blocks the calling thread until Now() has advanced by `d`.
  virtual void SleepFor(absl::Duration d) = 0;

  // With `mu` (seglog's Mutex, mutex.h) held, waits on `cv` until it is signalled or Now() >= deadline; `mu` is held again on return.
  // Returns true when the deadline has passed. May return false spuriously: callers re-check their
  // condition in a loop, as with any condition variable.
  virtual bool WaitWithDeadline(CondVar* cv, Mutex* mu, absl::Time deadline) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) = 0;
};

// The process's real clock. Never null; not owned by the caller; lives for the whole process.
Clock* SystemClock();

}  // namespace seglog

#endif  // SEGLOG_CLOCK_H_

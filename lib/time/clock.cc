// SystemClock(): the real clock, built on absl::Now and seglog's CondVar (NowMillis straight from the vDSO).
#include "seglog/clock.h"

#include <time.h>

#include "absl/time/clock.h"

namespace seglog {
namespace {

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }

  // One vDSO call: cheaper than absl::Now()'s own clock machinery, and read on every append.
  int64_t NowMillis() const override {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
  }

  void SleepFor(absl::Duration d) override { absl::SleepFor(d); }

  bool WaitWithDeadline(CondVar* cv, Mutex* mu, absl::Time deadline) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) override {
    const bool timed_out = cv->WaitWithDeadline(mu, deadline);
    return timed_out || absl::Now() >= deadline;
  }
};

}  // namespace

Clock* SystemClock() {
  static RealClock* const clock = new RealClock();  // never destroyed, so usable during shutdown
  return clock;
}

}  // namespace seglog

// SystemClock(): the real clock, built on absl::Now and absl's CondVar.
#include "seglog/clock.h"

namespace seglog {
namespace {

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }

  void SleepFor(absl::Duration d) override { absl::SleepFor(d); }

  bool WaitWithDeadline(absl::CondVar* cv, absl::Mutex* mu, absl::Time deadline) override {
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

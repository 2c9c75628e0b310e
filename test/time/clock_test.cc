// SystemClock and the test ManualClock: time reading, sleeping and waiting with a deadline.
#include <catch2/catch.hpp>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "seglog/clock.h"
#include "seglog/mutex.h"
#include "support/manual_clock.h"
#include "support/notification.h"

namespace seglog {
namespace {

TEST_CASE("SystemClockMovesForwardAndItsMillisAgree", "[clock]") {
  Clock* clock = SystemClock();
  REQUIRE(clock == SystemClock());
  const absl::Time before = clock->Now();
  const int64_t millis = clock->NowMillis();
  const int64_t micros = clock->NowMicros();
  const absl::Time after = clock->Now();
  REQUIRE(before <= after);
  REQUIRE(absl::ToUnixMillis(before) <= millis);
  REQUIRE(millis <= absl::ToUnixMillis(after));
  REQUIRE(absl::ToUnixMicros(before) <= micros);
  REQUIRE(micros <= absl::ToUnixMicros(after));
  REQUIRE(millis > 1'600'000'000'000);  // a real, current time
}

TEST_CASE("SystemClockWaitWithAPassedDeadlineReturnsTrue", "[clock]") {
  Mutex mu;
  CondVar cv;
  MutexLock lock(&mu);
  REQUIRE(SystemClock()->WaitWithDeadline(&cv, &mu, absl::Now() - absl::Seconds(1)));
}

TEST_CASE("ManualClockMovesOnlyWhenAdvanced", "[clock]") {
  ManualClock clock;
  const absl::Time start = absl::FromUnixMillis(1'700'000'000'000);
  REQUIRE(clock.Now() == start);
  REQUIRE(clock.Now() == start);
  REQUIRE(clock.NowMillis() == 1'700'000'000'000);
  clock.Advance(absl::Seconds(5));
  REQUIRE(clock.Now() == start + absl::Seconds(5));
  clock.SetTime(absl::FromUnixMillis(42));
  REQUIRE(clock.NowMillis() == 42);
  ManualClock other(absl::FromUnixSeconds(7));
  REQUIRE(other.Now() == absl::FromUnixSeconds(7));
}

TEST_CASE("ManualSleepForZeroReturnsAtOnce", "[clock]") {
  ManualClock clock;
  clock.SleepFor(absl::ZeroDuration());
  clock.SleepFor(-absl::Seconds(1));
  REQUIRE(clock.waiters() == 0);
}

TEST_CASE("ManualSleepForReturnsOnlyAfterAnotherThreadAdvancesFarEnough", "[clock]") {
  ManualClock clock;
  const absl::Time start = clock.Now();
  Notification woke;
  std::thread sleeper([&] {
    clock.SleepFor(absl::Seconds(10));
    woke.Notify();
  });
  clock.AwaitWaiters(1);
  clock.Advance(absl::Seconds(4));
  REQUIRE_FALSE(woke.HasBeenNotified());
  REQUIRE(clock.waiters() == 1);
  clock.Advance(absl::Seconds(6));
  woke.WaitForNotification();
  sleeper.join();
  REQUIRE(clock.Now() == start + absl::Seconds(10));
  REQUIRE(clock.waiters() == 0);
}

TEST_CASE("ManualWaitWithDeadlineReturnsTrueAtOrAfterTheDeadline", "[clock]") {
  ManualClock clock;
  Mutex mu;
  CondVar cv;
  MutexLock lock(&mu);
  REQUIRE(clock.WaitWithDeadline(&cv, &mu, clock.Now()));
  REQUIRE(clock.WaitWithDeadline(&cv, &mu, clock.Now() - absl::Seconds(1)));
}

TEST_CASE("ManualWaitWithDeadlineReturnsFalseWhenSignalled", "[clock]") {
  ManualClock clock;
  Mutex mu;
  CondVar cv;
  bool ready = false;
  bool timed_out = false;
  const absl::Time deadline = clock.Now() + absl::Hours(1);
  std::thread waiter([&] {
    MutexLock lock(&mu);
    while (!ready) {
      if (clock.WaitWithDeadline(&cv, &mu, deadline)) {
        timed_out = true;
        break;
      }
    }
  });
  clock.AwaitWaiters(1);
  {
    MutexLock lock(&mu);
    ready = true;
    cv.SignalAll();
  }
  waiter.join();
  REQUIRE_FALSE(timed_out);
  REQUIRE(clock.Now() < deadline);
}

TEST_CASE("ManualWaiterIsWokenByAdvancePastItsDeadline", "[clock]") {
  ManualClock clock;
  Mutex mu;
  CondVar cv;
  bool timed_out = false;
  const absl::Time deadline = clock.Now() + absl::Seconds(30);
  std::thread waiter([&] {
    MutexLock lock(&mu);
    while (!clock.WaitWithDeadline(&cv, &mu, deadline)) {
    }
    timed_out = true;
  });
  clock.AwaitWaiters(1);
  clock.Advance(absl::Seconds(29));
  clock.Advance(absl::Seconds(1));
  waiter.join();
  REQUIRE(timed_out);
  REQUIRE(clock.Now() >= deadline);
}

TEST_CASE("ManualSetTimeWakesSleepersItMovesPast", "[clock]") {
  ManualClock clock;
  Notification woke;
  std::thread sleeper([&] {
    clock.SleepFor(absl::Minutes(1));
    woke.Notify();
  });
  clock.AwaitWaiters(1);
  clock.SetTime(clock.Now() + absl::Hours(1));
  woke.WaitForNotification();
  sleeper.join();
  REQUIRE(clock.waiters() == 0);
}

}  // namespace
}  // namespace seglog

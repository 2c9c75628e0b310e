// CondVar's waits: see seglog/mutex.h.
#include "seglog/mutex.h"

#include <chrono>

namespace seglog {

// Each wait adopts the std::mutex the caller holds, clears the owner while it is released, and hands the
// mutex back still locked (release(), so the unique_lock does not unlock it).

void CondVar::Wait(Mutex* mu) {
  std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
  mu->ClearOwner();
  cv_.wait(lock);
  mu->SetOwner();
  lock.release();
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) {
    Wait(mu);
    return false;
  }
  std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
  mu->ClearOwner();
  const std::cv_status status = cv_.wait_until(lock, absl::ToChronoTime(deadline));
  mu->SetOwner();
  lock.release();
  return status == std::cv_status::timeout;
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  if (timeout == absl::InfiniteDuration()) {
    Wait(mu);
    return false;
  }
  std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
  mu->ClearOwner();
  const std::cv_status status = cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout));
  mu->SetOwner();
  lock.release();
  return status == std::cv_status::timeout;
}

}  // namespace seglog

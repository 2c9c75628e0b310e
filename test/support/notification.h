// Notification: a one-shot event one thread sets and others wait for (absl::Notification's interface, on
// seglog's Mutex and CondVar so that ThreadSanitizer sees the happens-before edge it makes).
//
//   Notification started;
//   std::thread t([&] { ...; started.Notify(); });
//   started.WaitForNotification();   // everything t did before Notify() is visible here
//
// Thread safety: every method may be called from any thread; Notify at most once.
#ifndef SEGLOG_TEST_SUPPORT_NOTIFICATION_H_
#define SEGLOG_TEST_SUPPORT_NOTIFICATION_H_

#include "seglog/mutex.h"

namespace seglog {

class Notification {
 public:
  Notification() = default;
  Notification(const Notification&) = delete;
  Notification& operator=(const Notification&) = delete;

  void Notify() {
    MutexLock lock(&mu_);
    notified_ = true;
    cv_.SignalAll();
  }
  bool HasBeenNotified() const {
    MutexLock lock(&mu_);
    return notified_;
  }
  // Blocks (without polling) until Notify() has been called.
  void WaitForNotification() const {
    MutexLock lock(&mu_);
    while (!notified_) cv_.Wait(&mu_);
  }

 private:
  mutable Mutex mu_;
  mutable CondVar cv_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace seglog

#endif  // SEGLOG_TEST_SUPPORT_NOTIFICATION_H_

#include "signal_watcher.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <utility>

namespace seglog_cli {
namespace {

sigset_t WatchedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Gives SIGINT and SIGTERM their default action (terminate) again, unless the process was started with them
// ignored (nohup and the like), which stays so.
void RestoreDefaultActions() {
  for (const int sig : {SIGINT, SIGTERM}) {
    struct sigaction old = {};
    if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler != SIG_IGN) {
      struct sigaction dfl = {};
      dfl.sa_handler = SIG_DFL;
      sigemptyset(&dfl.sa_mask);
      sigaction(sig, &dfl, nullptr);
    }
  }
}

}  // namespace

SignalWatcher::SignalWatcher() {
  const sigset_t set = WatchedSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) pipe_[0] = pipe_[1] = -1;
  thread_ = std::thread([this] { Run(); });
}

SignalWatcher::~SignalWatcher() {
  bool signalled;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    signalled = unblocked_;
    // Still in sigwait: wake it with a signal aimed at that thread only (it is blocked there, so it cannot
    // kill us); it sees stopping_ and returns. After the first signal the thread waits on stop_cv_ instead.
    if (!signalled) pthread_kill(thread_.native_handle(), SIGTERM);
    stop_cv_.notify_all();
  }
  thread_.join();
  if (pipe_[0] >= 0) close(pipe_[0]);
  if (pipe_[1] >= 0) close(pipe_[1]);
  if (signalled) {
    // The watcher thread, the one that took the signals, is gone: this thread takes them from now on.
    const sigset_t set = WatchedSignals();
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  }
}

void SignalWatcher::SetCallback(std::function<void()> callback) {
  std::lock_guard<std::mutex> lock(mu_);
  callback_ = std::move(callback);
}

void SignalWatcher::Run() {
  const sigset_t set = WatchedSignals();
  int signal = 0;
  while (sigwait(&set, &signal) != 0) {
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) return;  // the destructor's wake-up (or a signal that raced with it)
  interrupted_.store(true, std::memory_order_release);
  if (pipe_[1] >= 0) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = write(pipe_[1], &byte, 1);
  }
  // A second SIGINT/SIGTERM must still kill a command that hangs on its way out: from now on the signals
  // take their default action, delivered to this thread (the only one that does not block them).
  RestoreDefaultActions();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  unblocked_ = true;
  if (callback_) callback_();
  stop_cv_.wait(lock, [this] { return stopping_; });
}

}  // namespace seglog_cli

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

}  // namespace

SignalWatcher::SignalWatcher() {
  const sigset_t set = WatchedSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) pipe_[0] = pipe_[1] = -1;
  thread_ = std::thread([this] { Run(); });
}

SignalWatcher::~SignalWatcher() {
  stopping_.store(true, std::memory_order_release);
  // Wake the sigwait with a signal aimed at that thread only; it sees stopping_ and returns.
  pthread_kill(thread_.native_handle(), SIGTERM);
  thread_.join();
  if (pipe_[0] >= 0) close(pipe_[0]);
  if (pipe_[1] >= 0) close(pipe_[1]);
}

void SignalWatcher::SetCallback(std::function<void()> callback) {
  std::lock_guard<std::mutex> lock(mu_);
  callback_ = std::move(callback);
}

void SignalWatcher::Run() {
  const sigset_t set = WatchedSignals();
  while (true) {
    int signal = 0;
    if (sigwait(&set, &signal) != 0) continue;
    if (stopping_.load(std::memory_order_acquire)) return;
    interrupted_.store(true, std::memory_order_release);
    if (pipe_[1] >= 0) {
      const char byte = 1;
      [[maybe_unused]] const ssize_t n = write(pipe_[1], &byte, 1);
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (callback_) callback_();
  }
}

}  // namespace seglog_cli

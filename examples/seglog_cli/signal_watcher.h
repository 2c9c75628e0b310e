// SignalWatcher: turns SIGINT and SIGTERM into state that ordinary code can wait on — a flag, a file
// descriptor that becomes readable, and a callback run on the watcher's own thread (it waits with sigwait),
// so nothing runs inside a signal handler.
//
//   SignalWatcher signals;                     // first: before any other thread starts
//   ...open the Store, create the consumer...
//   signals.SetCallback([&] { consumer->Wakeup(); });
//   while (!signals.interrupted()) consumer->Poll(...);
//
// Construct it before starting any thread: it blocks SIGINT/SIGTERM in the calling thread, and threads
// started later inherit that mask, so only the watcher's sigwait ever receives them.
//
// Thread safety: every method may be called from any thread.
#ifndef SEGLOG_CLI_SIGNAL_WATCHER_H_
#define SEGLOG_CLI_SIGNAL_WATCHER_H_

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

namespace seglog_cli {

class SignalWatcher {
 public:
  SignalWatcher();
  // Stops the watcher thread. The signals stay blocked (the process is about to exit).
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // Called on the watcher thread at each signal (replacing any earlier callback; null to clear).
  void SetCallback(std::function<void()> callback);
  // True once SIGINT or SIGTERM arrived.
  bool interrupted() const { return interrupted_.load(std::memory_order_acquire); }
  // Readable once a signal arrived (for poll(2) beside other descriptors).
  int wake_fd() const { return pipe_[0]; }

 private:
  void Run();

  std::atomic<bool> interrupted_{false};
  std::atomic<bool> stopping_{false};
  int pipe_[2] = {-1, -1};
  std::mutex mu_;
  std::function<void()> callback_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace seglog_cli

#endif  // SEGLOG_CLI_SIGNAL_WATCHER_H_

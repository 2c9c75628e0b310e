// SignalWatcher: turns the first SIGINT or SIGTERM into state that ordinary code can wait on — a flag, a file
// descriptor that becomes readable, and a callback run on the watcher's own thread (it waits with sigwait),
// so nothing runs inside a signal handler. A second SIGINT/SIGTERM takes the default action and kills the
// process at once, so a second Ctrl-C still ends a command that hangs while stopping.
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
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace seglog_cli {

class SignalWatcher {
 public:
  SignalWatcher();
  // Stops the watcher thread. Before any signal came, the signals stay blocked (the process is about to
  // exit); after one, they are unblocked in the calling thread, so a further one still kills the process.
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // Called on the watcher thread at the first signal (replacing any earlier callback; null to clear). Once
  // SetCallback returns, an earlier callback is not running and is never called again.
  void SetCallback(std::function<void()> callback);
  // True once SIGINT or SIGTERM arrived.
  bool interrupted() const { return interrupted_.load(std::memory_order_acquire); }
  // Readable once a signal arrived (for poll(2) beside other descriptors).
  int wake_fd() const { return pipe_[0]; }

 private:
  void Run();

  std::atomic<bool> interrupted_{false};
  int pipe_[2] = {-1, -1};
  std::mutex mu_;
  std::condition_variable stop_cv_;  // the watcher waits on it after the first signal
  bool stopping_ = false;            // guarded by mu_
  bool unblocked_ = false;           // guarded by mu_: the watcher thread took a signal and now lets them in
  std::function<void()> callback_;   // guarded by mu_
  std::thread thread_;
};

}  // namespace seglog_cli

#endif  // SEGLOG_CLI_SIGNAL_WATCHER_H_

// Shared helpers of seglog-perf (see perf_util.h).
#include "perf_util.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "fmt/format.h"

namespace seglog_perf {
namespace {

// Set by the signal handler; read by every loop. The one global (a signal handler needs it).
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void OnInterrupt(int) { interrupted.store(true, std::memory_order_relaxed); }

sigset_t InterruptSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

void FillLetters(std::string* out, size_t n, SplitMix64* rng) {
  out->resize(n);
  for (size_t i = 0; i < n; ++i) (*out)[i] = static_cast<char>('A' + rng->Next() % 26);
}

}  // namespace

int Fail(std::string_view message, int code) {
  std::fflush(stdout);
  fmt::print(stderr, "seglog-perf: {}\n", message);
  return code;
}

std::string Message(const absl::Status& status) {
  if (status.ok()) return "OK";
  std::string message(status.message());
  return message.empty() ? status.ToString() : message;
}

void InstallInterruptHandler() {
  for (const int sig : {SIGINT, SIGTERM}) {
    struct sigaction old = {};
    if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;  // nohup and the like
    struct sigaction action = {};
    action.sa_handler = OnInterrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART | SA_RESETHAND;  // a second signal takes the default action (exit)
    sigaction(sig, &action, nullptr);
  }
  const sigset_t set = InterruptSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void AcceptInterrupts() {
  const sigset_t set = InterruptSignals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

bool Interrupted() { return interrupted.load(std::memory_order_relaxed); }

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  if (ec) fmt::print(stderr, "seglog-perf: could not remove {}: {}\n", path_, ec.message());
}

absl::Status TempDir::Create() {
  const char* env = std::getenv("TMPDIR");
  std::string templ = (env != nullptr && env[0] != '\0' ? std::string(env) : std::string("/tmp")) + "/seglog-perf.XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::InternalError(fmt::format("cannot create a temporary directory {}: {}", templ, std::strerror(errno)));
  }
  path_ = templ;
  return absl::OkStatus();
}

void Throttler::Wait(int64_t sent) const {
  if (!(per_second_ > 0)) return;  // also NaN
  // Clamped before the cast (a huge wait at a tiny rate must not overflow int64): at most ~100 years.
  constexpr double kMaxWaitNs = 3e18;
  const double wait_ns = std::min(static_cast<double>(sent) * 1e9 / per_second_, kMaxWaitNs);
  const int64_t due = start_ns_ + static_cast<int64_t>(wait_ns);
  // Sleep in slices of at most 100 ms so Ctrl-C is seen even at very low rates.
  for (int64_t now = NowNanos(); now < due && !Interrupted(); now = NowNanos()) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<int64_t>(due - now, 100'000'000)));
  }
}

ValueSource ValueSource::Random(size_t size) {
  ValueSource source;
  SplitMix64 rng(0x5e6109);
  FillLetters(&source.buffer_, (size_t{1} << 20) + size, &rng);
  source.size_ = size;
  return source;
}

absl::StatusOr<ValueSource> ValueSource::FromFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(fmt::format("cannot open --payload-file {}: {}", path, std::strerror(errno)));
  }
  std::string text;
  struct stat st = {};
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return absl::InvalidArgumentError(fmt::format("cannot stat --payload-file {}: {}", path, std::strerror(err)));
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(fmt::format("--payload-file {} is a directory", path));
  }
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      return absl::InvalidArgumentError(fmt::format("error reading --payload-file {}: {}", path, std::strerror(err)));
    }
    text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  ValueSource source;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    size_t line_end = end;
    if (line_end > start && text[line_end - 1] == '\r') --line_end;  // CRLF files
    if (line_end > start) {
      source.lines_.push_back(text.substr(start, line_end - start));
      source.size_ = std::max(source.size_, line_end - start);
    }
    start = end + 1;
  }
  if (source.lines_.empty()) {
    return absl::InvalidArgumentError(fmt::format("--payload-file {} has no non-empty line", path));
  }
  return source;
}

KeySource::KeySource(size_t size) {
  if (size == 0) return;
  SplitMix64 rng(0x6b657973);
  keys_.resize(1024);
  for (std::string& key : keys_) FillLetters(&key, size, &rng);
}

absl::StatusOr<std::unique_ptr<seglog::Store>> OpenWritableStore(const std::string& dir) {
  seglog::StoreOptions options;
  options.create_if_missing = true;
  return seglog::Store::Open(dir, options);
}

absl::StatusOr<std::shared_ptr<seglog::Topic>> EnsureTopic(seglog::Store* store, const std::string& name,
                                                           int32_t partitions, bool partitions_given) {
  absl::StatusOr<std::shared_ptr<seglog::Topic>> topic = store->GetTopic(name);
  if (topic.ok()) {
    if (partitions_given && (*topic)->num_partitions() != partitions) {
      return absl::InvalidArgumentError(fmt::format("topic {} exists in {} with {} partitions, not {} (--partitions)",
                                                    name, store->dir(), (*topic)->num_partitions(), partitions));
    }
    return topic;
  }
  if (!absl::IsNotFound(topic.status())) return topic.status();
  return store->CreateTopic(name, partitions);
}

}  // namespace seglog_perf

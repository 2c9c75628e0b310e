// Scratch directories with cleanup on exit and on signals, payloads, raw-I/O helpers (see bench_util.h).
#include "bench_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <utility>

#include "seglog/batch_builder.h"

namespace seglog_bench {

namespace {

constexpr char kRootPrefix[] = "seglog_storage_bench.";

std::mutex root_mu;
std::string* root = nullptr;  // guarded by root_mu; leaked on purpose (used at exit and from signals)
// The root's path for the signal handler (no allocation there).
char root_for_signal[4096] = {0};

std::string ScratchBase() {
  const char* env = std::getenv("SEGLOG_BENCH_DIR");
  return env != nullptr && env[0] != '\0' ? std::string(env) : std::string("/tmp");
}

// Async-signal-safe removal: fork + exec rm -rf.
void RemoveFromSignalHandler() {
  if (root_for_signal[0] == '\0') return;
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/rm", "rm", "-rf", root_for_signal, static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid > 0) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

void OnSignal(int sig) {
  RemoveFromSignalHandler();
  signal(sig, SIG_DFL);
  raise(sig);
}

// Removes roots of earlier runs whose process no longer exists (killed with SIGKILL, say).
void SweepStaleRoots() {
  const std::string base = ScratchBase();
  DIR* d = opendir(base.c_str());
  if (d == nullptr) return;
  std::vector<std::string> stale;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name.rfind(kRootPrefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + sizeof(kRootPrefix) - 1, nullptr, 10);
    struct stat st;
    const std::string path = base + "/" + name;
    if (pid <= 0 || lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid()) continue;
    if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) stale.push_back(path);
  }
  closedir(d);
  for (const std::string& path : stale) {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    std::fprintf(stderr, "seglog_storage_bench: removed %s left by a killed run\n", path.c_str());
  }
}

}  // namespace

const std::string& ScratchRoot() {
  std::lock_guard<std::mutex> lock(root_mu);
  if (root == nullptr) {
    std::string tmpl = ScratchBase() + "/" + kRootPrefix + std::to_string(getpid()) + ".XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
      std::fprintf(stderr, "seglog_storage_bench: mkdtemp %s: %s\n", tmpl.c_str(), std::strerror(errno));
      std::exit(1);
    }
    root = new std::string(tmpl);
    std::snprintf(root_for_signal, sizeof(root_for_signal), "%s", root->c_str());
  }
  return *root;
}

void RemoveScratchRoot() {
  std::lock_guard<std::mutex> lock(root_mu);
  if (root == nullptr) return;
  root_for_signal[0] = '\0';
  std::error_code ec;
  std::filesystem::remove_all(*root, ec);
  if (ec) std::fprintf(stderr, "seglog_storage_bench: removing %s: %s\n", root->c_str(), ec.message().c_str());
  delete root;
  root = nullptr;
}

void InstallCleanup() {
  SweepStaleRoots();
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, nullptr);
  }
  std::atexit(RemoveScratchRoot);
}

ScratchDir::ScratchDir(const std::string& name) {
  static std::atomic<int> next{0};
  path_ = ScratchRoot() + "/" + name + "-" + std::to_string(next.fetch_add(1));
  std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

seglog::FileSystem* PosixFs() {
  static seglog::FileSystem* const fs = seglog::NewPosixFileSystem().release();
  return fs;
}

std::string MakeValue(size_t i, size_t size) {
  std::string v(size, '\0');
  for (size_t j = 0; j < size; ++j) v[j] = static_cast<char>('a' + (i * 7 + j * 13) % 26);
  return v;
}

const std::string& EncodedBatch(int records, size_t value_size) {
  static std::mutex mu;
  static auto* cache = new std::map<std::pair<int, size_t>, std::unique_ptr<std::string>>();
  std::lock_guard<std::mutex> lock(mu);
  std::unique_ptr<std::string>& slot = (*cache)[{records, value_size}];
  if (slot == nullptr) {
    seglog::BatchBuilder builder;
    for (int i = 0; i < records; ++i) {
      const std::string value = MakeValue(static_cast<size_t>(i), value_size);
      if (!builder.Append(kTimestamp, std::nullopt, value).ok()) std::abort();
    }
    absl::StatusOr<std::string_view> built = builder.Build();
    if (!built.ok()) std::abort();
    slot = std::make_unique<std::string>(*built);
  }
  return *slot;
}

bool Check(benchmark::State& state, const absl::Status& status, const char* what) {
  if (status.ok()) return true;
  const std::string message = std::string(what) + ": " + status.ToString();
  state.SkipWithError(message.c_str());
  return false;
}

std::unique_ptr<seglog::Partition> OpenPartition(benchmark::State& state, const std::string& dir,
                                                 const seglog::PartitionConfig& config,
                                                 std::optional<seglog::PartitionCheckpoint> checkpoint) {
  auto partition = seglog::Partition::Open(
      dir, {.fs = PosixFs(), .create_if_missing = true, .config = config, .checkpoint = checkpoint});
  if (!Check(state, partition.status(), "Partition::Open")) return nullptr;
  return *std::move(partition);
}

void DiscardPartition(benchmark::State& state, std::unique_ptr<seglog::Partition> partition) {
  if (partition == nullptr) return;
  // TruncateTo(0) deletes every segment: their dirty pages are dropped instead of fsynced by Close.
  if (!Check(state, partition->TruncateTo(0), "Partition::TruncateTo")) return;
  Check(state, partition->Close(), "Partition::Close");
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

std::vector<std::string> ListFiles(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> paths;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return paths;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      paths.push_back(dir + "/" + name);
    }
  }
  closedir(d);
  std::sort(paths.begin(), paths.end());
  return paths;
}

uint64_t ReadFiles(const std::vector<std::string>& paths) {
  std::vector<char> buffer(kMiB);
  uint64_t total = 0;
  for (const std::string& path : paths) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n;
    while ((n = ::read(fd, buffer.data(), buffer.size())) > 0) total += static_cast<uint64_t>(n);
    ::close(fd);
  }
  return total;
}

void SyncFileSystem(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::syncfs(fd);
  ::close(fd);
}

int64_t NowNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

double TimerOverheadNanos() {
  LatencySamples samples(10000);
  for (int i = 0; i < 10000; ++i) {
    const int64_t t0 = NowNanos();
    const int64_t t1 = NowNanos();
    samples.Add(t1 - t0);
  }
  return samples.Percentile(50);
}

double LatencySamples::Percentile(double p) {
  if (samples_.empty()) return 0;
  const size_t rank = std::min(samples_.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(samples_.size())));
  std::nth_element(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(rank), samples_.end());
  return static_cast<double>(samples_[rank]);
}

void SetThroughputCounters(benchmark::State& state, int64_t records, int64_t bytes) {
  state.counters["records"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
  state.counters["MB"] = benchmark::Counter(static_cast<double>(bytes) / 1e6, benchmark::Counter::kIsRate);
  state.SetBytesProcessed(bytes);
}

}  // namespace seglog_bench

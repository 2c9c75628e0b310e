// The run's scratch directory and its removal on exit and on signals (work_dir.h).
#include "work_dir.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace seglog_compare {

namespace {

// The work directory's path for the signal handler, which may not allocate: the one global.
char g_path_for_signal[4096] = {0};

// Async-signal-safe removal (fork + exec rm -rf), then the default action.
void OnSignal(int sig) {
  if (g_path_for_signal[0] != '\0') {
    const pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/rm", "rm", "-rf", g_path_for_signal, static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

absl::Status RemoveTree(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("removing ", dir, ": ", ec.message()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<WorkDir>> WorkDir::Create(const std::string& parent) {
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) return absl::InternalError(absl::StrCat("creating ", parent, ": ", ec.message()));
  std::string tmpl = absl::StrCat(parent, "/seglog-compare.", getpid(), ".XXXXXX");
  if (mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", tmpl, ": ", std::strerror(errno)));
  }
  if (tmpl.size() >= sizeof(g_path_for_signal)) {
    (void)RemoveTree(tmpl);
    return absl::InvalidArgumentError(absl::StrCat("directory path too long: ", tmpl));
  }
  std::snprintf(g_path_for_signal, sizeof(g_path_for_signal), "%s", tmpl.c_str());
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, nullptr);
  }
  const char* no_syncfs = std::getenv("SEGLOG_COMPARE_NO_SYNCFS");
  const bool syncfs = no_syncfs == nullptr || std::strcmp(no_syncfs, "1") != 0;
  return std::unique_ptr<WorkDir>(new WorkDir(std::move(tmpl), syncfs));
}

WorkDir::~WorkDir() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) signal(sig, SIG_DFL);
  g_path_for_signal[0] = '\0';
  if (absl::Status s = RemoveTree(path_); !s.ok()) std::fprintf(stderr, "seglog-compare: %s\n", s.ToString().c_str());
}

absl::StatusOr<std::string> WorkDir::NewRunDir(std::string_view name) const {
  std::string dir = path_ + "/" + std::string(name);
  if (::mkdir(dir.c_str(), 0755) != 0) {
    if (errno == EEXIST) return absl::AlreadyExistsError(absl::StrCat(dir, " exists"));
    return absl::InternalError(absl::StrCat("mkdir ", dir, ": ", std::strerror(errno)));
  }
  return dir;
}

absl::Status WorkDir::RemoveRunDir(const std::string& dir) const {
  if (absl::Status s = RemoveTree(dir); !s.ok()) return s;
  if (!syncfs_) return absl::OkStatus();
  // Commit the deletion (and anything else pending) now, so the next run's first fsync does not pay for it.
  const int fd = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrCat("open ", path_, ": ", std::strerror(errno)));
  const int rc = ::syncfs(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return absl::InternalError(absl::StrCat("syncfs ", path_, ": ", std::strerror(err)));
  return absl::OkStatus();
}

uint64_t DiskUsage(const std::string& dir) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st;
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode))
      bytes += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  return bytes;
}

}  // namespace seglog_compare

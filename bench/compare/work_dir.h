// WorkDir: the one directory a seglog-compare run writes in, `<parent>/seglog-compare.<pid>.XXXXXX`, removed
// when the WorkDir is destroyed and on SIGINT, SIGTERM, SIGHUP and SIGPIPE (output piped to `head`). Each
// system's run gets a fresh subdirectory, deleted after the run (and the deletion committed to disk before the
// next run starts).
//
//   ASSIGN_OR_RETURN(std::unique_ptr<WorkDir> work, WorkDir::Create("/tmp"));
//   ASSIGN_OR_RETURN(std::string dir, work->NewRunDir("rocksdb-append-r1"));
//   ...  RETURN_IF_ERROR(work->RemoveRunDir(dir));
//
// Thread safety: one WorkDir per process (the signal handler knows one path), used by one thread.
#ifndef SEGLOG_BENCH_COMPARE_WORK_DIR_H_
#define SEGLOG_BENCH_COMPARE_WORK_DIR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace seglog_compare {

class WorkDir {
 public:
  // Creates `parent` if missing and the work directory inside it, and installs the signal handlers.
  static absl::StatusOr<std::unique_ptr<WorkDir>> Create(const std::string& parent);
  ~WorkDir();
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;

  const std::string& path() const { return path_; }
  // A new empty directory `<path>/<name>` (kAlreadyExists if it exists).
  absl::StatusOr<std::string> NewRunDir(std::string_view name) const;
  // Deletes a run directory and everything in it, then syncfs(2)s the file system so the deletion's journal
  // commit is not left for the next run's first fsync to pay. With SEGLOG_COMPARE_NO_SYNCFS=1 in the
  // environment (read at Create; for tests only, as the figures are then less repeatable) it does not syncfs.
  absl::Status RemoveRunDir(const std::string& dir) const;

 private:
  WorkDir(std::string path, bool syncfs) : path_(std::move(path)), syncfs_(syncfs) {}
  std::string path_;
  bool syncfs_;
};

// Bytes allocated on disk by the files under `dir` (st_blocks), 0 if it cannot be read.
uint64_t DiskUsage(const std::string& dir);

}  // namespace seglog_compare

#endif  // SEGLOG_BENCH_COMPARE_WORK_DIR_H_

// Checks seglog-compare makes before it starts measuring, so a run that cannot finish fails at once (exit 2)
// rather than after minutes, or by running the machine out of memory or disk:
//
//   RETURN_IF_ERROR(CheckOutputFile("--json", flags.json));      // the file or its directory is writable
//   RETURN_IF_ERROR(CheckOutputDir("--gnuplot-dir", flags.gnuplot_dir));
//   RETURN_IF_ERROR(CheckMemory(config));                        // pre-encoded batches fit in MemAvailable
//   RETURN_IF_ERROR(CheckDiskSpace(config, work_dir_path));      // the largest store fits on the file system
//
// Each returns kInvalidArgument (or kResourceExhausted) with a message naming the flag or the sizes involved.
// Thread safety: stateless functions.
#ifndef SEGLOG_BENCH_COMPARE_PREFLIGHT_H_
#define SEGLOG_BENCH_COMPARE_PREFLIGHT_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "results.h"

namespace seglog_compare {

// `path` (given to `flag`) can be created or overwritten: an existing file we may write, or a missing one in
// an existing directory we may write. OK for an empty path (the flag was not given).
absl::Status CheckOutputFile(std::string_view flag, const std::string& path);
// `path` is a directory we may write in, or can be created (its nearest existing ancestor is one).
absl::Status CheckOutputDir(std::string_view flag, const std::string& path);

// Bytes a run of max(records, durable records) records of V-byte values is budgeted per copy: N * (V + 40),
// an upper bound on both the Kafka-encoded batches (about N * (V + 20)) and a store's data; kInvalidArgument
// when it overflows 64 bits.
absl::Status CheckMemory(const RunConfig& config);
// The file system holding `dir` has room for the largest store a run makes: N * (V + 40) bytes, or LMDB's
// map when lmdb runs.
absl::Status CheckDiskSpace(const RunConfig& config, const std::string& dir);

}  // namespace seglog_compare

#endif  // SEGLOG_BENCH_COMPARE_PREFLIGHT_H_

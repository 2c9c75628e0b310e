// Runs the comparison: every selected system, interleaved within each round, over config.rounds rounds.
//
// A round runs each system once on the append workload (timed), then reads back what it wrote (timed, same
// open store, page cache warm), checking every key and each value's size and first and last 8 bytes (a
// digest); in round 1 an untimed second read follows that compares every value byte for byte. Then each
// system runs once on the durable workload (timed), whose data is read back untimed and every key and value
// compared byte for byte. Each run starts in a fresh subdirectory of the work
// directory and deletes it afterwards. The order of the systems rotates by one each round, so no system is
// always first after a deletion or always last.
//
//   ASSIGN_OR_RETURN(Results results, RunComparison(config, *work_dir, stderr));
//
// A read that returns wrong data, or any error of a system, ends the comparison with that error (kDataLoss
// for wrong data), naming the system, workload and round.
//
// Thread safety: runs on the calling thread; the systems may start their own threads (RocksDB, the producer).
#ifndef SEGLOG_BENCH_COMPARE_RUNNER_H_
#define SEGLOG_BENCH_COMPARE_RUNNER_H_

#include <cstdio>

#include "absl/status/statusor.h"
#include "results.h"
#include "work_dir.h"

namespace seglog_compare {

// `progress`, if not null, gets one line per timed run.
absl::StatusOr<Results> RunComparison(const RunConfig& config, const WorkDir& work_dir, std::FILE* progress);

}  // namespace seglog_compare

#endif  // SEGLOG_BENCH_COMPARE_RUNNER_H_

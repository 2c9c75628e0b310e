// What a seglog-compare run measured, and the figures derived from it: medians, ratios to seglog and the
// issue's targets.
//
//   Results results = ...;                                  // runner.h
//   for (const WorkloadResults& w : results.workloads)
//     for (const Summary& s : Summarize(w, results.config)) ...s.median_rps, s.ratio...
//   for (const TargetCheck& t : CheckTargets(results)) ...t.met...
//
// Thread safety: plain values and pure functions.
#ifndef SEGLOG_BENCH_COMPARE_RESULTS_H_
#define SEGLOG_BENCH_COMPARE_RESULTS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "machine_info.h"
#include "systems.h"

namespace seglog_compare {

enum class Workload {
  kAppend,   // append every record, no fsync
  kRead,     // read back what the append just wrote, page cache warm
  kDurable,  // append with an fsync (or equivalent) per batch
};

// "append", "read", "durable".
std::string_view WorkloadName(Workload workload);
// A one-line description for table headings.
std::string WorkloadTitle(Workload workload);

struct RunConfig {
  int64_t records = 1000000;
  int64_t durable_records = 100000;  // 0: no durable workload
  size_t value_size = 100;
  int batch = 1000;
  int rounds = 5;
  std::vector<const SystemInfo*> systems;  // in run order; AllSystems() order
  std::string parent_dir;                  // where the work directory was made
};

// One system's measurements of one workload, one entry per round.
struct SystemSeries {
  std::string name;
  std::vector<double> seconds;
  std::vector<double> disk_bytes;  // after the append (append and durable workloads)
};

struct WorkloadResults {
  Workload workload = Workload::kAppend;
  int64_t records = 0;
  std::vector<SystemSeries> systems;
};

struct Results {
  RunConfig config;
  MachineInfo machine;
  std::vector<WorkloadResults> workloads;
};

// The figures reported for one system and workload.
struct Summary {
  std::string name;
  double median_rps = 0;  // records/s, median over rounds
  double min_rps = 0;
  double max_rps = 0;
  double median_mbps = 0;  // MB/s (2^20 bytes) of key + value payload, at the median records/s
  // Median over rounds of (records/s / seglog-partition's records/s in the same round); none without
  // seglog-partition in the run.
  std::optional<double> ratio;
  double disk_mb = 0;       // median bytes on disk after the append, in MB (0 for reads)
  std::vector<double> rps;  // per round
};

double Median(std::vector<double> values);
std::vector<Summary> Summarize(const WorkloadResults& workload, const RunConfig& config);

// One of the targets, judged on the medians of per-round ratios.
struct TargetCheck {
  std::string description;  // e.g. "append: seglog-partition >= 10x rocksdb"
  double threshold = 0;     // the ratio seglog / peer must reach
  double ratio = 0;         // median over rounds of the seglog system's records/s / the peer's
  bool met = false;
};
// The targets whose systems and workload were run.
std::vector<TargetCheck> CheckTargets(const Results& results);

}  // namespace seglog_compare

#endif  // SEGLOG_BENCH_COMPARE_RESULTS_H_

// Medians, ratios and the targets (results.h).
#include "results.h"

#include <algorithm>

#include "fmt/format.h"

namespace seglog_compare {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

const SystemSeries* FindSeries(const WorkloadResults& workload, std::string_view name) {
  for (const SystemSeries& s : workload.systems) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<double> RecordsPerSecond(const SystemSeries& series, int64_t records) {
  std::vector<double> rps;
  for (double seconds : series.seconds) rps.push_back(seconds > 0 ? static_cast<double>(records) / seconds : 0);
  return rps;
}

// Median over the rounds both ran of a[r] / b[r].
double MedianRatio(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> ratios;
  for (size_t r = 0; r < a.size() && r < b.size(); ++r) ratios.push_back(b[r] > 0 ? a[r] / b[r] : 0);
  return Median(std::move(ratios));
}

}  // namespace

std::string_view WorkloadName(Workload workload) {
  switch (workload) {
    case Workload::kAppend:
      return "append";
    case Workload::kRead:
      return "read";
    case Workload::kDurable:
      return "durable";
  }
  return "?";
}

std::string WorkloadTitle(Workload workload) {
  switch (workload) {
    case Workload::kAppend:
      return "Append (no fsync)";
    case Workload::kRead:
      return "Sequential read (page cache warm)";
    case Workload::kDurable:
      return "Durable append (fsync per batch)";
  }
  return "?";
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::vector<Summary> Summarize(const WorkloadResults& workload, const RunConfig& config) {
  const SystemSeries* seglog = FindSeries(workload, kSeglogName);
  const std::vector<double> seglog_rps =
      seglog != nullptr ? RecordsPerSecond(*seglog, workload.records) : std::vector<double>();
  const double record_bytes = static_cast<double>(kKeySize + config.value_size);
  std::vector<Summary> out;
  for (const SystemSeries& series : workload.systems) {
    Summary s;
    s.name = series.name;
    s.rps = RecordsPerSecond(series, workload.records);
    s.median_rps = Median(s.rps);
    if (!s.rps.empty()) {
      s.min_rps = *std::min_element(s.rps.begin(), s.rps.end());
      s.max_rps = *std::max_element(s.rps.begin(), s.rps.end());
    }
    s.median_mbps = s.median_rps * record_bytes / kMiB;
    if (seglog != nullptr) s.ratio = MedianRatio(s.rps, seglog_rps);
    s.disk_mb = Median(series.disk_bytes) / kMiB;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<TargetCheck> CheckTargets(const Results& results) {
  struct Target {
    Workload workload;
    std::string_view system;
    std::string_view peer;
    double threshold;
  };
  // The raw-write bound is judged twice: with the encoding timed (seglog-partition, like the peers) and on
  // pre-encoded batches (seglog-batches: the same bytes raw-write writes, as a broker appends them).
  static constexpr Target kTargets[] = {
      {Workload::kAppend, kSeglogName, "rocksdb", 10},      {Workload::kAppend, kSeglogName, "lmdb", 5},
      {Workload::kAppend, kSeglogName, "raw-write", 0.7},   {Workload::kAppend, "seglog-batches", "raw-write", 0.7},
      {Workload::kRead, kSeglogName, "lmdb", 1},            {Workload::kDurable, kSeglogName, "rocksdb", 1},
      {Workload::kDurable, kSeglogName, "lmdb", 1},         {Workload::kDurable, kSeglogName, "sqlite", 1},
  };
  std::vector<TargetCheck> checks;
  for (const Target& t : kTargets) {
    for (const WorkloadResults& w : results.workloads) {
      if (w.workload != t.workload) continue;
      const SystemSeries* seglog = FindSeries(w, t.system);
      const SystemSeries* peer = FindSeries(w, t.peer);
      if (seglog == nullptr || peer == nullptr) continue;
      TargetCheck c;
      c.description = fmt::format("{}: {} >= {}x {}", WorkloadName(t.workload), t.system, t.threshold, t.peer);
      c.threshold = t.threshold;
      c.ratio = MedianRatio(RecordsPerSecond(*seglog, w.records), RecordsPerSecond(*peer, w.records));
      c.met = c.ratio >= t.threshold;
      checks.push_back(std::move(c));
    }
  }
  return checks;
}

}  // namespace seglog_compare

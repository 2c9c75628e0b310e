// The human-readable table on stdout and the helpers every format shares (report.h).
#include <cmath>
#include <string>

#include "fmt/format.h"
#include "report.h"

namespace seglog_compare {

std::string Thousands(double value) {
  const long long v = std::llround(value);
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return v < 0 ? "-" + out : out;
}

std::vector<std::pair<std::string, std::string>> Versions(const RunConfig& config) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const SystemInfo* info : config.systems) {
    if (info->version == nullptr) continue;
    const std::string library(info->library);
    bool seen = false;
    for (const auto& [name, version] : out) seen = seen || name == library;
    if (!seen) out.emplace_back(library, info->version());
  }
  return out;
}

std::string WorkloadLine(const RunConfig& config) {
  return fmt::format("{} records ({}-byte keys, {}-byte values) in batches of {}; medians of {} round{}",
                     Thousands(static_cast<double>(config.records)), kKeySize, config.value_size,
                     Thousands(config.batch), config.rounds, config.rounds == 1 ? "" : "s");
}

std::string WorkloadNote(const WorkloadResults& workload) {
  switch (workload.workload) {
    case Workload::kAppend:
      return "Timed: the append calls (and the producer's Flush), one batch per call, not open or close. The "
             "data ends in the page cache (and the store's memory), not on disk.";
    case Workload::kRead:
      return "Timed: reading every record back in key order right after the append, on the same open store, "
             "page cache warm. The timed read checks every key and each value's size and first and last 8 bytes "
             "(a digest); in round 1 an untimed second read compares every value byte for byte.";
    case Workload::kDurable:
      return "--durable-records records (by default fewer than the others: every batch waits for an fsync, or "
             "the system's equivalent). The data is read back untimed, every key and value compared byte for "
             "byte.";
  }
  return "";
}

void PrintReport(std::FILE* out, const Results& results) {
  const RunConfig& config = results.config;
  fmt::print(out, "\nseglog-compare: {}\n", WorkloadLine(config));
  fmt::print(out, "machine: {}\n", MachineLine(results.machine));
  std::string versions;
  for (const auto& [name, version] : Versions(config))
    versions += (versions.empty() ? "" : ", ") + name + " " + version;
  fmt::print(out, "versions: {}\n", versions);
  for (const WorkloadResults& w : results.workloads) {
    fmt::print(out, "\n{}: {} records\n{}\n", WorkloadTitle(w.workload), Thousands(static_cast<double>(w.records)),
               WorkloadNote(w));
    const bool disk = w.workload != Workload::kRead;
    fmt::print(out, "{:<18} {:>14} {:>10} {:>10} {:>14} {:>14}{}\n", "system", "records/s", "MB/s", "vs seglog",
               "min rec/s", "max rec/s", disk ? fmt::format(" {:>10}", "disk MB") : "");
    for (const Summary& s : Summarize(w, config)) {
      fmt::print(out, "{:<18} {:>14} {:>10.1f} {:>10} {:>14} {:>14}{}\n", s.name, Thousands(s.median_rps),
                 s.median_mbps, s.ratio ? fmt::format("{:.2f}x", *s.ratio) : "-", Thousands(s.min_rps),
                 Thousands(s.max_rps), disk ? fmt::format(" {:>10.1f}", s.disk_mb) : "");
    }
  }
  const std::vector<TargetCheck> targets = CheckTargets(results);
  if (!targets.empty()) {
    fmt::print(out, "\ntargets (seglog system / peer, median of per-round ratios):\n");
    for (const TargetCheck& t : targets) {
      fmt::print(out, "  {:<8} {:<42} {:.2f}x\n", t.met ? "MET" : "NOT MET", t.description, t.ratio);
    }
  }
}

}  // namespace seglog_compare

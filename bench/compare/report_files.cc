// The Markdown and JSON forms of the report (report.h).
#include <string>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "report.h"

namespace seglog_compare {

std::string MarkdownReport(const Results& results) {
  const RunConfig& config = results.config;
  std::string md = fmt::format("Workload: {}.\n\n", WorkloadLine(config));
  md += fmt::format("Machine: {}.\n\n", MachineLine(results.machine));
  std::string versions;
  for (const auto& [name, version] : Versions(config))
    versions += (versions.empty() ? "" : ", ") + name + " " + version;
  md += fmt::format("Versions: {}.\n", versions);
  for (const WorkloadResults& w : results.workloads) {
    md += fmt::format("\n**{}** — {} records. {}\n\n", WorkloadTitle(w.workload),
                      Thousands(static_cast<double>(w.records)), WorkloadNote(w));
    const bool disk = w.workload != Workload::kRead;
    md += "| system | records/s (median) | MB/s | vs seglog-partition | min records/s | max records/s |";
    md += disk ? " disk MB |\n" : "\n";
    md += "|---|--:|--:|--:|--:|--:|";
    md += disk ? "--:|\n" : "\n";
    for (const Summary& s : Summarize(w, config)) {
      md += fmt::format("| {} | {} | {:.1f} | {} | {} | {} |", s.name, Thousands(s.median_rps), s.median_mbps,
                        s.ratio ? fmt::format("{:.2f}x", *s.ratio) : "-", Thousands(s.min_rps), Thousands(s.max_rps));
      md += disk ? fmt::format(" {:.1f} |\n", s.disk_mb) : "\n";
    }
  }
  const std::vector<TargetCheck> targets = CheckTargets(results);
  if (!targets.empty()) {
    md += "\n| target (seglog system / peer, median of per-round ratios) | ratio | |\n|---|--:|---|\n";
    for (const TargetCheck& t : targets) {
      md += fmt::format("| {} | {:.2f}x | {} |\n", t.description, t.ratio, t.met ? "MET" : "NOT MET");
    }
  }
  return md;
}

std::string JsonReport(const Results& results) {
  using Json = nlohmann::ordered_json;
  const RunConfig& config = results.config;
  Json j;
  j["tool"] = "seglog-compare";
  j["config"] = {{"records", config.records}, {"durableRecords", config.durable_records},
                 {"keySize", kKeySize},       {"valueSize", config.value_size},
                 {"batch", config.batch},     {"rounds", config.rounds}};
  const MachineInfo& m = results.machine;
  j["machine"] = {{"cpu", m.cpu},       {"cores", m.cores},           {"memory", m.memory},
                  {"kernel", m.kernel}, {"filesystem", m.filesystem}, {"dir", m.dir}};
  Json versions = Json::object();
  for (const auto& [name, version] : Versions(config)) versions[name] = version;
  j["versions"] = versions;
  Json workloads = Json::object();
  for (const WorkloadResults& w : results.workloads) {
    Json systems = Json::object();
    for (const Summary& s : Summarize(w, config)) {
      Json entry = {{"recordsPerSec", s.median_rps},
                    {"mbPerSec", s.median_mbps},
                    {"ratioToSeglog", s.ratio ? Json(*s.ratio) : Json(nullptr)},
                    {"minRecordsPerSec", s.min_rps},
                    {"maxRecordsPerSec", s.max_rps},
                    {"roundsRecordsPerSec", s.rps}};
      if (w.workload != Workload::kRead) entry["diskMB"] = s.disk_mb;
      systems[s.name] = std::move(entry);
    }
    workloads[std::string(WorkloadName(w.workload))] = {
        {"title", WorkloadTitle(w.workload)}, {"records", w.records}, {"systems", std::move(systems)}};
  }
  j["workloads"] = std::move(workloads);
  Json targets = Json::array();
  for (const TargetCheck& t : CheckTargets(results)) {
    targets.push_back({{"description", t.description}, {"threshold", t.threshold}, {"ratio", t.ratio}, {"met", t.met}});
  }
  j["targets"] = std::move(targets);
  // Invalid UTF-8 (a --dir path, say) is replaced by U+FFFD rather than thrown over.
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace seglog_compare

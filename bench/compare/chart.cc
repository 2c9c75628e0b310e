// Chart data, script and rendering (chart.h).
#include "chart.h"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "chart_script.h"
#include "fmt/format.h"
#include "report.h"

extern char** environ;

namespace seglog_compare {

namespace {

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("writing ", path, " failed"));
  return absl::OkStatus();
}

// compare.dat: name, then median/min/max records/s for append, read and durable (NaN when not run).
std::string DataFile(const Results& results) {
  std::map<std::string, std::map<Workload, Summary>> by_system;
  for (const WorkloadResults& w : results.workloads) {
    for (Summary& s : Summarize(w, results.config)) by_system[s.name][w.workload] = std::move(s);
  }
  std::string text = absl::StrCat("# seglog-compare: ", WorkloadLine(results.config),
                                  "\n# system append append_min append_max read read_min read_max durable durable_min "
                                  "durable_max (records/s)\n");
  for (const SystemInfo* info : results.config.systems) {
    const std::string name(info->name);
    text += name;
    for (Workload w : {Workload::kAppend, Workload::kRead, Workload::kDurable}) {
      auto it = by_system[name].find(w);
      if (it == by_system[name].end()) {
        text += " NaN NaN NaN";
      } else {
        text += fmt::format(" {:.0f} {:.0f} {:.0f}", it->second.median_rps, it->second.min_rps, it->second.max_rps);
      }
    }
    text += "\n";
  }
  return text;
}

// compare_chart.gp with this run's titles set in front (so rendering it again gives the same chart).
std::string ScriptFile(const Results& results) {
  // gnuplot strings in single quotes take anything but a single quote.
  auto quoted = [](std::string text) {
    for (char& c : text) c = c == '\'' ? '`' : c;
    return "'" + text + "'";
  };
  return fmt::format(
      "# Written by seglog-compare: this run's titles, then bench/compare/compare_chart.gp.\n"
      "if (!exists(\"chart_title\")) chart_title = {}\n"
      "if (!exists(\"chart_machine\")) chart_machine = {}\n\n{}",
      quoted(absl::StrCat("seglog-compare: ", WorkloadLine(results.config))), quoted(MachineLine(results.machine)),
      kChartScript);
}

// Runs gnuplot; false in *found when it is not installed.
absl::Status RunGnuplot(const std::vector<std::string>& args, bool* found) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, "gnuplot", nullptr, nullptr, argv.data(), environ);
  *found = rc != ENOENT;
  if (rc == ENOENT) return absl::OkStatus();
  if (rc != 0) return absl::InternalError(absl::StrCat("starting gnuplot: ", std::strerror(rc)));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return absl::InternalError(absl::StrCat("waiting for gnuplot: ", std::strerror(errno)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError("gnuplot failed (its messages are above)");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ChartOutcome> WriteChart(const Results& results, const std::string& dir) {
  if (dir.find('\'') != std::string::npos || dir.find('"') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("--gnuplot-dir may not contain quotes: ", dir));
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("creating ", dir, ": ", ec.message()));
  const std::string data = dir + "/compare.dat", script = dir + "/compare_chart.gp";
  if (absl::Status s = WriteFile(data, DataFile(results)); !s.ok()) return s;
  if (absl::Status s = WriteFile(script, ScriptFile(results)); !s.ok()) return s;

  ChartOutcome out;
  out.png = dir + "/compare.png";
  const std::string again = fmt::format("gnuplot -e \"datadir='{}'\" {}", dir, script);
  bool found = false;
  if (absl::Status s = RunGnuplot({"gnuplot", "-e", fmt::format("datadir='{}'", dir), script}, &found); !s.ok()) {
    return s;
  }
  out.rendered = found;
  out.note = found ? fmt::format("chart: {} (data {}, script {}; render again: {})", out.png, data, script, again)
                   : fmt::format("gnuplot not found: wrote {} and {}; render with: {}", data, script, again);
  return out;
}

}  // namespace seglog_compare

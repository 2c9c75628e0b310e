// seglog-compare: the same workload against seglog (partition, pre-encoded batches, producer), a raw write(),
// RocksDB, LMDB and SQLite, interleaved in one process over several rounds; medians, ratios to seglog-partition, the issue's
// targets, and optionally Markdown, JSON and a gnuplot chart (README.md here).
//
//   seglog-compare                                   # 1M records, 100-byte values, batches of 1000, 5 rounds
//   seglog-compare --systems seglog-partition,lmdb --rounds 3 --json out.json --markdown out.md
//   seglog-compare --dir /mnt/nvme --gnuplot-dir charts
//
// Exit codes: 0 success (targets missed included), 1 a system failed or read back wrong data, 2 bad usage
// (including outputs that cannot be written and sizes that do not fit in memory or on disk).
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "chart.h"
#include "fmt/format.h"
#include "preflight.h"
#include "report.h"
#include "runner.h"
#include "seglog/version.h"
#include "systems.h"
#include "work_dir.h"

namespace seglog_compare {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
// The largest batch the seglog systems take (max.message.bytes is an int32).
constexpr uint64_t kMaxBatchBytes = 512ULL << 20;

struct Flags {
  int64_t records = 1000000;
  int64_t durable_records = 100000;
  size_t value_size = 100;
  int batch = 1000;
  int rounds = 5;
  std::string dir;
  std::string systems;
  std::string json, markdown, gnuplot_dir;
};

int Fail(std::string_view message) {
  std::fflush(stdout);
  fmt::print(stderr, "seglog-compare: {}\n", message);
  return kExitFailure;
}

int UsageError(std::string_view message) {
  std::fflush(stdout);
  fmt::print(stderr, "seglog-compare: {}\nRun 'seglog-compare --help' for usage.\n", message);
  return kExitUsage;
}

// The systems named in a comma-separated list (all when empty), in AllSystems() order.
bool SelectSystems(const std::string& list, std::vector<const SystemInfo*>* out, std::string* error) {
  std::string known;
  for (const SystemInfo& info : AllSystems()) known += (known.empty() ? "" : ", ") + std::string(info.name);
  std::vector<bool> chosen(AllSystems().size(), list.empty());
  size_t start = 0;
  while (!list.empty() && start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    const std::string name = list.substr(start, end - start);
    const SystemInfo* info = FindSystem(name);
    if (info == nullptr) {
      *error = fmt::format("unknown system '{}' in --systems (known: {})", name, known);
      return false;
    }
    chosen[static_cast<size_t>(info - AllSystems().data())] = true;
    start = end + 1;
  }
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (chosen[i]) out->push_back(&AllSystems()[i]);
  }
  return true;
}

absl::Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::InternalError(fmt::format("writing {} failed", path));
  return absl::OkStatus();
}

int Run(const Flags& flags) {
  RunConfig config;
  config.records = flags.records;
  config.durable_records = flags.durable_records;
  config.value_size = flags.value_size;
  config.batch = flags.batch;
  config.rounds = flags.rounds;
  std::string error;
  if (!SelectSystems(flags.systems, &config.systems, &error)) return UsageError(error);
  if (Dataset(1, flags.value_size, flags.batch).max_batch_bytes() > kMaxBatchBytes) {
    return UsageError(fmt::format("a batch of {} records of {} bytes is over {} MiB; use a smaller --batch",
                                  flags.batch, flags.value_size, kMaxBatchBytes >> 20));
  }
  // Everything that can be checked before the run is: a run that cannot finish fails now, with exit 2.
  for (const absl::Status& s : {CheckOutputFile("--json", flags.json), CheckOutputFile("--markdown", flags.markdown),
                                CheckOutputDir("--gnuplot-dir", flags.gnuplot_dir), CheckMemory(config)}) {
    if (!s.ok()) return UsageError(std::string(s.message()));
  }
  if (!flags.dir.empty()) {
    config.parent_dir = flags.dir;
  } else {
    const char* tmp = std::getenv("TMPDIR");
    config.parent_dir = tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp";
  }

  absl::StatusOr<std::unique_ptr<WorkDir>> work = WorkDir::Create(config.parent_dir);
  if (!work.ok()) return Fail(work.status().ToString());
  if (absl::Status s = CheckDiskSpace(config, (*work)->path()); !s.ok()) return UsageError(std::string(s.message()));
  fmt::print(stderr, "seglog-compare: {}; durable: {} records; writing under {}\n", WorkloadLine(config),
             Thousands(static_cast<double>(flags.durable_records)), (*work)->path());
  absl::StatusOr<Results> results = RunComparison(config, **work, stderr);
  work->reset();  // removes the work directory
  if (!results.ok()) return Fail(results.status().ToString());

  PrintReport(stdout, *results);
  std::fflush(stdout);
  if (!flags.json.empty()) {
    if (absl::Status s = WriteText(flags.json, JsonReport(*results)); !s.ok()) return Fail(s.ToString());
  }
  if (!flags.markdown.empty()) {
    if (absl::Status s = WriteText(flags.markdown, MarkdownReport(*results)); !s.ok()) return Fail(s.ToString());
  }
  if (!flags.gnuplot_dir.empty()) {
    absl::StatusOr<ChartOutcome> chart = WriteChart(*results, flags.gnuplot_dir);
    if (!chart.ok()) return Fail(chart.status().ToString());
    fmt::print(stderr, "{}\n", chart->note);
  }
  return 0;
}

}  // namespace
}  // namespace seglog_compare

int main(int argc, char** argv) {
  using seglog_compare::Flags;
  Flags flags;
  CLI::App app(
      "seglog-compare: N records (8-byte keys, V-byte values) appended in batches of B and read back in order, "
      "against seglog, a raw write(), RocksDB, LMDB and SQLite; then the same appends durable. Systems run "
      "interleaved over several rounds; the report gives medians and ratios to seglog-partition.",
      "seglog-compare");
  app.set_version_flag("--version", std::string(seglog::kVersionString));
  app.add_option("--records", flags.records, "Records appended and read back")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--value-size", flags.value_size, "Bytes per value")
      ->check(CLI::Range(size_t{0}, size_t{64} << 20))
      ->capture_default_str();
  app.add_option("--batch", flags.batch, "Records per batch (one write, transaction or WriteBatch)")
      ->check(CLI::Range(1, 1 << 24))
      ->capture_default_str();
  app.add_option("--rounds", flags.rounds, "Rounds; every system runs once per round, interleaved")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--durable-records", flags.durable_records,
                 "Records of the durable (fsync per batch) workload: fewer than --records since each batch "
                 "waits for the disk, enough batches (100 of 1,000 by default) that a fresh store's one-time costs do "
                 "not dominate (0: skip it)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--dir", flags.dir,
                 "Directory (file system) to measure in; a temporary seglog-compare.* directory is made in it "
                 "and removed at exit (default $TMPDIR or /tmp)");
  app.add_option("--systems", flags.systems,
                 "Comma-separated systems to run (default all: seglog-partition, seglog-batches, seglog-producer, "
                 "raw-write, rocksdb, lmdb, sqlite)");
  app.add_option("--json", flags.json, "Write the results as JSON to this file");
  app.add_option("--markdown", flags.markdown, "Write the results as Markdown tables to this file");
  app.add_option("--gnuplot-dir", flags.gnuplot_dir,
                 "Write compare.dat and compare_chart.gp here and render compare.png with gnuplot");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return seglog_compare::UsageError(e.what());
  }
  try {
    return seglog_compare::Run(flags);
  } catch (const std::exception& e) {
    // A bug's last line of defence (errors travel as absl::Status): a message and exit 1, not an abort.
    return seglog_compare::Fail(e.what());
  }
}

// seglog_storage_bench's main: removes its scratch directories on exit and on SIGINT/SIGTERM/SIGHUP, and
// after the console table prints one line per target: the figure, the reference measured in the same run,
// their ratio, and whether the target is met.
//
// Disk and page-cache figures on a shared machine drift by tens of percent from one second to the next, so
// unless the command line says otherwise (any --benchmark_repetitions or --benchmark_enable_random_interleaving
// flag), every benchmark runs 3 times in random interleaved order and the table shows each one's median
// and coefficient of variation (cv); the summary uses the medians. --benchmark_repetitions=1 gives a single
// pass. With --benchmark_format=json or csv the output is the library's own, without the summary.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bench_util.h"

namespace seglog_bench {
namespace {

enum class Goal { kInfo, kAtLeast, kAtMost, kRatioAtLeast };

struct Target {
  const char* label;
  const char* figure;            // run key ("function/args/threads:N") and value name
  const char* figure_value;      // a counter name, or "ms" for the time column in milliseconds
  const char* reference;
  const char* reference_value;
  const char* unit;
  Goal goal;
  double bound;
};

// The value names are counters the benchmarks set (records, MB and GB are per second).
const Target kTargets[] = {
    {"1 append 1000-record batches (AppendBatches)", "BM_AppendBatches", "MB", "BM_RawWrite", "MB", "MB/s",
     Goal::kRatioAtLeast, 0.7},
    {"1 append 1000 Records per call (Append)", "BM_AppendRecords", "MB", "BM_RawWrite", "MB", "MB/s",
     Goal::kRatioAtLeast, 0.7},
    {"2 one record per Append, write-through", "BM_AppendOneRecord/0", "records", "BM_RawWriteOneBatch",
     "records", "rec/s", Goal::kAtLeast, 5e6},
    {"2 one record per Append, 64 KiB buffer", "BM_AppendOneRecord/65536", "records",
     "BM_RawWriteOneBatchGathered", "records", "rec/s", Goal::kAtLeast, 5e6},
    {"3 sequential read, vs in-memory decode", "BM_SequentialRead", "records", "BM_DecodeInMemory", "records",
     "rec/s", Goal::kAtLeast, 30e6},
    {"3 sequential read, vs memcpy", "BM_SequentialRead", "MB", "BM_MemcpyInMemory", "MB", "MB/s", Goal::kInfo,
     0},
    {"4 random offset lookup p50", "BM_RandomOffsetLookup", "p50_ns", "BM_LowerBoundInMemory", "p50_ns", "ns",
     Goal::kAtMost, 1000},
    {"4 random offset lookup p99", "BM_RandomOffsetLookup", "p99_ns", "BM_LowerBoundInMemory", "p99_ns", "ns",
     Goal::kInfo, 0},
    {"5 durable append, 8 vs 1 thread (interleaved)", "BM_DurableAppendInterleaved", "threads8",
     "BM_DurableAppendInterleaved", "thread1", "rec/s", Goal::kRatioAtLeast, 5},
    {"5 durable append, 1 thread vs raw (interleaved)", "BM_DurableAppendInterleaved", "thread1",
     "BM_DurableAppendInterleaved", "raw", "rec/s", Goal::kInfo, 0},
    {"5 durable append, 8 vs 1 thread (separate rows)", "BM_DurableAppend/threads:8", "records",
     "BM_DurableAppend/threads:1", "records", "rec/s", Goal::kInfo, 0},
    {"5 durable append, 1 thread vs raw (separate rows)", "BM_DurableAppend/threads:1", "records",
     "BM_RawWriteFdatasync", "records", "rec/s", Goal::kInfo, 0},
    {"6 clean open, 1000 segments (own marker)", "BM_OpenCleanShutdown/0", "ms", "BM_RawOpenFiles", "ms", "ms",
     Goal::kAtMost, 100},
    {"6 clean open, 1000 segments (owner checkpoint)", "BM_OpenCleanShutdown/1", "ms", "BM_RawOpenFiles", "ms",
     "ms", Goal::kAtMost, 100},
    {"7 recovery scan, vs raw read", "BM_RecoverUnclean", "GB", "BM_RawReadLogs", "GB", "GB/s", Goal::kAtLeast,
     1.0},
    {"7 recovery scan, vs raw read + CRC-32C", "BM_RecoverUnclean", "GB", "BM_RawReadCrcLogs", "GB", "GB/s",
     Goal::kInfo, 0},
};

std::string RunKey(const benchmark::BenchmarkReporter::Run& run) {
  std::string key = run.run_name.function_name;
  if (!run.run_name.args.empty()) key += "/" + run.run_name.args;
  if (!run.run_name.threads.empty()) key += "/" + run.run_name.threads;
  return key;
}

// The console table, remembering each run's values for the summary.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  using ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& runs) override {
    // Of the aggregates only the median and the coefficient of variation are shown.
    std::vector<Run> shown;
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration || run.aggregate_name == "median" || run.aggregate_name == "cv") {
        shown.push_back(run);
      }
    }
    if (!shown.empty()) ConsoleReporter::ReportRuns(shown);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      // With --benchmark_repetitions the median of the repetitions stands for the benchmark.
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type == Run::RT_Aggregate && !median) continue;
      const std::string key = RunKey(run);
      if (!median && medians_.count(key) > 0) continue;
      if (median) medians_.insert(key);
      std::map<std::string, double>& values = values_[key];
      for (const auto& [name, counter] : run.counters) values[name] = counter.value;
      const double per_iteration = run.GetAdjustedRealTime();  // in run.time_unit
      values["ms"] = per_iteration * 1e3 / static_cast<double>(benchmark::GetTimeUnitMultiplier(run.time_unit));
    }
  }

  void PrintSummary() const {
    if (values_.empty()) return;
    std::printf("\nTargets (figure and reference from this run):\n");
    std::printf("%-50s %14s %14s %8s  %-10s %s\n", "", "figure", "reference", "ratio", "target", "");
    for (const Target& t : kTargets) {
      const double* figure = Find(t.figure, t.figure_value);
      const double* reference = Find(t.reference, t.reference_value);
      if (figure == nullptr && reference == nullptr) continue;  // filtered out
      const double ratio = figure != nullptr && reference != nullptr && *reference != 0 ? *figure / *reference : NAN;
      std::string target;
      const char* verdict = "";
      if (t.goal != Goal::kInfo && figure != nullptr) {
        bool met = false;
        char buf[64];
        switch (t.goal) {
          case Goal::kAtLeast:
            std::snprintf(buf, sizeof(buf), ">= %s", Format(t.bound).c_str());
            met = *figure >= t.bound;
            break;
          case Goal::kAtMost:
            std::snprintf(buf, sizeof(buf), "<= %s", Format(t.bound).c_str());
            met = *figure <= t.bound;
            break;
          case Goal::kRatioAtLeast:
            std::snprintf(buf, sizeof(buf), ">= %gx", t.bound);
            met = ratio >= t.bound;
            break;
          case Goal::kInfo:
            break;
        }
        target = buf;
        verdict = met ? "MET" : "NOT MET";
      }
      std::printf("%-50s %14s %14s %7.2fx  %-10s %s\n", t.label,
                  figure != nullptr ? (Format(*figure) + " " + t.unit).c_str() : "-",
                  reference != nullptr ? (Format(*reference) + " " + t.unit).c_str() : "-", ratio, target.c_str(),
                  verdict);
    }
  }

 private:
  const double* Find(const std::string& key, const std::string& value) const {
    auto run = values_.find(key);
    if (run == values_.end()) return nullptr;
    auto v = run->second.find(value);
    return v == run->second.end() ? nullptr : &v->second;
  }

  static std::string Format(double v) {
    char buf[32];
    if (std::fabs(v) >= 1e9) {
      std::snprintf(buf, sizeof(buf), "%.2fG", v / 1e9);
    } else if (std::fabs(v) >= 1e6) {
      std::snprintf(buf, sizeof(buf), "%.2fM", v / 1e6);
    } else if (std::fabs(v) >= 1e4) {
      std::snprintf(buf, sizeof(buf), "%.1fk", v / 1e3);
    } else if (std::fabs(v) >= 100) {
      std::snprintf(buf, sizeof(buf), "%.0f", v);
    } else {
      std::snprintf(buf, sizeof(buf), "%.3g", v);
    }
    return buf;
  }

  std::map<std::string, std::map<std::string, double>> values_;
  std::set<std::string> medians_;  // keys whose values come from a median aggregate
};

bool ConsoleFormat(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--benchmark_format=", 19) == 0) return std::strcmp(argv[i] + 19, "console") == 0;
  }
  return true;
}

// argv plus the default repetition flags, unless the command line sets repetitions or interleaving itself.
std::vector<char*> WithDefaultFlags(int argc, char** argv) {
  static char repetitions[] = "--benchmark_repetitions=3";
  static char interleave[] = "--benchmark_enable_random_interleaving=true";
  static char aggregates[] = "--benchmark_display_aggregates_only=true";
  std::vector<char*> args(argv, argv + argc);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--benchmark_repetitions", 23) == 0 ||
        std::strncmp(argv[i], "--benchmark_enable_random_interleaving", 38) == 0) {
      return args;
    }
  }
  args.insert(args.begin() + 1, {repetitions, interleave, aggregates});
  return args;
}

}  // namespace
}  // namespace seglog_bench

int main(int argc, char** argv) {
  const bool console = seglog_bench::ConsoleFormat(argc, argv);
  std::vector<char*> args = seglog_bench::WithDefaultFlags(argc, argv);
  int args_count = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&args_count, args.data());
  if (benchmark::ReportUnrecognizedArguments(args_count, args.data())) return 1;
  seglog_bench::InstallCleanup();
  if (console) {
    seglog_bench::SummaryReporter reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_Color
                                                                 : benchmark::ConsoleReporter::OO_None);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.PrintSummary();
  } else {
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  std::fflush(stdout);
  seglog_bench::RemoveScratchRoot();
  return 0;
}

// seglog_storage_bench's main: removes its scratch directories on exit and on SIGINT/SIGTERM/SIGHUP, and
// after the console table prints one line per target: the figure, the reference measured in the same run,
// their ratio, and whether the target is met.
//
// Disk and page-cache figures on a shared machine drift by tens of percent from one second to the next, so
// unless the command line says otherwise (any --benchmark_repetitions or --benchmark_enable_random_interleaving
// flag), every benchmark runs 5 times in random interleaved order and the table shows each one's median
// and coefficient of variation (cv); the summary uses the medians. --benchmark_repetitions=1 gives a single
// pass. With --benchmark_format=json or csv the output is the library's own, without the summary.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <utility>
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
  // A counter of the figure's run holding the ratio measured within each repetition (interleaved phases);
  // its median is the ratio shown. Null: figure / reference.
  const char* ratio_value = nullptr;
};

// The value names are counters the benchmarks set (records, MB and GB are per second).
const Target kTargets[] = {
    {"1 AppendBatches, 1000-record batch (interleaved)", "BM_BatchedAppendInterleaved", "batches_MB",
     "BM_BatchedAppendInterleaved", "raw_MB", "MB/s", Goal::kRatioAtLeast, 0.7, "batches_ratio"},
    {"1 Append, 1000 Records per call (interleaved)", "BM_BatchedAppendInterleaved", "records_MB",
     "BM_BatchedAppendInterleaved", "raw_MB", "MB/s", Goal::kRatioAtLeast, 0.7, "records_ratio"},
    {"1 AppendBatches (separate rows)", "BM_AppendBatches", "MB", "BM_RawWrite", "MB", "MB/s", Goal::kInfo, 0},
    {"1 Append, 1000 Records (separate rows)", "BM_AppendRecords", "MB", "BM_RawWrite", "MB", "MB/s", Goal::kInfo,
     0},
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
     "BM_DurableAppendInterleaved", "thread1", "rec/s", Goal::kRatioAtLeast, 5, "speedup"},
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

// The console table, printed once every run is in: one row per benchmark (its median and cv when repeated),
// in registration order so each figure sits beside its reference; then the targets. Progress goes to
// stderr as runs finish (interleaved repetitions arrive in random order).
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  using ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& runs) override {
    std::string progress;  // the time per iteration of each repetition
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), " %.4g%s", run.GetAdjustedRealTime(), benchmark::GetTimeUnitString(run.time_unit));
        progress += run.error_occurred ? " error: " + run.error_message : std::string(buf);
        rows_.push_back(run);
      } else if (run.aggregate_name == "median" || run.aggregate_name == "cv") {
        rows_.push_back(run);
      }
      Remember(run);
    }
    if (!progress.empty()) std::fprintf(stderr, "  done %s:%s\n", RunKey(runs.front()).c_str(), progress.c_str());
  }

  void Finalize() override {
    // Repeated benchmarks show their median and cv only.
    std::set<std::pair<int64_t, int64_t>> aggregated;
    for (const Run& run : rows_) {
      if (run.run_type == Run::RT_Aggregate) aggregated.insert({run.family_index, run.per_family_instance_index});
    }
    std::vector<Run> shown;
    for (const Run& run : rows_) {
      if (run.run_type == Run::RT_Iteration && aggregated.count({run.family_index, run.per_family_instance_index})) {
        continue;
      }
      shown.push_back(run);
    }
    std::stable_sort(shown.begin(), shown.end(), [](const Run& a, const Run& b) {
      return std::make_pair(a.family_index, a.per_family_instance_index) <
             std::make_pair(b.family_index, b.per_family_instance_index);
    });
    if (!shown.empty()) ConsoleReporter::ReportRuns(shown);
    ConsoleReporter::Finalize();
  }

  void PrintSummary() const {
    if (values_.empty()) return;
    std::printf("\nTargets (figure and reference from this run; cv = spread of the repetitions):\n");
    std::printf("%-50s %14s %6s %14s %6s %8s  %-10s %s\n", "", "figure", "cv", "reference", "cv", "ratio", "target",
                "");
    for (const Target& t : kTargets) {
      const double* figure = Find(values_, t.figure, t.figure_value);
      const double* reference = Find(values_, t.reference, t.reference_value);
      if (figure == nullptr && reference == nullptr) continue;  // filtered out
      const double* measured_ratio = t.ratio_value != nullptr ? Find(values_, t.figure, t.ratio_value) : nullptr;
      double ratio = figure != nullptr && reference != nullptr && *reference != 0 ? *figure / *reference : NAN;
      if (measured_ratio != nullptr) ratio = *measured_ratio;
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
      std::printf("%-50s %14s %6s %14s %6s %7.2fx  %-10s %s\n", t.label,
                  figure != nullptr ? (Format(*figure) + " " + t.unit).c_str() : "-",
                  Percent(Find(cvs_, t.figure, t.figure_value)).c_str(),
                  reference != nullptr ? (Format(*reference) + " " + t.unit).c_str() : "-",
                  Percent(Find(cvs_, t.reference, t.reference_value)).c_str(), ratio, target.c_str(), verdict);
    }
  }

 private:
  using Values = std::map<std::string, std::map<std::string, double>>;

  // Keeps the values the targets read: a median when the benchmark was repeated, else its single run.
  void Remember(const Run& run) {
    if (run.error_occurred) return;
    const std::string key = RunKey(run);
    if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "cv") {
      std::map<std::string, double>& cv = cvs_[key];
      for (const auto& [name, counter] : run.counters) cv[name] = counter.value;
      cv["ms"] = run.real_accumulated_time;  // a cv aggregate holds the fraction itself
      return;
    }
    const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
    if (run.run_type == Run::RT_Aggregate && !median) return;
    if (!median && medians_.count(key) > 0) return;
    if (median) medians_.insert(key);
    std::map<std::string, double>& values = values_[key];
    for (const auto& [name, counter] : run.counters) values[name] = counter.value;
    const double per_iteration = run.GetAdjustedRealTime();  // in run.time_unit
    values["ms"] = per_iteration * 1e3 / static_cast<double>(benchmark::GetTimeUnitMultiplier(run.time_unit));
  }

  static const double* Find(const Values& from, const std::string& key, const std::string& value) {
    auto run = from.find(key);
    if (run == from.end()) return nullptr;
    auto v = run->second.find(value);
    return v == run->second.end() ? nullptr : &v->second;
  }

  static std::string Percent(const double* fraction) {
    if (fraction == nullptr) return "";
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%.0f%%", *fraction * 100);
    return buf;
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

  std::vector<Run> rows_;
  Values values_;
  Values cvs_;
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
  static char repetitions[] = "--benchmark_repetitions=5";
  static char interleave[] = "--benchmark_enable_random_interleaving=true";
  std::vector<char*> args(argv, argv + argc);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--benchmark_repetitions", 23) == 0 ||
        std::strncmp(argv[i], "--benchmark_enable_random_interleaving", 38) == 0) {
      return args;
    }
  }
  args.insert(args.begin() + 1, {repetitions, interleave});
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

// The comparison's outputs: a table for people (stdout), Markdown for bench/README.md and JSON for scripts.
// Every figure comes from Results (results.h); nothing is typed in.
//
//   PrintReport(stdout, results);
//   std::string md = MarkdownReport(results);
//   std::string json = JsonReport(results);   // schema: README.md here
//
// Thread safety: pure functions of their arguments.
#ifndef SEGLOG_BENCH_COMPARE_REPORT_H_
#define SEGLOG_BENCH_COMPARE_REPORT_H_

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "results.h"

namespace seglog_compare {

void PrintReport(std::FILE* out, const Results& results);
std::string MarkdownReport(const Results& results);
std::string JsonReport(const Results& results);

// Shared by the formats.
// 1234567.8 -> "1,234,568".
std::string Thousands(double value);
// The libraries of the systems run, with versions: {"seglog", "0.1.0"}, {"RocksDB", "7.8.3"}, ...
std::vector<std::pair<std::string, std::string>> Versions(const RunConfig& config);
// "1,000,000 records (8-byte keys, 100-byte values) in batches of 1,000; medians of 5 rounds"
std::string WorkloadLine(const RunConfig& config);
// The note under a workload's heading (e.g. why the durable run has fewer records); may be empty.
std::string WorkloadNote(const WorkloadResults& workload);

}  // namespace seglog_compare

#endif  // SEGLOG_BENCH_COMPARE_REPORT_H_

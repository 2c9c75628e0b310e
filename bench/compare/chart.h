// The comparison's bar chart: the data file and gnuplot script (compare_chart.gp), rendered to PNG.
//
//   ASSIGN_OR_RETURN(ChartOutcome chart, WriteChart(results, "charts"));
//   if (!chart.rendered) fmt::print(stderr, "{}\n", chart.note);
//
// Thread safety: writes files and runs gnuplot on the calling thread.
#ifndef SEGLOG_BENCH_COMPARE_CHART_H_
#define SEGLOG_BENCH_COMPARE_CHART_H_

#include <string>

#include "absl/status/statusor.h"
#include "results.h"

namespace seglog_compare {

struct ChartOutcome {
  bool rendered = false;  // compare.png was made
  std::string png;        // its path
  std::string note;       // what was written, and how to render it again (or why it was not)
};

// Creates `dir` if missing, writes `dir`/compare.dat and `dir`/compare_chart.gp, and runs gnuplot on them
// when it is on PATH (its absence is not an error: see ChartOutcome::rendered). Errors: writing the files,
// or gnuplot failing.
absl::StatusOr<ChartOutcome> WriteChart(const Results& results, const std::string& dir);

}  // namespace seglog_compare

#endif  // SEGLOG_BENCH_COMPARE_CHART_H_

// Recorder, progress line and summary of seglog-perf (see perf_report.h).
#include "perf_report.h"

#include <unistd.h>

#include <cmath>
#include <utility>

#include "fmt/format.h"
#include "perf_util.h"

namespace seglog_perf {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

double PerSecond(double amount, double seconds) { return seconds > 0 ? amount / seconds : 0; }
double Ms(double nanos) { return nanos / 1e6; }
// Milliseconds rounded to the nanosecond, for a readable JSON (rounding keeps the percentiles' order).
double JsonMs(double nanos) { return std::round(nanos) / 1e6; }

}  // namespace

void Recorder::AddError(const absl::Status& status) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(error_mu_);
  if (first_error_.empty()) first_error_ = Message(status);
}

Recorder::Totals Recorder::totals() const {
  Totals t;
  t.records = records_.load(std::memory_order_relaxed);
  t.bytes = bytes_.load(std::memory_order_relaxed);
  t.latency_sum_ns = latency_sum_ns_.load(std::memory_order_relaxed);
  t.latencies = latencies_.load(std::memory_order_relaxed);
  return t;
}

std::string Recorder::first_error() const {
  std::lock_guard<std::mutex> lock(error_mu_);
  return first_error_;
}

Progress::Progress(std::vector<Recorder*> recorders, std::string verb, std::string latency_label,
                   int64_t interval_ms, FILE* out)
    : recorders_(std::move(recorders)),
      verb_(std::move(verb)),
      latency_label_(std::move(latency_label)),
      interval_ns_(interval_ms * 1'000'000),
      out_(interval_ms > 0 ? out : nullptr) {
  Reset();
}

void Progress::Reset() {
  window_start_ns_ = NowNanos();
  last_ = Sum();
  for (Recorder* r : recorders_) r->TakeWindowMax();
}

Recorder::Totals Progress::Sum() const {
  Recorder::Totals sum;
  for (const Recorder* r : recorders_) {
    const Recorder::Totals t = r->totals();
    sum.records += t.records;
    sum.bytes += t.bytes;
    sum.latency_sum_ns += t.latency_sum_ns;
    sum.latencies += t.latencies;
  }
  return sum;
}

void Progress::MaybePrint() {
  if (out_ == nullptr) return;
  const int64_t now = NowNanos();
  if (now - window_start_ns_ < interval_ns_) return;
  const Recorder::Totals total = Sum();
  int64_t max_ns = 0;
  for (Recorder* r : recorders_) max_ns = std::max(max_ns, r->TakeWindowMax());
  const double seconds = static_cast<double>(now - window_start_ns_) / 1e9;
  const int64_t records = total.records - last_.records;
  const int64_t samples = total.latencies - last_.latencies;
  const double avg_ns =
      samples > 0 ? static_cast<double>(total.latency_sum_ns - last_.latency_sum_ns) / static_cast<double>(samples) : 0;
  fmt::print(out_, "{} records {}, {:.1f} records/sec ({:.2f} MB/sec), {:.3f} ms avg {}, {:.3f} ms max {}.\n", records,
             verb_, PerSecond(static_cast<double>(records), seconds),
             PerSecond(static_cast<double>(total.bytes - last_.bytes) / kMiB, seconds), Ms(avg_ns), latency_label_,
             Ms(static_cast<double>(max_ns)), latency_label_);
  std::fflush(out_);
  last_ = total;
  window_start_ns_ = now;
}

FILE* ProgressStream(bool json) {
  if (!json) return isatty(STDOUT_FILENO) == 1 ? stdout : nullptr;
  return isatty(STDERR_FILENO) == 1 ? stderr : nullptr;
}

void PrintResult(const RunResult& r, bool json) {
  const LatencyHistogram& h = r.latency;
  const double records_per_sec = PerSecond(static_cast<double>(r.records), r.seconds);
  const double mb_per_sec = PerSecond(static_cast<double>(r.bytes) / kMiB, r.seconds);
  if (json) {
    nlohmann::json out = {
        {"mode", r.mode},
        {"records", r.records},
        {"bytes", r.bytes},
        {"seconds", r.seconds},
        {"recordsPerSec", records_per_sec},
        {"mbPerSec", mb_per_sec},
        {"latencyMs",
         {{"p50", JsonMs(h.Percentile(0.50))},
          {"p95", JsonMs(h.Percentile(0.95))},
          {"p99", JsonMs(h.Percentile(0.99))},
          {"p999", JsonMs(h.Percentile(0.999))},
          {"max", JsonMs(static_cast<double>(h.max()))},
          {"min", JsonMs(static_cast<double>(h.min()))},
          {"avg", JsonMs(h.mean())},
          {"samples", h.count()}}},
        {"latencyOf", r.latency_of},
        {"interrupted", r.interrupted},
        {"config", r.config},
    };
    for (const auto& [key, value] : r.extra.items()) out[key] = value;
    fmt::print(stdout, "{}\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    const std::string& l = r.latency_label;
    fmt::print(stdout,
               "{}{} records {}, {:.1f} records/sec ({:.2f} MB/sec), {:.3f} ms avg {}, {:.3f} ms max {}, {:.3f} ms "
               "50th, {:.3f} ms 95th, {:.3f} ms 99th, {:.3f} ms 99.9th.\n",
               r.interrupted ? "(interrupted) " : "", r.records, r.verb, records_per_sec, mb_per_sec, Ms(h.mean()), l,
               Ms(static_cast<double>(h.max())), l, Ms(h.Percentile(0.50)), Ms(h.Percentile(0.95)),
               Ms(h.Percentile(0.99)), Ms(h.Percentile(0.999)));
  }
  std::fflush(stdout);
}

}  // namespace seglog_perf

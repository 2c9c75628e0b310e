// The interleaved rounds of the comparison (runner.h).
#include "runner.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fmt/format.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace seglog_compare {

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct RunOutcome {
  double append_seconds = 0;
  double read_seconds = 0;
  uint64_t disk_bytes = 0;
};

// One system's append (and read back) in a fresh directory, which is deleted afterwards. The timed read checks
// keys exactly and values by digest; with `every_byte`, an untimed read follows that compares every value byte
// for byte (the durable workload's read is untimed, so it compares them directly).
absl::StatusOr<RunOutcome> RunOnce(const SystemInfo& info, const Dataset& data, bool durable, bool every_byte,
                                   const std::string& dir) {
  RunOutcome out;
  std::unique_ptr<System> system = info.make(data, durable);
  RETURN_IF_ERROR(system->Open(dir));
  const Clock::time_point append_start = Clock::now();
  for (int64_t first = 0; first < data.records(); first += data.batch()) {
    RETURN_IF_ERROR(
        system->AppendBatch(first, static_cast<int>(std::min<int64_t>(data.batch(), data.records() - first))));
  }
  RETURN_IF_ERROR(system->FinishAppend());
  out.append_seconds = SecondsSince(append_start);
  out.disk_bytes = DiskUsage(dir);

  // The durable workload's data is checked too, outside the timing (its read_seconds is not reported).
  ReadVerifier verifier(data, durable ? ReadVerifier::kEveryByte : ReadVerifier::kDigest);
  const Clock::time_point read_start = Clock::now();
  RETURN_IF_ERROR(system->ReadAll(&verifier));
  out.read_seconds = SecondsSince(read_start);
  RETURN_IF_ERROR(verifier.Finish());
  if (every_byte && !durable) {  // untimed
    ReadVerifier full(data, ReadVerifier::kEveryByte);
    RETURN_IF_ERROR(system->ReadAll(&full));
    RETURN_IF_ERROR(full.Finish());
  }
  RETURN_IF_ERROR(system->Close());
  return out;
}

absl::Status WithContext(const absl::Status& status, std::string_view context) {
  return absl::Status(status.code(), absl::StrCat(seglog::internal::Sv(context), ": ", status.message()));
}

SystemSeries* SeriesFor(WorkloadResults* w, std::string_view name) {
  for (SystemSeries& s : w->systems) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

void Progress(std::FILE* progress, int round, int rounds, Workload workload, std::string_view name, int64_t records,
              double seconds) {
  if (progress == nullptr) return;
  fmt::print(progress, "round {}/{}  {:<8} {:<17} {:>14.0f} records/s  ({:.3f} s)\n", round, rounds,
             WorkloadName(workload), name, seconds > 0 ? static_cast<double>(records) / seconds : 0.0, seconds);
  std::fflush(progress);
}

}  // namespace

absl::StatusOr<Results> RunComparison(const RunConfig& config, const WorkDir& work_dir, std::FILE* progress) {
  Results results;
  results.config = config;
  results.machine = CollectMachineInfo(work_dir.path());
  results.machine.dir = config.parent_dir;  // what the user chose; the work directory is temporary
  const Dataset data(config.records, config.value_size, config.batch);
  const Dataset durable_data(config.durable_records, config.value_size, config.batch);

  std::vector<Workload> workloads = {Workload::kAppend, Workload::kRead};
  if (config.durable_records > 0) workloads.push_back(Workload::kDurable);
  for (Workload w : workloads) {
    WorkloadResults wr;
    wr.workload = w;
    wr.records = w == Workload::kDurable ? config.durable_records : config.records;
    for (const SystemInfo* info : config.systems) {
      wr.systems.emplace_back();
      wr.systems.back().name = std::string(info->name);
    }
    results.workloads.push_back(std::move(wr));
  }
  WorkloadResults* append = &results.workloads[0];
  WorkloadResults* read = &results.workloads[1];
  WorkloadResults* durable = config.durable_records > 0 ? &results.workloads[2] : nullptr;

  const size_t n = config.systems.size();
  for (int round = 1; round <= config.rounds; ++round) {
    for (bool is_durable : {false, true}) {
      if (is_durable && durable == nullptr) continue;
      for (size_t k = 0; k < n; ++k) {
        const SystemInfo& info = *config.systems[(k + static_cast<size_t>(round - 1)) % n];
        const std::string_view workload_name = is_durable ? "durable" : "append+read";
        const std::string context = absl::StrCat(seglog::internal::Sv(info.name), " (",
                                                 seglog::internal::Sv(workload_name), ", round ", round, ")");
        absl::StatusOr<std::string> dir = work_dir.NewRunDir(
            absl::StrCat("r", round, "-", is_durable ? "durable" : "append", "-", seglog::internal::Sv(info.name)));
        if (!dir.ok()) return WithContext(dir.status(), context);
        absl::StatusOr<RunOutcome> outcome = RunOnce(info, is_durable ? durable_data : data, is_durable,
                                                      /*every_byte=*/round == 1, *dir);
        absl::Status removed = work_dir.RemoveRunDir(*dir);
        if (!outcome.ok()) return WithContext(outcome.status(), context);
        if (!removed.ok()) return removed;
        if (is_durable) {
          SystemSeries* s = SeriesFor(durable, info.name);
          s->seconds.push_back(outcome->append_seconds);
          s->disk_bytes.push_back(static_cast<double>(outcome->disk_bytes));
          Progress(progress, round, config.rounds, Workload::kDurable, info.name, durable->records,
                   outcome->append_seconds);
        } else {
          SystemSeries* a = SeriesFor(append, info.name);
          a->seconds.push_back(outcome->append_seconds);
          a->disk_bytes.push_back(static_cast<double>(outcome->disk_bytes));
          SeriesFor(read, info.name)->seconds.push_back(outcome->read_seconds);
          Progress(progress, round, config.rounds, Workload::kAppend, info.name, append->records,
                   outcome->append_seconds);
          Progress(progress, round, config.rounds, Workload::kRead, info.name, read->records, outcome->read_seconds);
        }
      }
    }
  }
  return results;
}

}  // namespace seglog_compare

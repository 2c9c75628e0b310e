// Store housekeeping: retention, the flush.ms policy and the checkpoint files, run on demand
// (RunHousekeeping, Flush) or by the optional background thread, which waits on the Store's Clock so a
// ManualClock drives it deterministically.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "seglog/log_files.h"
#include "storage/offset_checkpoint.h"
#include "store/store_impl.h"
#include "util/status_macros.h"

namespace seglog {

namespace {

// A partition closed meanwhile (its topic deleted, the Store closing) is skipped, not an error.
bool IsClosedError(const absl::Status& s) { return s.code() == absl::StatusCode::kFailedPrecondition; }

void Keep(absl::Status* first, const absl::Status& s) {
  if (first->ok() && !s.ok() && !IsClosedError(s)) *first = s;
}

absl::Status RetentionPass(const std::vector<std::shared_ptr<Partition>>& partitions, HousekeepingResult* r) {
  absl::Status status;
  for (const std::shared_ptr<Partition>& p : partitions) {
    absl::StatusOr<RetentionResult> done = p->EnforceRetention();
    if (!done.ok()) {
      Keep(&status, done.status());
      continue;
    }
    r->segments_deleted += done->segments_deleted;
    r->bytes_deleted += done->bytes_deleted;
  }
  return status;
}

absl::Status FlushPass(const std::vector<std::shared_ptr<Partition>>& partitions, HousekeepingResult* r) {
  absl::Status status;
  for (const std::shared_ptr<Partition>& p : partitions) {
    const int64_t before = p->recovery_point();
    absl::Status flushed = p->MaybeFlush();
    Keep(&status, flushed);
    if (flushed.ok() && p->recovery_point() != before) ++r->partitions_flushed;
  }
  return status;
}

}  // namespace

std::vector<std::shared_ptr<Partition>> Store::Impl::AllPartitions() const {
  std::vector<std::shared_ptr<Topic>> topics;
  {
    MutexLock lock(&mu_);
    for (const auto& [name, topic] : topics_) topics.push_back(topic);
  }
  std::vector<std::shared_ptr<Partition>> all;
  for (const auto& topic : topics) {
    for (auto& p : topic->partitions()) all.push_back(std::move(p));
  }
  return all;
}

absl::Status Store::Impl::WriteCheckpoints() {
  if (options_.read_only) return absl::OkStatus();  // nothing reaches the real directory
  MutexLock lock(&checkpoint_mu_);
  std::vector<internal::CheckpointEntry> recovery_points;
  std::vector<internal::CheckpointEntry> log_starts;
  for (const std::shared_ptr<Partition>& p : AllPartitions()) {
    const PartitionCheckpoint cp = p->checkpoint();
    recovery_points.push_back({p->topic_partition(), cp.recovery_point});
    log_starts.push_back({p->topic_partition(), cp.log_start_offset});
  }
  RETURN_IF_ERROR(internal::WriteOffsetCheckpoint(fs_, PathOf(kRecoveryPointCheckpointFile), recovery_points));
  return internal::WriteOffsetCheckpoint(fs_, PathOf(kLogStartOffsetCheckpointFile), log_starts);
}

absl::StatusOr<HousekeepingResult> Store::Impl::RunHousekeeping() {
  RETURN_IF_ERROR(CheckUsable(/*write=*/true));
  const std::vector<std::shared_ptr<Partition>> partitions = AllPartitions();
  HousekeepingResult result;
  absl::Status status = RetentionPass(partitions, &result);
  Keep(&status, FlushPass(partitions, &result));
  Keep(&status, WriteCheckpoints());
  if (!status.ok()) return status;
  return result;
}

absl::Status Store::Impl::Flush() {
  RETURN_IF_ERROR(CheckUsable(/*write=*/false));
  absl::Status status;
  for (const std::shared_ptr<Partition>& p : AllPartitions()) Keep(&status, p->Flush());
  // Also what re-persists a checkpoint after an application's Partition::TruncateTo.
  Keep(&status, WriteCheckpoints());
  return status;
}

void Store::Impl::StartHousekeeping() {
  hk_thread_ = std::thread([this] {
    const int64_t start = clock_->NowMillis();
    int64_t next_retention = start + options_.retention_check_interval_ms;
    int64_t next_flush = start + options_.flush_check_interval_ms;
    int64_t next_checkpoint = start + options_.checkpoint_interval_ms;
    for (;;) {
      {
        MutexLock lock(&hk_mu_);
        for (;;) {
          if (hk_stop_) return;
          const int64_t due = std::min({next_retention, next_flush, next_checkpoint});
          if (clock_->NowMillis() >= due) break;
          clock_->WaitWithDeadline(&hk_cv_, &hk_mu_, absl::FromUnixMillis(due));
        }
      }
      const int64_t now = clock_->NowMillis();
      const std::vector<std::shared_ptr<Partition>> partitions = AllPartitions();
      HousekeepingResult result;
      absl::Status status;
      if (now >= next_retention) {
        Keep(&status, RetentionPass(partitions, &result));
        next_retention = now + options_.retention_check_interval_ms;
      }
      if (now >= next_flush) {
        Keep(&status, FlushPass(partitions, &result));
        next_flush = now + options_.flush_check_interval_ms;
      }
      if (now >= next_checkpoint) {
        Keep(&status, WriteCheckpoints());
        next_checkpoint = now + options_.checkpoint_interval_ms;
      }
      if (options_.housekeeping_listener) {
        options_.housekeeping_listener(status.ok() ? absl::StatusOr<HousekeepingResult>(result)
                                                   : absl::StatusOr<HousekeepingResult>(status));
      }
    }
  });
}

void Store::Impl::StopHousekeeping() {
  if (!hk_thread_.joinable()) return;
  {
    MutexLock lock(&hk_mu_);
    hk_stop_ = true;
    hk_cv_.SignalAll();
  }
  hk_thread_.join();
}

}  // namespace seglog

// Partition::Impl: Flush, MaybeFlush and group commit (SyncTo, on internal::GroupCommit).
#include <vector>

#include "absl/strings/str_cat.h"
#include "seglog/partition.h"
#include "storage/partition_impl.h"
#include "storage/partition_internal.h"
#include "util/status_macros.h"

namespace seglog {

// ---------------------------------------------------------------------------------------------------------
// Group commit (internal::GroupCommit keeps the rounds): the first durable appender to arrive becomes the
// leader and fsyncs everything written so far (without holding the append mutex, so appends continue
// meanwhile); the others wait for it and find their offsets covered, or lead the next round.

absl::Status Partition::Impl::SyncTo(int64_t offset) {
  ASSIGN_OR_RETURN(const bool lead, group_commit_.BeginRound([&] { return recovery_point() >= offset; }));
  if (!lead) return absl::OkStatus();

  absl::Status refused;  // the partition is closed or failed: nothing to sync
  absl::Status status;   // the fsync's own result
  int64_t end = 0;
  uint64_t truncations = 0;
  std::vector<std::shared_ptr<Segment>> to_sync;
  {
    MutexLock lock(&mu_);
    refused = CheckWritableLocked();
    if (refused.ok()) status = DrainLocked();
    end = log_end_offset();
    truncations = truncations_.load();
    unflushed_messages_ = 0;
    last_flush_ms_ = clock_->NowMillis();
    if (refused.ok() && status.ok()) {
      std::shared_ptr<const SegmentList> list = segments();
      for (size_t i = list->Floor(recovery_point()); i < list->segments.size(); ++i) {
        to_sync.push_back(list->segments[i]);
      }
    }
  }
  for (size_t i = 0; i < to_sync.size() && status.ok(); ++i) {
    // A segment that has rolled gets its indexes synced too; the active one only its log.
    status = i + 1 < to_sync.size() ? to_sync[i]->Flush() : to_sync[i]->SyncLog();
  }
  // Publish under the append mutex, so no roll slips in between: a segment this round synced as the
  // active one (log only) but that has rolled since must have its indexes synced before the recovery point
  // moves past it (segments wholly below the recovery point are trusted after a crash).
  mu_.Lock();
  if (status.ok() && !to_sync.empty() && to_sync.back() != segments()->active()) status = to_sync.back()->Flush();
  if (!status.ok()) FailLocked(status);
  group_commit_.EndRound(status, [&] {
    if (refused.ok() && truncations_.load() == truncations && end > recovery_point()) {
      recovery_point_.store(end, std::memory_order_seq_cst);
    }
  });
  const bool reached = recovery_point() >= offset;
  const absl::Status result = status;  // the leader sees the I/O error itself; later callers the sticky one
  if (status.ok() && refused.ok() && config_.high_watermark_is_flushed) UpdateHighWatermarkLocked();
  CheckInvariantsLocked();
  mu_.Unlock();
  if (reached) return absl::OkStatus();  // (Close may have flushed it)
  if (!refused.ok()) return refused;
  if (!result.ok()) return result;
  return SyncTo(offset);  // a truncation raced with this round; go again
}

absl::Status Partition::Impl::Flush() {
  DataListenerNotifier notifier(this);
  RETURN_IF_ERROR(SyncTo(log_end_offset()));
  MutexLock lock(&mu_);
  RETURN_IF_ERROR(CheckWritableLocked());
  if (absl::Status s = segments()->active()->Flush(); !s.ok()) {
    FailLocked(s);
    return s;
  }
  CheckInvariantsLocked();
  return self_managed() ? WriteCheckpointsLocked() : absl::OkStatus();
}

absl::Status Partition::Impl::MaybeFlush() {
  {
    MutexLock lock(&mu_);
    RETURN_IF_ERROR(CheckWritableLocked());
    const bool unflushed = log_end_offset() > recovery_point();
    if (!unflushed || clock_->NowMillis() - last_flush_ms_ < config_.flush_ms) return absl::OkStatus();
  }
  return Flush();
}

}  // namespace seglog

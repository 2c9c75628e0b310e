// Partition: retention (Kafka's deleteOldSegments), DeleteRecords (log start offset) and TruncateTo.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "seglog/partition.h"
#include "storage/partition_impl.h"
#include "storage/partition_internal.h"
#include "util/status_macros.h"

namespace seglog {

size_t Partition::Impl::DeletableSegmentsLocked(const SegmentList& list, int64_t now_ms,
                                                bool by_start_offset_only) const {
  mu_.AssertHeld();
  const size_t n = list.segments.size();
  const int64_t hw = high_watermark();
  const int64_t end = log_end_offset();
  const int64_t start = log_start_offset();
  // Segments are deletable oldest first; the first that is not stops the walk. A segment goes only once
  // the high watermark has passed all of it; the last segment goes only if it holds data (it is rolled).
  auto upper = [&](size_t i) { return i + 1 < n ? list.segments[i + 1]->base_offset() : end; };
  auto walk = [&](auto&& predicate) {
    size_t count = 0;
    while (count < n && hw >= upper(count) && predicate(count)) {
      if (count + 1 == n && list.segments[count]->size() == 0) break;
      ++count;
    }
    return count;
  };
  // Kafka's order: log start offset breach, then size, then time (KAFKA-12177).
  size_t count = walk([&](size_t i) { return upper(i) <= start; });
  if (count > 0 || by_start_offset_only) return count;
  if (config_.retention_bytes >= 0) {
    int64_t total = 0;
    for (const auto& s : list.segments) total += static_cast<int64_t>(s->size());
    int64_t diff = total - config_.retention_bytes;
    count = walk([&](size_t i) {
      const auto size = static_cast<int64_t>(list.segments[i]->size());
      if (diff - size < 0) return false;
      diff -= size;
      return true;
    });
    if (count > 0) return count;
  }
  if (config_.retention_ms >= 0) {
    count = walk([&](size_t i) {
      const int64_t largest = list.segments[i]->max_timestamp().timestamp;
      return largest >= 0 && now_ms - largest > config_.retention_ms;
    });
  }
  return count;
}

absl::StatusOr<RetentionResult> Partition::Impl::DeleteSegmentsLocked(size_t count) {
  mu_.AssertHeld();
  RetentionResult result;
  result.log_start_offset = log_start_offset();
  if (count == 0) return result;
  std::shared_ptr<const SegmentList> list = segments();
  if (count == list->segments.size()) {
    // Every segment goes, the active one included: roll first so one (empty) segment always remains.
    RETURN_IF_ERROR(RollLocked());
    list = segments();
  }
  auto kept = std::make_shared<SegmentList>();
  kept->segments.assign(list->segments.begin() + static_cast<ptrdiff_t>(count), list->segments.end());
  const int64_t new_start = std::max(log_start_offset(), kept->segments.front()->base_offset());
  log_start_offset_.store(new_start, std::memory_order_seq_cst);
  PublishSegmentsLocked(kept);
  result.log_start_offset = new_start;
  // Readers holding the old list keep their segments (open descriptors and mappings outlive the names).
  absl::Status status;
  for (size_t i = 0; i < count; ++i) {
    result.bytes_deleted += list->segments[i]->size();
    ++result.segments_deleted;
    status.Update(list->segments[i]->Delete());
  }
  // Deleted for good: a crash must not bring the segments back and move the log start backwards.
  if (status.ok()) status = fs_->SyncDir(dir_);
  CheckInvariantsLocked();
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<RetentionResult> Partition::Impl::EnforceRetention() {
  MutexLock lock(&mu_);
  RETURN_IF_ERROR(CheckWritableLocked());
  RETURN_IF_ERROR(DrainLocked());
  // DeletableSegmentsLocked answers for the first rule that deletes anything; asking again applies the
  // later rules to what is left, so one call does what Kafka's deleteOldSegments does (all three rules in
  // turn). Each round deletes at least one segment, and the last (empty) segment never goes.
  const int64_t now = clock_->NowMillis();
  RetentionResult total;
  total.log_start_offset = log_start_offset();
  while (const size_t count = DeletableSegmentsLocked(*segments(), now, /*by_start_offset_only=*/false)) {
    ASSIGN_OR_RETURN(RetentionResult round, DeleteSegmentsLocked(count));
    total.segments_deleted += round.segments_deleted;
    total.bytes_deleted += round.bytes_deleted;
    total.log_start_offset = round.log_start_offset;
  }
  return total;
}

absl::Status Partition::Impl::DeleteRecordsBefore(int64_t offset) {
  MutexLock lock(&mu_);
  RETURN_IF_ERROR(CheckWritableLocked());
  const int64_t hw = high_watermark();
  if (offset > hw) {
    return absl::OutOfRangeError(absl::StrCat("delete records of ", dir_, " before offset ", offset,
                                              ": past the high watermark ", hw));
  }
  if (offset <= log_start_offset()) return absl::OkStatus();
  log_start_offset_.store(offset, std::memory_order_seq_cst);
  CheckInvariantsLocked();
  if (self_managed()) {
    if (absl::Status s = WriteCheckpointsLocked(); !s.ok()) {
      FailLocked(s);
      return s;
    }
  }
  const size_t count = DeletableSegmentsLocked(*segments(), clock_->NowMillis(), /*by_start_offset_only=*/true);
  return DeleteSegmentsLocked(count).status();
}

absl::Status Partition::Impl::TruncateTo(int64_t offset) {
  DataListenerNotifier notifier(this);  // after the append mutex is released
  MutexLock lock(&mu_);
  RETURN_IF_ERROR(CheckWritableLocked());
  if (offset < 0) return absl::InvalidArgumentError(absl::StrCat("truncate ", dir_, " to negative offset ", offset));
  RETURN_IF_ERROR(DrainLocked());
  if (offset >= log_end_offset()) return absl::OkStatus();
  std::shared_ptr<const SegmentList> list = segments();
  // A batch is never split: the one holding `offset` goes whole, so the log then ends at its base offset.
  int64_t end = offset;
  if (offset > list->segments.front()->base_offset()) {
    ASSIGN_OR_RETURN(std::optional<BatchPosition> holder,
                     list->segments[list->Floor(offset)]->TranslateOffset(offset));
    if (holder && holder->base_offset < offset) end = holder->base_offset;
  }
  // Nothing at or after the log start survives: the log restarts empty at the log start (or at `offset`,
  // below it).
  const bool restart = end < log_start_offset() || end <= list->segments.front()->base_offset();
  if (restart) end = std::min(offset, log_start_offset());
  // An fsync round that began before this truncation must not move the recovery point past it.
  group_commit_.Exclusive([&] {
    truncations_.fetch_add(1, std::memory_order_seq_cst);
    recovery_point_.store(std::min(recovery_point(), end), std::memory_order_seq_cst);
  });
  // The lower recovery point reaches the disk before the cut does: a crash in between must not leave a
  // checkpoint above the log's end, which the next open would take for lost fsynced data (kDataLoss).
  if (self_managed()) {
    if (absl::Status s = WriteCheckpointsLocked(); !s.ok()) {
      FailLocked(s);
      return s;
    }
  }
  auto kept = std::make_shared<SegmentList>();
  std::vector<std::shared_ptr<Segment>> dropped;
  absl::Status status;
  if (restart) {
    // Nothing of the log survives: start afresh at `end` (Kafka's truncateFullyAndStartAt).
    dropped = list->segments;
    absl::StatusOr<std::shared_ptr<Segment>> fresh;
    // A segment of that name may be among those dropped; delete first.
    for (const auto& s : dropped) status.Update(s->Delete());
    if (status.ok()) fresh = OpenSegmentLocked(end, /*create=*/true);
    if (status.ok() && !fresh.ok()) status = fresh.status();
    if (status.ok()) {
      kept->segments.push_back(*std::move(fresh));
      log_start_offset_.store(end, std::memory_order_seq_cst);
    }
    dropped.clear();
  } else {
    const size_t holder = list->Floor(end);
    kept->segments.assign(list->segments.begin(), list->segments.begin() + static_cast<ptrdiff_t>(holder) + 1);
    dropped.assign(list->segments.begin() + static_cast<ptrdiff_t>(holder) + 1, list->segments.end());
    Segment& segment = *kept->segments.back();
    absl::StatusOr<uint64_t> removed = segment.TruncateTo(end);
    status = removed.status();
    // Segment::TruncateTo takes the segment's largest timestamp from its last time-index entry, which misses
    // the records after that entry (time lookups would skip them and retention judge the segment by an
    // older timestamp); a scan of what remains restores it, rebuilding the indexes on the way.
    if (status.ok()) status = segment.Recover(/*required_offset=*/end).status();
    if (status.ok()) status = segment.ResizeIndexes();  // it may have been rolled (indexes trimmed)
    if (status.ok()) status = segment.Flush();          // the shorter log must stay short after a crash
  }
  if (!status.ok()) {
    FailLocked(status);
    return status;
  }
  PublishSegmentsLocked(kept);
  for (const auto& s : dropped) status.Update(s->Delete());
  // The removed segments must stay removed: once the log grows back to a removed segment's base offset, a
  // crash that restored it would splice its stale records onto the log.
  if (status.ok() && !dropped.empty()) status = fs_->SyncDir(dir_);
  log_end_offset_.store(end, std::memory_order_seq_cst);
  written_end_.store(end, std::memory_order_seq_cst);
  UpdateHighWatermarkLocked();
  // The truncated batches' producer state goes with them; what the producers appended before stays. A
  // producer that lost every batch it had in the table is rebuilt from the log by the next idempotent append.
  if (producer_state_loaded_ && producer_state_->TruncateTo(end)) {
    producer_state_->Clear();
    producer_state_loaded_ = false;
  }
  CheckInvariantsLocked();
  if (status.ok() && self_managed()) status = WriteCheckpointsLocked();
  if (!status.ok()) FailLocked(status);
  return status;
}

}  // namespace seglog

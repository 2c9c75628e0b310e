// Partition::Impl: the read path (zero-copy slices, waiting for data, timestamp lookup) and data listeners.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "seglog/partition.h"
#include "storage/partition_impl.h"
#include "storage/partition_internal.h"
#include "util/status_macros.h"

namespace seglog {

// ---------------------------------------------------------------------------------------------------------
// Data listeners.

uint64_t Partition::Impl::AddDataListener(std::function<void()> listener) {
  WriterMutexLock lock(&listeners_mu_);
  const uint64_t id = next_listener_id_++;
  listeners_.emplace(id, std::move(listener));
  listener_count_.fetch_add(1, std::memory_order_seq_cst);
  return id;
}

void Partition::Impl::RemoveDataListener(uint64_t id) {
  // Exclusive: waits for every running listener (they hold the lock shared).
  WriterMutexLock lock(&listeners_mu_);
  if (listeners_.erase(id) > 0) listener_count_.fetch_sub(1, std::memory_order_seq_cst);
}

void Partition::Impl::NotifyDataListeners() {
  ReaderMutexLock lock(&listeners_mu_);
  for (const auto& [id, listener] : listeners_) listener();
}

// ---------------------------------------------------------------------------------------------------------
// Reading.

absl::StatusOr<ReadResult> Partition::Impl::Read(int64_t offset, const ReadOptions& options) const {
  if (closed_flag_.load(std::memory_order_acquire)) {
    return absl::FailedPreconditionError(absl::StrCat("partition ", dir_, " is closed"));
  }
  for (int attempt = 0;; ++attempt) {
    ReadResult result;
    result.log_start_offset = log_start_offset();
    result.high_watermark = high_watermark();
    result.log_end_offset = log_end_offset();
    result.next_offset = offset;
    const int64_t written = written_end_.load(std::memory_order_acquire);
    // Loaded after the offsets: a roll publishes the new segment before writing to it, and retention moves
    // the log start before dropping segments, so this list holds everything below `written`...
    std::shared_ptr<const SegmentList> list = segments();
    // ...and if retention ran in between, an offset below the list's first segment is gone.
    result.log_start_offset = std::max(result.log_start_offset, list->segments.front()->base_offset());
    if (offset < result.log_start_offset || offset > result.log_end_offset) {
      return absl::OutOfRangeError(absl::StrCat("read ", dir_, " at offset ", offset, ": outside [log start ",
                                                result.log_start_offset, ", log end ", result.log_end_offset, "]"));
    }
    const int64_t bound = options.up_to_log_end ? result.log_end_offset : result.high_watermark;
    if (offset >= bound) return result;
    if (offset >= written) {
      // The data is still in the append buffer: write it out, then read it from the file.
      if (attempt > 0) return result;
      RETURN_IF_ERROR(DrainForRead());
      continue;
    }
    for (size_t i = list->Floor(offset); i < list->segments.size(); ++i) {
      const std::shared_ptr<Segment>& segment = list->segments[i];
      ASSIGN_OR_RETURN(Segment::Slice slice,
                       segment->Read(offset, options.max_bytes, std::min(bound, written), options.min_one_batch));
      if (slice.length == 0) {
        // Either no batch of this segment reaches `offset` (the next segment has it) or the batch holding it
        // is at the bound or, without min_one_batch, larger than max_bytes: then the read is empty.
        if (slice.holds_offset) return result;
        continue;
      }
      result.bytes = slice.bytes;
      result.file = {segment->log_fd(), slice.position, slice.length};
      result.next_offset = slice.next_offset;
      struct Pin {
        std::shared_ptr<Segment> segment;
        std::shared_ptr<const void> bytes;
      };
      result.pin = std::make_shared<Pin>(Pin{segment, std::move(slice.pin)});
      return result;
    }
    return result;
  }
}

absl::Status Partition::Impl::WaitForData(int64_t offset, absl::Time deadline, bool up_to_log_end) const {
  auto ready = [&] { return (up_to_log_end ? log_end_offset() : high_watermark()) > offset; };
  MutexLock lock(&data_mu_);
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  absl::Status status;
  while (!ready()) {
    if (closed_flag_.load(std::memory_order_seq_cst)) {
      status = absl::FailedPreconditionError(absl::StrCat("partition ", dir_, " closed while waiting"));
      break;
    }
    if (clock_->WaitWithDeadline(&data_cv_, &data_mu_, deadline) && !ready()) {
      status = absl::DeadlineExceededError(
          absl::StrCat("no data at offset ", offset, " of ", dir_, " before the deadline"));
      break;
    }
  }
  waiters_.fetch_sub(1, std::memory_order_seq_cst);
  return status;
}

absl::StatusOr<std::optional<TimestampAndOffset>> Partition::Impl::OffsetForTimestamp(int64_t timestamp) const {
  if (closed_flag_.load(std::memory_order_acquire)) {
    return absl::FailedPreconditionError(absl::StrCat("partition ", dir_, " is closed"));
  }
  std::shared_ptr<const SegmentList> list = segments();
  const int64_t start = log_start_offset();
  const int64_t hw = high_watermark();
  if (hw > written_end_.load(std::memory_order_acquire)) RETURN_IF_ERROR(DrainForRead());
  for (const std::shared_ptr<Segment>& segment : list->segments) {
    if (segment->max_timestamp().timestamp < timestamp) continue;  // Kafka skips by largest timestamp
    ASSIGN_OR_RETURN(std::optional<TimestampAndOffset> found, segment->FindOffsetByTimestamp(timestamp, start));
    if (found) {
      if (found->offset >= hw) return std::optional<TimestampAndOffset>();
      return found;
    }
  }
  return std::optional<TimestampAndOffset>();
}

}  // namespace seglog

// Partition::Impl::CheckInvariantsLocked: the offsets and the segment list, asserted wherever they move
// (doc/design/overview.md). Only built into CheckInvariantsLocked without NDEBUG (Debug and the sanitizer presets).
#include <cassert>

#include "storage/partition_impl.h"
#include "storage/partition_internal.h"

namespace seglog {

void Partition::Impl::CheckInvariantsNowLocked() const {
  mu_.AssertHeld();
  const int64_t start = log_start_offset();
  const int64_t hw = high_watermark();
  const int64_t end = log_end_offset();
  assert(start <= hw && "log_start_offset <= high_watermark");
  assert(hw <= end && "high_watermark <= log_end_offset");
  assert(recovery_point() <= end && "recovery_point <= log_end_offset");
  assert(written_end_.load() <= end && "written_end <= log_end_offset");
  const std::shared_ptr<const SegmentList> list = segments();
  if (list == nullptr) return;  // not open yet
  assert(!list->segments.empty() && "an open partition has a segment");
  for (size_t i = 1; i < list->segments.size(); ++i) {
    assert(list->segments[i - 1]->base_offset() < list->segments[i]->base_offset() &&
           "segments strictly ordered by base offset");
  }
  assert(list->segments.back()->base_offset() <= end && "the active segment starts at or below the log end");
  assert(active_ == list->segments.back().get() && "the active segment is the last");
  (void)start, (void)hw, (void)end;
}

}  // namespace seglog

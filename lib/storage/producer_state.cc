// Idempotent-producer state: the table's checks (Kafka's ProducerAppendInfo / ProducerStateEntry rules) and
// the partition's use of it (checking an append, rebuilding the table from the log).
#include "storage/producer_state.h"

#include <algorithm>
#include <limits>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "seglog/partition.h"
#include "storage/partition_impl.h"
#include "storage/partition_internal.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace seglog {
namespace internal {

const ProducerStateTable::Entry* ProducerStateTable::Find(int64_t producer_id) const {
  auto it = entries_.find(producer_id);
  return it == entries_.end() ? nullptr : &it->second;
}

absl::StatusOr<std::vector<std::optional<ProducerBatchPlace>>> ProducerStateTable::Check(
    absl::Span<const ProducerBatchId> batches, std::string_view what) const {
  // The state as the earlier batches of this call would leave it: producer id -> (epoch, last sequence).
  struct Staged {
    int64_t producer_id;
    int16_t epoch;
    int32_t last_sequence;
  };
  std::vector<Staged> staged;
  std::vector<std::optional<ProducerBatchPlace>> result(batches.size());
  for (size_t i = 0; i < batches.size(); ++i) {
    const ProducerBatchId& b = batches[i];
    if (!b.idempotent()) continue;
    const Entry* entry = Find(b.producer_id);
    // A retry of one of the producer's last batches (same epoch and sequences) is a duplicate.
    if (entry != nullptr && entry->epoch == b.epoch) {
      auto dup = std::find_if(entry->batches.begin(), entry->batches.end(), [&](const Batch& m) {
        return m.first_sequence == b.first_sequence && m.last_sequence == b.last_sequence;
      });
      if (dup != entry->batches.end()) {
        result[i] = dup->place;
        continue;
      }
    }
    auto stage =
        std::find_if(staged.begin(), staged.end(), [&](const Staged& s) { return s.producer_id == b.producer_id; });
    std::optional<Staged> current;
    if (stage != staged.end()) {
      current = *stage;
    } else if (entry != nullptr) {
      current = Staged{b.producer_id, entry->epoch, entry->batches.back().last_sequence};
    }
    // An unknown producer (never seen, or its batches are older than the scanned segments) may start at any
    // sequence, as in Kafka.
    if (current) {
      if (b.epoch < current->epoch) {
        return absl::AbortedError(absl::StrCat(Sv(what), ": producer ", b.producer_id, " is fenced: its epoch ",
                                               b.epoch, " is older than the partition's epoch ", current->epoch));
      }
      if (b.epoch > current->epoch) {
        if (b.first_sequence != 0) {
          return absl::InvalidArgumentError(absl::StrCat(Sv(what), ": out of order sequence for producer ",
                                                         b.producer_id, ": new epoch ", b.epoch,
                                                         " must start at sequence 0, found ", b.first_sequence));
        }
      } else if (const int32_t expected = IncrementSequence(current->last_sequence, 1); b.first_sequence != expected) {
        return absl::InvalidArgumentError(absl::StrCat(Sv(what), ": out of order sequence for producer ", b.producer_id,
                                                       " epoch ", b.epoch, ": expected sequence ", expected, ", found ",
                                                       b.first_sequence));
      }
    }
    const Staged next{b.producer_id, b.epoch, b.last_sequence};
    if (stage != staged.end()) {
      *stage = next;
    } else {
      staged.push_back(next);
    }
  }
  return result;
}

void ProducerStateTable::Record(const ProducerBatchId& id, const ProducerBatchPlace& place) {
  if (!id.idempotent()) return;
  Entry& entry = entries_[id.producer_id];
  if (entry.batches.empty() || entry.epoch != id.epoch) {
    entry.epoch = id.epoch;
    entry.batches.clear();
  }
  entry.batches.push_back({id.first_sequence, id.last_sequence, place});
  if (entry.batches.size() > kBatchesPerProducer) entry.batches.pop_front();
}

bool ProducerStateTable::TruncateTo(int64_t end) {
  bool emptied = false;
  for (auto it = entries_.begin(); it != entries_.end();) {
    std::deque<Batch>& batches = it->second.batches;
    while (!batches.empty() && batches.back().place.base_offset >= end) batches.pop_back();
    emptied = emptied || batches.empty();
    it = batches.empty() ? entries_.erase(it) : std::next(it);
  }
  return emptied;
}

}  // namespace internal

absl::Status Partition::Impl::CheckProducersLocked(const PendingAppend& pending, AppendResult* result, bool* duplicate) {
  mu_.AssertHeld();
  *duplicate = false;
  absl::InlinedVector<internal::ProducerBatchId, 1> ids;
  ids.reserve(pending.batches.size());
  bool idempotent = false;
  for (const PendingAppend::Batch& b : pending.batches) {
    ids.push_back(b.producer);
    idempotent = idempotent || b.producer.idempotent();
  }
  if (!idempotent) return absl::OkStatus();
  if (!producer_state_loaded_) {
    RETURN_IF_ERROR(RebuildProducerStateLocked());
    producer_state_loaded_ = true;
  }
  ASSIGN_OR_RETURN(std::vector<std::optional<internal::ProducerBatchPlace>> places,
                   producer_state_->Check(ids, absl::StrCat("append to ", dir_)));
  const size_t duplicates =
      static_cast<size_t>(std::count_if(places.begin(), places.end(), [](const auto& p) { return p.has_value(); }));
  if (duplicates == 0) return absl::OkStatus();
  if (duplicates != places.size()) {
    return absl::InvalidArgumentError(absl::StrCat("append to ", dir_, ": ", duplicates, " of the ", places.size(),
                                                   " batches repeat batches already appended; a call must be all "
                                                   "retries or all new batches"));
  }
  *duplicate = true;
  AppendResult r{.base_offset = places.front()->base_offset, .last_offset = places.back()->last_offset};
  r.max_timestamp = -1;
  for (const auto& p : places) {
    r.max_timestamp = std::max(r.max_timestamp, p->max_timestamp);
    r.records += p->last_offset - p->base_offset + 1;
  }
  if (config_.timestamp_type == TimestampType::kLogAppendTime) r.log_append_time = r.max_timestamp;
  r.bytes = 0;
  r.duplicate = true;
  *result = r;
  return absl::OkStatus();
}

void Partition::Impl::RecordProducersLocked(const PendingAppend& pending, int64_t base_offset) {
  mu_.AssertHeld();
  // Until the first idempotent append loads the state, only batches it need not know of are appended.
  if (!producer_state_loaded_) return;
  int64_t next = base_offset;
  for (const PendingAppend::Batch& b : pending.batches) {
    const int64_t last = next + b.last_offset_delta;
    producer_state_->Record(b.producer, {.base_offset = next, .last_offset = last, .max_timestamp = b.max_timestamp});
    next = last + 1;
  }
}

absl::Status Partition::Impl::RebuildProducerStateLocked() {
  mu_.AssertHeld();
  producer_state_->Clear();
  if (producer_state_segments_ <= 0) return absl::OkStatus();
  std::shared_ptr<const SegmentList> list = segments();
  const size_t n = list->segments.size();
  const size_t count = std::min(n, static_cast<size_t>(producer_state_segments_));
  for (size_t i = n - count; i < n; ++i) {
    const Segment& segment = *list->segments[i];
    if (segment.size() == 0) continue;
    ASSIGN_OR_RETURN(Segment::Slice slice, segment.Read(segment.base_offset(), static_cast<size_t>(segment.size()),
                                                        std::numeric_limits<int64_t>::max(), /*min_one_batch=*/true));
    // Whole batches, validated by recovery (or written by this process): only the headers are read.
    std::string_view bytes = slice.bytes;
    while (bytes.size() >= batch_format::kHeaderSize) {
      ASSIGN_OR_RETURN(const BatchHeader h, DecodeBatchHeader(bytes));
      const size_t size = h.size_in_bytes();
      if (size < batch_format::kHeaderSize || size > bytes.size()) {
        return absl::DataLossError(absl::StrCat(segment.log_path(), ": batch at offset ", h.base_offset, " of ", size,
                                                " bytes runs past the end while rebuilding producer state"));
      }
      producer_state_->Record(
          internal::ProducerBatchId::Of(h),
          {.base_offset = h.base_offset, .last_offset = h.last_offset(), .max_timestamp = h.max_timestamp});
      bytes.remove_prefix(size);
    }
  }
  return absl::OkStatus();
}

}  // namespace seglog

// Segment: Kafka's LogSegment over a FileSystem (append, offset translation, recovery, truncation, roll).
#include "seglog/segment.h"

#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"
#include "seglog/batch_view.h"
#include "seglog/log_files.h"
#include "seglog/record_batch.h"
#include "storage/log_reader.h"
#include "util/coding.h"
#include "util/status_macros.h"

namespace seglog {

namespace bf = batch_format;

Segment::Segment(FileSystem* fs, std::string dir, int64_t base_offset, const SegmentConfig& config,
                 int64_t created_ms, int64_t roll_jitter_ms)
    : fs_(fs),
      dir_(std::move(dir)),
      base_offset_(base_offset),
      config_(config),
      created_ms_(created_ms),
      roll_jitter_ms_(roll_jitter_ms),
      log_path_(JoinPath(dir_, SegmentFileName(base_offset, kLogSuffix))) {}

Segment::~Segment() {
  if (!closed_) (void)Close();
  if (log_ != nullptr) (void)log_->Close();
}

absl::StatusOr<std::unique_ptr<Segment>> Segment::Open(FileSystem* fs, const std::string& dir, int64_t base_offset,
                                                      const SegmentConfig& config, int64_t created_ms,
                                                      int64_t roll_jitter_ms, bool rebuild_indexes) {
  if (base_offset < 0) return absl::InvalidArgumentError(absl::StrCat("negative segment base offset ", base_offset));
  std::unique_ptr<Segment> s(new Segment(fs, dir, base_offset, config, created_ms, roll_jitter_ms));
  ASSIGN_OR_RETURN(s->log_, fs->OpenFile(s->log_path_, {.create = true}));
  ASSIGN_OR_RETURN(const uint64_t size, s->log_->Size());
  s->size_.store(size, std::memory_order_release);

  bool rebuild = false;
  auto open_index = [&](std::string_view suffix, IndexKind kind) -> absl::StatusOr<std::unique_ptr<SparseIndex>> {
    const std::string path = JoinPath(dir, SegmentFileName(base_offset, suffix));
    ASSIGN_OR_RETURN(const bool exists, fs->Exists(path));
    if (!exists && size > 0) rebuild = true;  // Kafka's real segments come without indexes, for one
    auto index = SparseIndex::Open(fs, path, kind, base_offset, config.segment_index_bytes);
    if (index.ok() && (*index)->SanityCheck().ok()) return index;
    if (index.ok() || index.status().code() == absl::StatusCode::kDataLoss) {
      // A partial or inconsistent index is derived data: start it afresh and rebuild from the log.
      rebuild = true;
      RETURN_IF_ERROR(fs->RemoveFile(path));
      return SparseIndex::Open(fs, path, kind, base_offset, config.segment_index_bytes);
    }
    return index.status();
  };
  ASSIGN_OR_RETURN(s->offset_index_, open_index(kIndexSuffix, IndexKind::kOffset));
  ASSIGN_OR_RETURN(s->time_index_, open_index(kTimeIndexSuffix, IndexKind::kTime));

  if (rebuild && rebuild_indexes) {
    RETURN_IF_ERROR(s->Recover().status());
  } else if (rebuild) {
    s->needs_recovery_ = true;
  } else if (size > 0) {
    const IndexEntry last_time = s->time_index_->last_entry();
    s->ObserveTimestamp(last_time.key, last_time.value);
    s->bytes_since_last_index_entry_ = size - static_cast<uint64_t>(s->offset_index_->last_entry().value);
    std::string first;  // segment.ms counts from the first batch's MaxTimestamp
    RETURN_IF_ERROR(s->ReadAt(0, bf::kHeaderSize, &first).status());
    if (absl::StatusOr<BatchHeader> h = DecodeBatchHeader(first); h.ok()) {
      s->rolling_based_timestamp_.store(h->max_timestamp, std::memory_order_release);
    }
  }
  return s;
}

void Segment::ObserveTimestamp(int64_t max_timestamp, int64_t offset) {
  if (max_timestamp > max_timestamp_.load(std::memory_order_relaxed)) {
    offset_of_max_timestamp_.store(offset, std::memory_order_relaxed);
    max_timestamp_.store(max_timestamp, std::memory_order_release);
  }
}

TimestampAndOffset Segment::max_timestamp() const {
  const int64_t ts = max_timestamp_.load(std::memory_order_acquire);
  return {ts, ts < 0 ? base_offset_ : offset_of_max_timestamp_.load(std::memory_order_relaxed)};
}

int Segment::log_fd() const { return log_ == nullptr ? -1 : log_->NativeHandle(); }

absl::Status Segment::MaybeIndexLocked(uint64_t position, int64_t last_offset) {
  if (bytes_since_last_index_entry_ > config_.index_interval_bytes) {
    RETURN_IF_ERROR(offset_index_->Append(last_offset, static_cast<int64_t>(position)));
    const TimestampAndOffset max = max_timestamp();
    RETURN_IF_ERROR(time_index_->MaybeAppendTime(max.timestamp, max.offset));
    bytes_since_last_index_entry_ = 0;
  }
  return absl::OkStatus();
}

absl::Status Segment::Append(std::string_view batches, const AppendInfo& info) {
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("segment ", log_path_, " is closed"));
  if (!offset_index_->CanAppendOffset(info.last_offset)) {
    return absl::InvalidArgumentError(absl::StrCat("segment ", log_path_, ": offset ", info.last_offset,
                                                   " is not within 2^31-1 of base offset ", base_offset_));
  }
  const uint64_t position = size();
  if (position + batches.size() > UINT32_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("segment ", log_path_, ": appending ", batches.size(), " bytes at ", position,
                     " would pass the 4 GiB a uint32 index position can address"));
  }
  if (bytes_since_last_index_entry_ > config_.index_interval_bytes &&
      (offset_index_->IsFull() || time_index_->IsFull())) {
    // Checked before writing so a refused append leaves the log untouched (ShouldRoll prevents this).
    return absl::ResourceExhaustedError(absl::StrCat("segment ", log_path_, ": index full; roll first"));
  }
  if (position == 0) rolling_based_timestamp_.store(info.max_timestamp, std::memory_order_release);
  RETURN_IF_ERROR(log_->Append(batches));
  ObserveTimestamp(info.max_timestamp, info.offset_of_max_timestamp);
  RETURN_IF_ERROR(MaybeIndexLocked(position, info.last_offset));
  bytes_since_last_index_entry_ += batches.size();
  size_.store(position + batches.size(), std::memory_order_release);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const FileRegion>> Segment::RegionCovering(uint64_t end) const {
  {
    ReaderMutexLock lock(&region_mu_);
    if (region_ != nullptr && region_->length() >= end) return region_;
  }
  WriterMutexLock lock(&region_mu_);
  if (region_ != nullptr && region_->length() >= end) return region_;
  if (log_ == nullptr) return absl::FailedPreconditionError(absl::StrCat("segment ", log_path_, " is closed"));
  const uint64_t reserve = active_.load(std::memory_order_acquire) ? static_cast<uint64_t>(config_.segment_bytes) : 0;
  ASSIGN_OR_RETURN(std::shared_ptr<const FileRegion> region, log_->MapForRead(std::max(end, reserve)));
  if (region->length() < end) {
    return absl::InternalError(absl::StrCat(log_path_, ": a mapping of ", end, " bytes covers only ",
                                            region->length()));
  }
  region_ = region;
  return region;
}

void Segment::DropRegion() {
  WriterMutexLock lock(&region_mu_);
  region_ = nullptr;
}

absl::StatusOr<Segment::LogView> Segment::View() const {
  LogView view;
  view.end = size();
  if (view.end == 0) return view;
  ASSIGN_OR_RETURN(view.region, RegionCovering(view.end));
  return view;
}

std::optional<BatchPosition> Segment::BatchAt(const LogView& view, uint64_t position) {
  constexpr size_t kNeed = bf::kLastOffsetDeltaOffset + 4;
  if (view.end < position + kNeed) return std::nullopt;
  const char* header = view.region->data() + position;
  const auto length = static_cast<int32_t>(internal::LoadBigEndian32(header + bf::kLengthOffset));
  const uint64_t batch_size = bf::kLogOverhead + static_cast<uint64_t>(std::max(length, 0));
  if (length < static_cast<int32_t>(bf::kHeaderSize - bf::kLogOverhead) || position + batch_size > view.end) {
    return std::nullopt;
  }
  BatchPosition p;
  p.base_offset = static_cast<int64_t>(internal::LoadBigEndian64(header + bf::kBaseOffsetOffset));
  const auto delta = static_cast<int32_t>(internal::LoadBigEndian32(header + bf::kLastOffsetDeltaOffset));
  // Not a batch of this log either: one whose offsets run backwards or reach INT64_MAX (callers compute
  // last_offset + 1; offsets stop at INT64_MAX - 1).
  if (delta < 0 || p.base_offset > INT64_MAX - 1 - delta) return std::nullopt;
  p.last_offset = p.base_offset + delta;
  p.position = position;
  p.size = static_cast<uint32_t>(batch_size);
  return p;
}

std::optional<BatchPosition> Segment::Translate(const LogView& view, int64_t offset, uint64_t start_position) const {
  uint64_t position = std::max<uint64_t>(start_position, static_cast<uint64_t>(offset_index_->Lookup(offset).value));
  while (true) {
    std::optional<BatchPosition> batch = BatchAt(view, position);
    if (!batch || batch->last_offset >= offset) return batch;
    position += batch->size;
  }
}

absl::StatusOr<std::optional<BatchPosition>> Segment::TranslateOffset(int64_t offset, uint64_t start_position) const {
  ASSIGN_OR_RETURN(const LogView view, View());
  return Translate(view, offset, start_position);
}

absl::StatusOr<size_t> Segment::ReadAt(uint64_t position, size_t max_bytes, std::string* out) const {
  if (log_ == nullptr) return absl::FailedPreconditionError(absl::StrCat("segment ", log_path_, " is closed"));
  const uint64_t end = size();
  if (position >= end) return size_t{0};
  const size_t n = static_cast<size_t>(std::min<uint64_t>(max_bytes, end - position));
  const size_t at = out->size();
  out->resize(at + n);
  ASSIGN_OR_RETURN(const size_t got, log_->ReadAt(position, absl::MakeSpan(out->data() + at, n)));
  out->resize(at + got);
  return got;
}

absl::StatusOr<RecoveryResult> Segment::Recover(int64_t required_offset) {
  // Like Kafka's index reset(): empty, and back to full capacity (a trimmed index has no room left).
  RETURN_IF_ERROR(offset_index_->Reset());
  RETURN_IF_ERROR(time_index_->Reset());
  RETURN_IF_ERROR(ResizeIndexes());
  max_timestamp_.store(-1, std::memory_order_release);
  offset_of_max_timestamp_.store(base_offset_, std::memory_order_release);
  rolling_based_timestamp_.store(-1, std::memory_order_release);
  ASSIGN_OR_RETURN(const uint64_t file_size, log_->Size());

  RecoveryResult result;
  result.next_offset = base_offset_;
  internal::LogReader reader(log_.get(), file_size);
  uint64_t last_index_entry = 0;
  while (true) {
    absl::StatusOr<std::optional<BatchView>> next = reader.Next();
    if (!next.ok()) {
      result.stopped_by = next.status();
      break;
    }
    if (!next->has_value()) break;  // a clean end
    const BatchView& batch = **next;
    if (batch.base_offset() < result.next_offset || !offset_index_->CanAppendOffset(batch.last_offset()) ||
        batch.last_offset() == INT64_MAX) {  // offsets stop at INT64_MAX - 1: the next offset must exist
      result.stopped_by = absl::DataLossError(absl::StrCat(
          log_path_, " at byte ", reader.position() - batch.size_in_bytes(), ": batch offsets ", batch.base_offset(),
          "-", batch.last_offset(), " are out of order or outside the segment (expected >= ", result.next_offset, ")"));
      break;
    }
    const uint64_t position = result.valid_bytes;
    if (result.batches == 0) rolling_based_timestamp_.store(batch.header().max_timestamp, std::memory_order_release);
    ObserveTimestamp(batch.header().max_timestamp, batch.last_offset());
    // Appends index at most once per append (and roll when an index fills); recovery sees every batch, so
    // a rebuilt index may need more room than the segment had: it stays sparser rather than fail the open.
    if (position - last_index_entry > config_.index_interval_bytes && !offset_index_->IsFull() &&
        !time_index_->IsFull()) {
      RETURN_IF_ERROR(offset_index_->Append(batch.last_offset(), static_cast<int64_t>(position)));
      const TimestampAndOffset max = max_timestamp();
      RETURN_IF_ERROR(time_index_->MaybeAppendTime(max.timestamp, max.offset));
      last_index_entry = position;
    }
    result.valid_bytes += batch.size_in_bytes();
    result.next_offset = batch.last_offset() + 1;
    ++result.batches;
  }
  result.truncated_bytes = file_size - result.valid_bytes;
  if (result.next_offset < required_offset) {
    return absl::DataLossError(absl::StrCat(
        log_path_, ": fsynced data is damaged: the valid batches end at offset ", result.next_offset, " (byte ",
        result.valid_bytes, " of ", file_size, "), before offset ", required_offset, " that was flushed",
        result.stopped_by.ok() ? std::string() : absl::StrCat(" (", result.stopped_by.message(), ")")));
  }
  if (result.truncated_bytes > 0) {
    DropRegion();
    RETURN_IF_ERROR(log_->Truncate(result.valid_bytes));
  }
  needs_recovery_ = false;
  const TimestampAndOffset max = max_timestamp();
  if (max.timestamp >= 0) RETURN_IF_ERROR(time_index_->MaybeAppendTime(max.timestamp, max.offset, true));
  bytes_since_last_index_entry_ = result.valid_bytes - last_index_entry;
  size_.store(result.valid_bytes, std::memory_order_release);
  return result;
}

absl::StatusOr<uint64_t> Segment::TruncateTo(int64_t offset) {
  ASSIGN_OR_RETURN(std::optional<BatchPosition> at, TranslateOffset(offset));
  RETURN_IF_ERROR(offset_index_->TruncateTo(offset));
  RETURN_IF_ERROR(time_index_->TruncateTo(offset));
  if (!at) return uint64_t{0};
  const uint64_t removed = size() - at->position;
  size_.store(at->position, std::memory_order_release);
  DropRegion();  // readers holding the old mapping keep their bytes (the file detaches them)
  RETURN_IF_ERROR(log_->Truncate(at->position));
  if (at->position == 0) rolling_based_timestamp_.store(-1, std::memory_order_release);
  // Like Kafka: the largest timestamp is re-read from the time index's last entry.
  const IndexEntry last_time = time_index_->last_entry();
  max_timestamp_.store(last_time.key, std::memory_order_release);
  offset_of_max_timestamp_.store(last_time.value, std::memory_order_release);
  bytes_since_last_index_entry_ = 0;
  return removed;
}

absl::StatusOr<std::optional<TimestampAndOffset>> Segment::FindOffsetByTimestamp(int64_t timestamp,
                                                                                int64_t starting_offset) const {
  const IndexEntry time_entry = time_index_->Lookup(timestamp);
  const IndexEntry start = offset_index_->Lookup(std::max(time_entry.value, starting_offset));
  ASSIGN_OR_RETURN(const LogView view, View());
  uint64_t position = static_cast<uint64_t>(start.value);
  RecordReader records;
  while (true) {
    const std::optional<BatchPosition> at = BatchAt(view, position);
    if (!at) return std::optional<TimestampAndOffset>();
    position += at->size;
    const std::string_view bytes(view.region->data() + at->position, at->size);
    ASSIGN_OR_RETURN(BatchView batch, BatchView::ParseWithoutCrc(bytes));
    if (batch.header().max_timestamp < timestamp || batch.last_offset() < starting_offset) continue;
    RETURN_IF_ERROR(records.Reset(batch));
    RecordView r;
    while (records.Next(&r)) {
      if (r.timestamp >= timestamp && r.offset >= starting_offset) {
        return std::optional<TimestampAndOffset>(TimestampAndOffset{r.timestamp, r.offset});
      }
    }
    RETURN_IF_ERROR(records.status());
  }
}

bool Segment::ShouldRoll(const RollParams& p) const {
  const int64_t first = rolling_based_timestamp_.load(std::memory_order_acquire);
  const int64_t waited = first >= 0 ? p.max_timestamp_in_messages - first : p.now_ms - created_ms_;
  const auto bytes = static_cast<int64_t>(size());
  return bytes > p.max_segment_bytes - p.messages_size ||
         (bytes > 0 && waited > p.max_segment_ms - roll_jitter_ms_) || offset_index_->IsFull() ||
         time_index_->IsFull() || !offset_index_->CanAppendOffset(p.max_offset_in_messages);
}

absl::StatusOr<int64_t> Segment::ReadNextOffset() const {
  ASSIGN_OR_RETURN(const LogView view, View());
  uint64_t position = static_cast<uint64_t>(offset_index_->last_entry().value);
  int64_t next = base_offset_;
  while (true) {
    const std::optional<BatchPosition> at = BatchAt(view, position);
    if (!at) return next;
    next = at->last_offset + 1;
    position += at->size;
  }
}

absl::Status Segment::OnBecomeInactive() {
  MarkInactive();
  const TimestampAndOffset max = max_timestamp();
  if (max.timestamp >= 0) RETURN_IF_ERROR(time_index_->MaybeAppendTime(max.timestamp, max.offset, true));
  RETURN_IF_ERROR(offset_index_->TrimToEntries());
  return time_index_->TrimToEntries();
}

absl::Status Segment::ResizeIndexes() {
  RETURN_IF_ERROR(offset_index_->Resize(config_.segment_index_bytes));
  return time_index_->Resize(config_.segment_index_bytes);
}

absl::Status Segment::Flush() {
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("segment ", log_path_, " is closed"));
  RETURN_IF_ERROR(log_->Sync());
  RETURN_IF_ERROR(offset_index_->Sync());
  return time_index_->Sync();
}

absl::Status Segment::SyncLog() {
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("segment ", log_path_, " is closed"));
  return log_->Sync();
}

absl::Status Segment::Close() {
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("segment ", log_path_, " is closed"));
  closed_ = true;
  // An Open that failed part-way leaves the indexes it did not reach null.
  absl::Status status;
  if (offset_index_ != nullptr) status.Update(offset_index_->Close());
  if (time_index_ != nullptr) status.Update(time_index_->Close());
  return status;
}

absl::StatusOr<Segment::Slice> Segment::Read(int64_t offset, size_t max_bytes, int64_t bound_offset,
                                             bool min_one_batch) const {
  Slice slice;
  ASSIGN_OR_RETURN(const LogView view, View());
  const std::optional<BatchPosition> first = Translate(view, offset, 0);
  slice.holds_offset = first.has_value();
  if (!first || first->base_offset >= bound_offset) return slice;
  slice.position = first->position;
  for (std::optional<BatchPosition> at = first; at && at->base_offset < bound_offset;
       at = BatchAt(view, at->position + at->size)) {
    if (slice.length + at->size > max_bytes && !(slice.length == 0 && min_one_batch)) break;
    slice.length += at->size;
    slice.next_offset = at->last_offset + 1;
  }
  if (slice.length == 0) return slice;
  slice.bytes = std::string_view(view.region->data() + slice.position, slice.length);
  slice.pin = view.region;
  return slice;
}

absl::Status Segment::Delete() {
  if (deleted_) return absl::OkStatus();
  deleted_ = true;
  offset_index_->MarkDeleted();
  time_index_->MarkDeleted();
  absl::Status status;
  for (std::string_view suffix : {kLogSuffix, kIndexSuffix, kTimeIndexSuffix}) {
    const std::string path = JoinPath(dir_, SegmentFileName(base_offset_, suffix));
    const std::string deleted = absl::StrCat(path, std::string(kDeletedSuffix));
    absl::Status renamed = fs_->Rename(path, deleted);
    if (renamed.ok()) {
      status.Update(fs_->RemoveFile(deleted));
    } else if (renamed.code() != absl::StatusCode::kNotFound) {
      status.Update(renamed);
    }
  }
  return status;
}

}  // namespace seglog

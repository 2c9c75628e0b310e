// Partition: the append path (offset assignment, roll, append buffer, flush policy, group commit) and the
// read path (zero-copy slices, waiting for data, timestamp lookup). Opening and recovery live in
// partition_open.cc; retention and truncation in partition_retention.cc.
#include "seglog/partition.h"

#include <algorithm>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "seglog/batch_view.h"
#include "storage/partition_internal.h"
#include "util/coding.h"
#include "util/status_macros.h"

namespace seglog {

namespace bf = batch_format;

Partition::Partition(std::string dir, TopicPartition tp, const PartitionOptions& options)
    : dir_(std::move(dir)),
      topic_partition_(std::move(tp)),
      fs_(options.fs),
      clock_(options.clock != nullptr ? options.clock : SystemClock()),
      config_(options.config),
      given_checkpoint_(options.checkpoint),
      producer_state_segments_(options.producer_state_segments),
      builders_(std::make_unique<BuilderPool>()),
      producer_state_(std::make_unique<internal::ProducerStateTable>()) {}

Partition::~Partition() {
  bool closed = false;
  {
    MutexLock lock(&mu_);
    closed = closed_;
  }
  if (!closed) Close().IgnoreError();
}

std::shared_ptr<const Partition::SegmentList> Partition::segments() const {
  MutexLock lock(&segments_mu_);
  return segments_;
}

void Partition::PublishSegmentsLocked(std::shared_ptr<const SegmentList> list) {
  active_ = list->active().get();
  MutexLock lock(&segments_mu_);
  segments_ = std::move(list);
}

int Partition::num_segments() const { return static_cast<int>(segments()->segments.size()); }

uint64_t Partition::size_bytes() const {
  uint64_t total = 0;
  for (const auto& s : segments()->segments) total += s->size();
  return total;
}

std::vector<int64_t> Partition::segment_base_offsets() const {
  std::vector<int64_t> bases;
  for (const auto& s : segments()->segments) bases.push_back(s->base_offset());
  return bases;
}

PartitionCheckpoint Partition::checkpoint() const {
  MutexLock lock(&mu_);
  return {.clean_shutdown = closed_ && failed_.ok(),
          .recovery_point = recovery_point(),
          .log_start_offset = log_start_offset()};
}

// ---------------------------------------------------------------------------------------------------------
// Appending.

absl::Status Partition::CheckWritableLocked() const {
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("partition ", dir_, " is closed"));
  return failed_;
}

void Partition::FailLocked(const absl::Status& cause) {
  if (!failed_.ok()) return;
  failed_ = absl::FailedPreconditionError(absl::StrCat("partition ", dir_,
                                                       " refuses writes until reopened after an I/O error: ",
                                                       cause.ToString()));
}

absl::Status Partition::EncodeRecords(BatchBuilder* builder, absl::Span<const Record> records, int64_t now,
                                     PendingAppend* pending) const {
  const bool append_time = config_.timestamp_type == TimestampType::kLogAppendTime;
  builder->Reset({.timestamp_type = config_.timestamp_type, .log_append_time = append_time ? now : bf::kNoTimestamp});
  RETURN_IF_ERROR(builder->AppendRecords(records, now));
  ASSIGN_OR_RETURN(std::string_view batch, builder->Build());
  if (batch.size() > static_cast<size_t>(config_.max_message_bytes)) {
    return absl::InvalidArgumentError(absl::StrCat("append to ", dir_, ": batch of ", batch.size(),
                                                   " bytes is larger than max.message.bytes ",
                                                   config_.max_message_bytes));
  }
  // The builder's buffer is the caller's until it resets the builder; only the base offset is rewritten.
  pending->data = const_cast<char*>(batch.data());
  pending->size = batch.size();
  const BatchHeader header = *DecodeBatchHeader(batch);
  pending->batches.push_back({0, header.last_offset_delta, header.max_timestamp, {}});
  pending->records = header.records_count;
  pending->log_append_time = append_time ? now : -1;
  pending->now_ms = now;
  return absl::OkStatus();
}

absl::StatusOr<AppendResult> Partition::Append(absl::Span<const Record> records, const AppendOptions& options) {
  if (records.empty()) return absl::InvalidArgumentError(absl::StrCat("append to ", dir_, ": no records"));
  const int64_t now = clock_->NowMillis();
  PendingAppend pending;
  if (records.size() <= kEncodeUnderLockRecords) {
    // A few records encode faster than two trips to the builder pool: do it under the append mutex.
    AppendResult result;
    bool sync = false;
    DataListenerNotifier notifier(this);
    {
      MutexLock lock(&mu_);
      RETURN_IF_ERROR(CheckWritableLocked());
      RETURN_IF_ERROR(EncodeRecords(&small_builder_, records, now, &pending));
      RETURN_IF_ERROR(AppendPreparedLocked(&pending, options, &result, &sync));
    }
    if (sync) RETURN_IF_ERROR(SyncTo(result.last_offset + 1));
    return result;
  }
  // Larger batches encode outside the lock, so concurrent appenders encode in parallel.
  std::unique_ptr<BatchBuilder> builder = builders_->Take();
  struct ReturnBuilder {
    BuilderPool* pool;
    std::unique_ptr<BatchBuilder>* builder;
    ~ReturnBuilder() { pool->Return(std::move(*builder)); }
  } give_back{builders_.get(), &builder};
  RETURN_IF_ERROR(EncodeRecords(builder.get(), records, now, &pending));
  return AppendPrepared(&pending, options);
}

absl::StatusOr<AppendResult> Partition::AppendBatches(std::string_view batches, const AppendOptions& options) {
  if (batches.empty()) return absl::InvalidArgumentError(absl::StrCat("append to ", dir_, ": no batches"));
  const int64_t now = clock_->NowMillis();
  const bool append_time = config_.timestamp_type == TimestampType::kLogAppendTime;
  std::string copy(batches);  // offsets (and LogAppendTime) are rewritten; the caller's bytes stay untouched
  PendingAppend pending;
  pending.data = copy.data();
  pending.size = copy.size();
  pending.log_append_time = append_time ? now : -1;
  pending.now_ms = now;
  size_t position = 0;
  while (position < copy.size()) {
    std::string_view rest(copy.data() + position, copy.size() - position);
    absl::StatusOr<BatchView> view = BatchView::Parse(rest);
    if (!view.ok()) {
      return absl::Status(view.status().code(), absl::StrCat("append to ", dir_, ": batch at byte ", position,
                                                             " of the input: ", view.status().message()));
    }
    const BatchHeader& h = view->header();
    const size_t size = view->size_in_bytes();
    if (size > static_cast<size_t>(config_.max_message_bytes)) {
      return absl::InvalidArgumentError(absl::StrCat("append to ", dir_, ": batch at byte ", position, " has ",
                                                     size, " bytes, more than max.message.bytes ",
                                                     config_.max_message_bytes));
    }
    if (h.records_count <= 0 || h.last_offset_delta != h.records_count - 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "append to ", dir_, ": batch at byte ", position, " has ", h.records_count,
          " records and last offset delta ", h.last_offset_delta, "; a producer's batch has n records at deltas 0..n-1"));
    }
    int64_t max_timestamp = h.max_timestamp;
    if (append_time) {
      char* b = copy.data() + position;
      const auto attributes = static_cast<uint16_t>((h.attributes & ~bf::kTimestampTypeMask) | bf::kTimestampTypeMask);
      internal::StoreBigEndian16(b + bf::kAttributesOffset, attributes);
      internal::StoreBigEndian64(b + bf::kMaxTimestampOffset, static_cast<uint64_t>(now));
      internal::StoreBigEndian32(b + bf::kCrcOffset, ComputeBatchCrc(std::string_view(b, size)));
      max_timestamp = now;
    }
    const internal::ProducerBatchId producer = internal::ProducerBatchId::Of(h);
    pending.idempotent |= producer.idempotent();
    pending.batches.push_back({position, h.last_offset_delta, max_timestamp, producer});
    pending.records += h.records_count;
    position += size;
  }
  return AppendPrepared(&pending, options);
}

absl::StatusOr<AppendResult> Partition::AppendPrepared(PendingAppend* pending, const AppendOptions& options) {
  AppendResult result;
  bool sync = false;
  DataListenerNotifier notifier(this);
  {
    MutexLock lock(&mu_);
    RETURN_IF_ERROR(CheckWritableLocked());
    RETURN_IF_ERROR(AppendPreparedLocked(pending, options, &result, &sync));
  }
  if (sync) RETURN_IF_ERROR(SyncTo(result.last_offset + 1));
  return result;
}

absl::Status Partition::AppendPreparedLocked(PendingAppend* pending, const AppendOptions& options,
                                             AppendResult* result, bool* sync) {
  if (pending->idempotent) {
    // Validated before anything is written; a retry of batches already appended writes nothing.
    bool duplicate = false;
    RETURN_IF_ERROR(CheckProducersLocked(*pending, result, &duplicate));
    if (duplicate) {
      *sync = options.durable;
      return absl::OkStatus();
    }
  }
  const int64_t now = pending->now_ms;
  const int64_t base = log_end_offset_.load(std::memory_order_relaxed);
  int64_t next = base;
  AppendInfo info;
  for (const PendingAppend::Batch& b : pending->batches) {
    SetBaseOffset(pending->data + b.position, next);
    const int64_t last = next + b.last_offset_delta;
    if (b.max_timestamp > info.max_timestamp) {
      info.max_timestamp = b.max_timestamp;
      info.offset_of_max_timestamp = last;
    }
    next = last + 1;
  }
  info.last_offset = next - 1;
  RollParams roll{.max_segment_bytes = config_.segment.segment_bytes,
                  .max_segment_ms = config_.segment.segment_ms,
                  .max_timestamp_in_messages = info.max_timestamp,
                  .max_offset_in_messages = info.last_offset,
                  .messages_size = static_cast<int64_t>(append_buffer_.size() + pending->size),
                  .now_ms = now};
  RETURN_IF_ERROR(MaybeRollLocked(roll));
  const std::string_view bytes(pending->data, pending->size);
  if (config_.append_buffer_bytes > 0 && append_buffer_.size() + bytes.size() <= config_.append_buffer_bytes) {
    if (append_buffer_.empty()) buffer_info_ = AppendInfo{.max_timestamp = -1};
    append_buffer_.append(bytes);
    buffer_info_.last_offset = info.last_offset;
    if (info.max_timestamp > buffer_info_.max_timestamp) {
      buffer_info_.max_timestamp = info.max_timestamp;
      buffer_info_.offset_of_max_timestamp = info.offset_of_max_timestamp;
    }
    log_end_offset_.store(next, std::memory_order_seq_cst);
    UpdateHighWatermarkLocked();
    if (append_buffer_.size() >= config_.append_buffer_bytes) RETURN_IF_ERROR(DrainLocked());
  } else {
    if (!append_buffer_.empty()) {
      RETURN_IF_ERROR(DrainLocked());
      // Writing the buffer out may have filled the active segment's index: decide again for this batch.
      roll.messages_size = static_cast<int64_t>(pending->size);
      RETURN_IF_ERROR(MaybeRollLocked(roll));
    }
    if (absl::Status s = active_->Append(bytes, info); !s.ok()) {
      FailLocked(s);
      return s;
    }
    log_end_offset_.store(next, std::memory_order_seq_cst);
    PublishEndLocked(next);
  }
  if (pending->idempotent) RecordProducersLocked(*pending, base);
  unflushed_messages_ += pending->records;
  *sync = options.durable || unflushed_messages_ >= config_.flush_messages || now - last_flush_ms_ >= config_.flush_ms;
  *result = {.base_offset = base,
             .last_offset = info.last_offset,
             .log_append_time = pending->log_append_time,
             .max_timestamp = info.max_timestamp,
             .records = pending->records,
             .bytes = pending->size};
  return absl::OkStatus();
}

absl::Status Partition::MaybeRollLocked(const RollParams& params) {
  if (!active_->ShouldRoll(params)) return absl::OkStatus();
  return RollLocked();
}

absl::Status Partition::Roll() {
  MutexLock lock(&mu_);
  RETURN_IF_ERROR(CheckWritableLocked());
  return RollLocked();
}

absl::Status Partition::RollLocked() {
  RETURN_IF_ERROR(DrainLocked());
  std::shared_ptr<const SegmentList> list = segments();
  const std::shared_ptr<Segment>& active = list->active();
  if (active->size() == 0) return absl::OkStatus();  // an empty active segment is already "new"
  const int64_t base = log_end_offset_.load(std::memory_order_relaxed);
  absl::Status status = active->OnBecomeInactive();
  // Its log is already wholly fsynced: sync the trimmed indexes now, since no fsync round will (segments
  // below the recovery point are trusted after a crash, indexes included).
  if (status.ok() && recovery_point() >= base) status = active->Flush();
  absl::StatusOr<std::shared_ptr<Segment>> next = status.ok() ? OpenSegmentLocked(base, /*create=*/true) : status;
  if (!next.ok()) {
    FailLocked(next.status());
    return next.status();
  }
  auto rolled = std::make_shared<SegmentList>(*list);
  rolled->segments.push_back(*std::move(next));
  PublishSegmentsLocked(std::move(rolled));
  return absl::OkStatus();
}

absl::Status Partition::DrainLocked() {
  if (append_buffer_.empty()) return absl::OkStatus();
  absl::Status status = failed_;
  if (status.ok()) status = active_->Append(append_buffer_, buffer_info_);
  append_buffer_.clear();
  if (!status.ok()) {
    FailLocked(status);
    return status;
  }
  PublishEndLocked(log_end_offset_.load(std::memory_order_relaxed));
  return absl::OkStatus();
}

absl::Status Partition::DrainForRead() const {
  // Reading is logically const; writing out the append buffer changes no observable state but where
  // buffered bytes live.
  auto* self = const_cast<Partition*>(this);
  MutexLock lock(&self->mu_);
  if (self->closed_) return absl::OkStatus();
  return self->DrainLocked();
}

void Partition::PublishEndLocked(int64_t written_end) {
  written_end_.store(written_end, std::memory_order_seq_cst);
  UpdateHighWatermarkLocked();
}

void Partition::UpdateHighWatermarkLocked() {
  const int64_t hw = config_.high_watermark_is_flushed ? recovery_point() : log_end_offset();
  const int64_t old = high_watermark_.exchange(hw, std::memory_order_seq_cst);
  // Read after the store (both sequentially consistent): a listener added meanwhile either is told here or
  // sees the new high watermark when it checks after AddDataListener.
  if (old != hw && listener_count_.load(std::memory_order_seq_cst) > 0) {
    high_watermark_moved_.store(true, std::memory_order_seq_cst);
  }
  WakeWaiters();
}

void Partition::WakeWaiters() const {
  if (waiters_.load(std::memory_order_seq_cst) == 0) return;
  MutexLock lock(&data_mu_);
  data_cv_.SignalAll();
}

// ---------------------------------------------------------------------------------------------------------
// Group commit: the first durable appender to arrive becomes the leader and fsyncs everything written so
// far (without holding the append mutex, so appends continue meanwhile); the others wait for it and find
// their offsets covered, or lead the next round.

absl::Status Partition::SyncTo(int64_t offset) {
  sync_mu_.Lock();
  while (true) {
    if (recovery_point() >= offset) {
      sync_mu_.Unlock();
      return absl::OkStatus();
    }
    if (!sync_error_.ok()) {
      absl::Status error = sync_error_;
      sync_mu_.Unlock();
      return error;
    }
    if (!syncing_) break;
    sync_cv_.Wait(&sync_mu_);
  }
  syncing_ = true;
  sync_mu_.Unlock();

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
  sync_mu_.Lock();
  syncing_ = false;
  if (!status.ok()) {
    sync_error_ = absl::FailedPreconditionError(
        absl::StrCat("partition ", dir_, ": fsync failed and is never retried: ", status.ToString()));
  } else if (refused.ok() && truncations_.load() == truncations && end > recovery_point()) {
    recovery_point_.store(end, std::memory_order_seq_cst);
  }
  sync_cv_.SignalAll();
  const bool reached = recovery_point() >= offset;
  absl::Status result = status;  // the leader sees the I/O error itself; later callers the sticky one
  sync_mu_.Unlock();
  if (status.ok() && refused.ok() && config_.high_watermark_is_flushed) UpdateHighWatermarkLocked();
  mu_.Unlock();
  if (reached) return absl::OkStatus();  // (Close may have flushed it)
  if (!refused.ok()) return refused;
  if (!result.ok()) return result;
  return SyncTo(offset);  // a truncation raced with this round; go again
}

absl::Status Partition::Flush() {
  DataListenerNotifier notifier(this);
  RETURN_IF_ERROR(SyncTo(log_end_offset()));
  MutexLock lock(&mu_);
  RETURN_IF_ERROR(CheckWritableLocked());
  if (absl::Status s = segments()->active()->Flush(); !s.ok()) {
    FailLocked(s);
    return s;
  }
  return self_managed() ? WriteCheckpointsLocked() : absl::OkStatus();
}

absl::Status Partition::MaybeFlush() {
  {
    MutexLock lock(&mu_);
    RETURN_IF_ERROR(CheckWritableLocked());
    const bool unflushed = log_end_offset() > recovery_point();
    if (!unflushed || clock_->NowMillis() - last_flush_ms_ < config_.flush_ms) return absl::OkStatus();
  }
  return Flush();
}

// ---------------------------------------------------------------------------------------------------------
// Data listeners.

uint64_t Partition::AddDataListener(std::function<void()> listener) {
  WriterMutexLock lock(&listeners_mu_);
  const uint64_t id = next_listener_id_++;
  listeners_.emplace(id, std::move(listener));
  listener_count_.fetch_add(1, std::memory_order_seq_cst);
  return id;
}

void Partition::RemoveDataListener(uint64_t id) {
  // Exclusive: waits for every running listener (they hold the lock shared).
  WriterMutexLock lock(&listeners_mu_);
  if (listeners_.erase(id) > 0) listener_count_.fetch_sub(1, std::memory_order_seq_cst);
}

void Partition::NotifyDataListeners() {
  ReaderMutexLock lock(&listeners_mu_);
  for (const auto& [id, listener] : listeners_) listener();
}

// ---------------------------------------------------------------------------------------------------------
// Reading.

absl::StatusOr<ReadResult> Partition::Read(int64_t offset, const ReadOptions& options) const {
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

absl::Status Partition::WaitForData(int64_t offset, absl::Time deadline, bool up_to_log_end) const {
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

absl::StatusOr<std::optional<TimestampAndOffset>> Partition::OffsetForTimestamp(int64_t timestamp) const {
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

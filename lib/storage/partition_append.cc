// Partition::Impl: construction, the segment-list snapshot, and the append path (offset assignment, roll,
// append buffer, flush policy). partition_impl.h lists the other files.
#include "seglog/partition.h"

#include <algorithm>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "seglog/batch_view.h"
#include "storage/partition_impl.h"
#include "storage/partition_internal.h"
#include "util/coding.h"
#include "util/status_macros.h"

namespace seglog {

namespace bf = batch_format;

Partition::Impl::Impl(std::string dir, TopicPartition tp, const PartitionOptions& options)
    : dir_(std::move(dir)),
      topic_partition_(std::move(tp)),
      fs_(options.fs),
      clock_(options.clock != nullptr ? options.clock : SystemClock()),
      config_(options.config),
      given_checkpoint_(options.checkpoint),
      producer_state_segments_(options.producer_state_segments),
      builders_(std::make_unique<BuilderPool>()),
      producer_state_(std::make_unique<internal::ProducerStateTable>()),
      group_commit_(dir_) {}

Partition::Impl::~Impl() {
  bool closed = false;
  {
    MutexLock lock(&mu_);
    closed = closed_;
  }
  if (!closed) Close().IgnoreError();
}

std::shared_ptr<const Partition::Impl::SegmentList> Partition::Impl::segments() const {
  MutexLock lock(&segments_mu_);
  return segments_;
}

void Partition::Impl::PublishSegmentsLocked(std::shared_ptr<const SegmentList> list) {
  mu_.AssertHeld();
  active_ = list->active().get();
  MutexLock lock(&segments_mu_);
  segments_ = std::move(list);
}

int Partition::Impl::num_segments() const { return static_cast<int>(segments()->segments.size()); }

uint64_t Partition::Impl::size_bytes() const {
  uint64_t total = 0;
  for (const auto& s : segments()->segments) total += s->size();
  return total;
}

std::vector<int64_t> Partition::Impl::segment_base_offsets() const {
  std::vector<int64_t> bases;
  for (const auto& s : segments()->segments) bases.push_back(s->base_offset());
  return bases;
}

PartitionCheckpoint Partition::Impl::checkpoint() const {
  MutexLock lock(&mu_);
  return {.clean_shutdown = closed_ && failed_.ok(),
          .recovery_point = recovery_point(),
          .log_start_offset = log_start_offset()};
}

// ---------------------------------------------------------------------------------------------------------
// Appending.

absl::Status Partition::Impl::CheckWritableLocked() const {
  mu_.AssertHeld();
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("partition ", dir_, " is closed"));
  return failed_;
}

void Partition::Impl::FailLocked(const absl::Status& cause) {
  mu_.AssertHeld();
  if (!failed_.ok()) return;
  failed_ = absl::FailedPreconditionError(absl::StrCat("partition ", dir_,
                                                       " refuses writes until reopened after an I/O error: ",
                                                       cause.ToString()));
}

absl::Status Partition::Impl::EncodeRecords(BatchBuilder* builder, absl::Span<const Record> records, int64_t now,
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

absl::StatusOr<AppendResult> Partition::Impl::Append(absl::Span<const Record> records, const AppendOptions& options) {
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

absl::StatusOr<AppendResult> Partition::Impl::AppendBatches(std::string_view batches, const AppendOptions& options) {
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

absl::StatusOr<AppendResult> Partition::Impl::AppendPrepared(PendingAppend* pending, const AppendOptions& options) {
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

absl::Status Partition::Impl::AppendPreparedLocked(PendingAppend* pending, const AppendOptions& options,
                                             AppendResult* result, bool* sync) {
  mu_.AssertHeld();
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
  // The log end offset (one past the last) must stay representable, so offsets stop at INT64_MAX - 1; a
  // log start offset read from a checkpoint can put the log right below that.
  int64_t span = 0;
  for (const PendingAppend::Batch& b : pending->batches) span += int64_t{b.last_offset_delta} + 1;
  if (span > INT64_MAX - base) {
    return absl::OutOfRangeError(absl::StrCat("append to ", dir_, ": ", span, " offsets from the log end offset ",
                                              base, " would pass the largest offset ", INT64_MAX - 1));
  }
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
  CheckInvariantsLocked();
  return absl::OkStatus();
}

absl::Status Partition::Impl::MaybeRollLocked(const RollParams& params) {
  mu_.AssertHeld();
  if (!active_->ShouldRoll(params)) return absl::OkStatus();
  return RollLocked();
}

absl::Status Partition::Impl::Roll() {
  MutexLock lock(&mu_);
  RETURN_IF_ERROR(CheckWritableLocked());
  return RollLocked();
}

absl::Status Partition::Impl::RollLocked() {
  mu_.AssertHeld();
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
  CheckInvariantsLocked();
  return absl::OkStatus();
}

absl::Status Partition::Impl::DrainLocked() {
  mu_.AssertHeld();
  if (append_buffer_.empty()) return absl::OkStatus();
  absl::Status status = failed_;
  if (status.ok()) status = active_->Append(append_buffer_, buffer_info_);
  append_buffer_.clear();
  if (!status.ok()) {
    FailLocked(status);
    return status;
  }
  PublishEndLocked(log_end_offset_.load(std::memory_order_relaxed));
  CheckInvariantsLocked();
  return absl::OkStatus();
}

absl::Status Partition::Impl::DrainForRead() const {
  // Reading is logically const; writing out the append buffer changes no observable state but where
  // buffered bytes live.
  auto* self = const_cast<Impl*>(this);
  MutexLock lock(&self->mu_);
  if (self->closed_) return absl::OkStatus();
  return self->DrainLocked();
}

void Partition::Impl::PublishEndLocked(int64_t written_end) {
  mu_.AssertHeld();
  written_end_.store(written_end, std::memory_order_seq_cst);
  UpdateHighWatermarkLocked();
}

void Partition::Impl::UpdateHighWatermarkLocked() {
  mu_.AssertHeld();
  const int64_t hw = config_.high_watermark_is_flushed ? recovery_point() : log_end_offset();
  const int64_t old = high_watermark_.exchange(hw, std::memory_order_seq_cst);
  // Read after the store (both sequentially consistent): a listener added meanwhile either is told here or
  // sees the new high watermark when it checks after AddDataListener.
  if (old != hw && listener_count_.load(std::memory_order_seq_cst) > 0) {
    high_watermark_moved_.store(true, std::memory_order_seq_cst);
  }
  WakeWaiters();
}

void Partition::Impl::WakeWaiters() const {
  if (waiters_.load(std::memory_order_seq_cst) == 0) return;
  MutexLock lock(&data_mu_);
  data_cv_.SignalAll();
}

}  // namespace seglog

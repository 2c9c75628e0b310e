// Partition: opening (loading segments, Kafka's recovery rules), checkpoints and clean close.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "seglog/partition.h"
#include "storage/log_reader.h"
#include "storage/offset_checkpoint.h"
#include "storage/partition_impl.h"
#include "storage/partition_internal.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace seglog {

namespace {

absl::Status ValidateConfig(const PartitionConfig& c) {
  auto bad = [](std::string_view what) { return absl::InvalidArgumentError(absl::StrCat("partition config: ", internal::Sv(what))); };
  if (c.segment.segment_bytes < static_cast<int64_t>(batch_format::kHeaderSize) || c.segment.segment_bytes > INT32_MAX) {
    return bad(absl::StrCat("segment.bytes ", c.segment.segment_bytes, " is outside [61, 2^31-1]"));
  }
  if (c.segment.segment_ms <= 0) return bad(absl::StrCat("segment.ms ", c.segment.segment_ms, " must be positive"));
  if (c.segment.segment_index_bytes < 12) {
    return bad(absl::StrCat("segment.index.bytes ", c.segment.segment_index_bytes, " is below one entry"));
  }
  if (c.segment_jitter_ms < 0) return bad("segment.jitter.ms is negative");
  if (c.max_message_bytes <= static_cast<int32_t>(batch_format::kHeaderSize)) {
    return bad(absl::StrCat("max.message.bytes ", c.max_message_bytes, " cannot hold a batch"));
  }
  if (c.retention_ms < -1) return bad("retention.ms is below -1");
  if (c.retention_bytes < -1) return bad("retention.bytes is below -1");
  if (c.flush_messages <= 0 || c.flush_ms < 0) return bad("flush.messages must be positive, flush.ms not negative");
  return absl::OkStatus();
}

// The offset of the first entry for `tp`, or `fallback` when the file lacks one or cannot be read (Kafka
// treats a bad checkpoint as empty: recovery then starts further back, which is always safe).
int64_t CheckpointOffset(FileSystem* fs, const std::string& path, const TopicPartition& tp, int64_t fallback) {
  absl::StatusOr<std::vector<internal::CheckpointEntry>> entries = internal::ReadOffsetCheckpoint(fs, path);
  if (!entries.ok()) return fallback;
  for (const internal::CheckpointEntry& e : *entries) {
    if (e.partition == tp) return e.offset;
  }
  return fallback;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Partition::Impl>> Partition::Impl::Open(const std::string& dir,
                                                                      const PartitionOptions& options,
                                                                      RecoveryReport* report) {
  if (options.fs == nullptr) return absl::InvalidArgumentError("PartitionOptions::fs is null");
  RETURN_IF_ERROR(ValidateConfig(options.config));
  ASSIGN_OR_RETURN(TopicPartition tp, ParsePartitionDirName(BaseName(dir)));
  ASSIGN_OR_RETURN(const bool exists, options.fs->Exists(dir));
  if (!exists) {
    if (!options.create_if_missing) {
      return absl::NotFoundError(absl::StrCat("partition directory ", dir, " does not exist"));
    }
    RETURN_IF_ERROR(options.fs->CreateDirs(dir));
    RETURN_IF_ERROR(options.fs->SyncDir(ParentDir(dir)));
  }
  auto p = std::make_unique<Impl>(dir, std::move(tp), options);
  RecoveryReport local;
  {
    MutexLock lock(&p->mu_);
    absl::Status loaded = p->LoadLocked(report != nullptr ? report : &local);
    if (!loaded.ok()) {
      p->closed_ = true;  // nothing to close cleanly: the destructor only lets go of the files
      p->closed_flag_.store(true);
      return loaded;
    }
  }
  return p;
}

absl::StatusOr<std::shared_ptr<Segment>> Partition::Impl::OpenSegmentLocked(int64_t base_offset, bool create) {
  mu_.AssertHeld();
  int64_t jitter = 0;
  if (config_.segment_jitter_ms > 0) {
    const int64_t bound = std::min(config_.segment_jitter_ms, config_.segment.segment_ms);
    jitter = absl::Uniform<int64_t>(jitter_rng_, 0, bound);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Segment> s, Segment::Open(fs_, dir_, base_offset, config_.segment,
                                                             clock_->NowMillis(), jitter, /*rebuild_indexes=*/false));
  // A new segment's name must be durable before anything fsynced into it can count as durable.
  if (create) RETURN_IF_ERROR(fs_->SyncDir(dir_));
  return std::shared_ptr<Segment>(std::move(s));
}

absl::Status Partition::Impl::LoadLocked(RecoveryReport* report) {
  mu_.AssertHeld();
  *report = RecoveryReport();
  PartitionCheckpoint cp;
  if (self_managed()) {
    ASSIGN_OR_RETURN(lock_, fs_->LockFile(JoinPath(dir_, kPartitionLockFile)));
    const std::string marker = JoinPath(dir_, kCleanShutdownFile);
    ASSIGN_OR_RETURN(cp.clean_shutdown, fs_->Exists(marker));
    if (cp.clean_shutdown) {
      // Gone before anything else happens, so a crash while loading counts as unclean (KAFKA-10471).
      RETURN_IF_ERROR(fs_->RemoveFile(marker));
      RETURN_IF_ERROR(fs_->SyncDir(dir_));
    }
    cp.recovery_point =
        CheckpointOffset(fs_, JoinPath(dir_, kRecoveryPointCheckpointFile), topic_partition_, 0);
    cp.log_start_offset =
        CheckpointOffset(fs_, JoinPath(dir_, kLogStartOffsetCheckpointFile), topic_partition_, 0);
  } else {
    cp = *given_checkpoint_;
  }
  report->clean_shutdown = cp.clean_shutdown;
  report->recovery_point = cp.recovery_point;

  // Leftovers of interrupted deletions and metadata replacements go; orphan indexes go; logs load in order.
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(dir_));
  std::vector<int64_t> bases;
  for (const std::string& name : names) {
    const std::string path = JoinPath(dir_, name);
    if (absl::EndsWith(name, internal::Sv(kDeletedSuffix)) || absl::EndsWith(name, internal::Sv(kTmpSuffix)) ||
        absl::EndsWith(name, internal::Sv(kCleanedSuffix))) {
      RETURN_IF_ERROR(fs_->RemoveFile(path));
      continue;
    }
    std::optional<SegmentFile> file = ParseSegmentFileName(name);
    if (!file) continue;
    if (file->suffix == kLogSuffix) {
      bases.push_back(file->base_offset);
    } else if (file->suffix == kIndexSuffix || file->suffix == kTimeIndexSuffix) {
      const std::string log = JoinPath(dir_, SegmentFileName(file->base_offset, kLogSuffix));
      ASSIGN_OR_RETURN(const bool has_log, fs_->Exists(log));
      if (!has_log) RETURN_IF_ERROR(fs_->RemoveFile(path));
    } else if (file->suffix == kSwapSuffix || absl::StartsWith(file->suffix, ".log.swap")) {
      return absl::UnimplementedError(absl::StrCat(path, ": an interrupted compaction's swap file; this version "
                                                         "of seglog does not compact"));
    }
  }
  std::sort(bases.begin(), bases.end());

  std::vector<std::shared_ptr<Segment>> segments;
  for (const int64_t base : bases) {
    ASSIGN_OR_RETURN(std::shared_ptr<Segment> s, OpenSegmentLocked(base, /*create=*/false));
    segments.push_back(std::move(s));
  }
  RETURN_IF_ERROR(RecoverLocked(&segments, cp.recovery_point, /*validate_tail=*/!cp.clean_shutdown, report));

  if (segments.empty()) {
    ASSIGN_OR_RETURN(std::shared_ptr<Segment> s, OpenSegmentLocked(std::max<int64_t>(cp.log_start_offset, 0), /*create=*/true));
    segments.push_back(std::move(s));
  }
  ASSIGN_OR_RETURN(int64_t end, segments.back()->ReadNextOffset());
  int64_t log_start = std::max(cp.log_start_offset, segments.front()->base_offset());
  if (log_start > end) {
    // The checkpoint is ahead of the log (Kafka: every segment goes and the log restarts at the start).
    for (auto& s : segments) RETURN_IF_ERROR(s->Delete());
    segments.clear();
    ASSIGN_OR_RETURN(std::shared_ptr<Segment> s, OpenSegmentLocked(log_start, /*create=*/true));
    segments.push_back(std::move(s));
    end = log_start;
  }
  // Inactive segments become inactive as at a roll: final time-index entry, indexes trimmed and synced. An
  // index opened at its own length is already trimmed (nothing to do); one that recovery rebuilt at full
  // size must be trimmed and on disk before the recovery point passes its segment and it is trusted.
  for (size_t i = 0; i + 1 < segments.size(); ++i) RETURN_IF_ERROR(segments[i]->OnBecomeInactive());
  RETURN_IF_ERROR(segments.back()->ResizeIndexes());  // trimmed when it was closed
  if (report->segments_recovered > 0 || report->segments_deleted > 0) {
    // Rebuilt index files replaced the old ones and dropped segments are gone: make that durable before
    // anything is appended, or a crash brings back a dropped segment whose base offset the log may reach
    // again, and its stale records with it.
    RETURN_IF_ERROR(fs_->SyncDir(dir_));
  }

  report->segments = static_cast<int>(segments.size());
  auto list = std::make_shared<SegmentList>();
  list->segments = std::move(segments);
  PublishSegmentsLocked(std::move(list));
  log_start_offset_.store(log_start);
  log_end_offset_.store(end);
  written_end_.store(end);
  // Below the log start nothing is read: the recovery point is at least there (Kafka moves it with the log
  // start too), so log_start_offset <= high_watermark also when the high watermark is the recovery point.
  recovery_point_.store(std::max(log_start, cp.clean_shutdown ? end : std::min(cp.recovery_point, end)));
  last_flush_ms_ = clock_->NowMillis();
  UpdateHighWatermarkLocked();
  producer_state_loaded_ = false;  // built by the first idempotent append (producer_state.cc)
  CheckInvariantsLocked();
  report->log_end_offset = end;
  return absl::OkStatus();
}

absl::Status Partition::Impl::RecoverLocked(std::vector<std::shared_ptr<Segment>>* segments, int64_t recovery_point,
                                      bool validate_tail, RecoveryReport* report) {
  mu_.AssertHeld();
  const size_t n = segments->size();
  // Segments wholly below the recovery point hold fsynced data and are trusted; from the one holding the
  // recovery point on, everything is validated after an unclean shutdown. A segment whose index was missing
  // or bad is validated either way (Kafka recovers it too).
  size_t first_unflushed = 0;
  while (first_unflushed + 1 < n && (*segments)[first_unflushed + 1]->base_offset() <= recovery_point) {
    ++first_unflushed;
  }
  if (!validate_tail) first_unflushed = n;
  for (size_t i = 0; i < n; ++i) {
    Segment& s = *(*segments)[i];
    if (i < first_unflushed && !s.needs_recovery()) continue;
    // Offsets below `required` were fsynced: losing any of them is kDataLoss unless the caller opted in.
    int64_t required = i + 1 < n ? std::min((*segments)[i + 1]->base_offset(), recovery_point) : recovery_point;
    if (config_.truncate_corrupt_flushed_data) required = -1;
    ASSIGN_OR_RETURN(RecoveryResult r, s.Recover(required));
    ++report->segments_recovered;
    report->bytes_recovered += r.valid_bytes;
    // A segment that ends before the next one begins lost its unsynced tail too (the later segment's data,
    // never fsynced either, must not survive beyond a gap).
    const bool gap = i + 1 < n && r.next_offset < (*segments)[i + 1]->base_offset();
    if (r.truncated_bytes == 0 && r.stopped_by.ok() && !gap) continue;
    // This segment lost its tail: everything after it was written later and goes too.
    report->bytes_truncated += r.truncated_bytes;
    // The cut must be durable before the recovery point can pass this segment (a roll right at it does):
    // a crash undoing it later would bring the torn batch back into a segment no longer validated.
    if (r.truncated_bytes > 0) RETURN_IF_ERROR(s.SyncLog());
    if (!r.stopped_by.ok()) {
      report->first_invalid_batch = r.stopped_by;
    } else if (r.truncated_bytes > 0) {
      report->first_invalid_batch = absl::DataLossError(
          absl::StrCat(s.log_path(), ": ", r.truncated_bytes, " bytes after the last whole batch"));
    } else {
      report->first_invalid_batch = absl::DataLossError(absl::StrCat(
          s.log_path(), " ends at offset ", r.next_offset, " but the next segment starts at ",
          (*segments)[i + 1]->base_offset()));
    }
    for (size_t j = i + 1; j < n; ++j) {
      Segment& later = *(*segments)[j];
      // Offsets the dropped segment held in whole valid batches, for the report.
      if (absl::StatusOr<int64_t> next = later.ReadNextOffset(); next.ok() && *next > later.base_offset()) {
        report->dropped_up_to_offset = std::max(report->dropped_up_to_offset, *next);
      }
      report->bytes_truncated += later.size();
      ++report->segments_deleted;
      RETURN_IF_ERROR(later.Delete());
    }
    segments->resize(i + 1);
    break;
  }
  return absl::OkStatus();
}

absl::Status Partition::Impl::WriteCheckpointsLocked() {
  mu_.AssertHeld();
  const std::vector<internal::CheckpointEntry> rp = {{topic_partition_, recovery_point()}};
  RETURN_IF_ERROR(internal::WriteOffsetCheckpoint(fs_, JoinPath(dir_, kRecoveryPointCheckpointFile), rp));
  const std::vector<internal::CheckpointEntry> ls = {{topic_partition_, log_start_offset()}};
  return internal::WriteOffsetCheckpoint(fs_, JoinPath(dir_, kLogStartOffsetCheckpointFile), ls);
}

absl::Status Partition::Impl::Close() {
  absl::Status status;
  {
    MutexLock lock(&mu_);
    if (closed_) return absl::FailedPreconditionError(absl::StrCat("partition ", dir_, " is already closed"));
    status = failed_;
    if (status.ok()) status = DrainLocked();
    std::shared_ptr<const SegmentList> list = segments();
    // The active segment's largest timestamp lives only in memory until a time-index entry records it; the
    // next open reads it from the last entry (Kafka's LogSegment.close appends it too). Trimmed and msynced
    // here, the indexes are then flushed with the log below.
    if (status.ok()) status = list->active()->OnBecomeInactive();
    if (status.ok()) {
      for (size_t i = list->Floor(recovery_point()); i < list->segments.size() && status.ok(); ++i) {
        status = list->segments[i]->Flush();
      }
    }
    if (status.ok()) {
      group_commit_.Exclusive([&] { recovery_point_.store(log_end_offset(), std::memory_order_seq_cst); });
      CheckInvariantsLocked();
    } else {
      FailLocked(status);
    }
    closed_ = true;
    closed_flag_.store(true, std::memory_order_seq_cst);
    for (const auto& s : list->segments) {
      absl::Status closed = s->Close();
      if (status.ok()) status = closed;
    }
    if (status.ok() && self_managed()) {
      status = WriteCheckpointsLocked();
      if (status.ok()) status = WriteFileAtomically(fs_, JoinPath(dir_, kCleanShutdownFile), "");
    }
    lock_.reset();
    {
      MutexLock data_lock(&data_mu_);
      data_cv_.SignalAll();
    }
  }
  high_watermark_moved_.store(false);
  if (listener_count_.load(std::memory_order_seq_cst) > 0) NotifyDataListeners();  // without the append mutex
  return status;
}

}  // namespace seglog

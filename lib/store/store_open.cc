// Store::Open: lock, clean-shutdown marker, topics.json, unfinished deletions, checkpoints, and recovery of
// every partition in parallel (doc/design/store.md, "Open").
#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "seglog/log_files.h"
#include "storage/offset_checkpoint.h"
#include "store/store_impl.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace seglog {

namespace internal {

absl::Status OpenPartitionsInParallel(const std::vector<PartitionJob>& jobs, int threads,
                                      std::vector<std::shared_ptr<Partition>>* results) {
  results->assign(jobs.size(), nullptr);
  std::vector<absl::Status> statuses(jobs.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < jobs.size(); i = next.fetch_add(1)) {
      absl::StatusOr<std::unique_ptr<Partition>> p = Partition::Open(jobs[i].dir, jobs[i].options);
      if (p.ok()) {
        (*results)[i] = std::move(*p);
      } else {
        statuses[i] = p.status();
      }
    }
  };
  const size_t n = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), jobs.size());
  if (n <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(n);
    for (size_t t = 0; t < n; ++t) pool.emplace_back(work);
    for (std::thread& t : pool) t.join();
  }
  for (const absl::Status& s : statuses) {
    if (!s.ok()) {
      results->clear();  // closes (with errors dropped) what did open
      return s;
    }
  }
  return absl::OkStatus();
}

int RecoveryThreads(const StoreOptions& options) {
  if (options.recovery_threads > 0) return options.recovery_threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp<unsigned>(hw, 1, 8));
}

}  // namespace internal

namespace {

// (topic, partition) -> offset.
using OffsetMap = std::map<std::pair<std::string, int32_t>, int64_t>;

// A checkpoint that cannot be read counts as empty, as in Kafka: recovery then starts from offset 0 for
// every partition (slower, never unsafe). `*ok` says whether it was readable.
OffsetMap ReadCheckpoint(FileSystem* fs, const std::string& path, bool* ok) {
  OffsetMap map;
  absl::StatusOr<std::vector<internal::CheckpointEntry>> entries = internal::ReadOffsetCheckpoint(fs, path);
  *ok = entries.ok();
  if (!entries.ok()) return map;
  for (const internal::CheckpointEntry& e : *entries) map[{e.partition.topic, e.partition.partition}] = e.offset;
  return map;
}

absl::Status ValidateOptions(const StoreOptions& o) {
  if (o.recovery_threads < 0) {
    return absl::InvalidArgumentError(absl::StrCat("StoreOptions::recovery_threads is ", o.recovery_threads,
                                                   "; it must be 0 (automatic) or positive"));
  }
  if (o.retention_check_interval_ms <= 0 || o.flush_check_interval_ms <= 0 || o.checkpoint_interval_ms <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "StoreOptions housekeeping intervals must be positive (retention_check_interval_ms=",
        o.retention_check_interval_ms, ", flush_check_interval_ms=", o.flush_check_interval_ms,
        ", checkpoint_interval_ms=", o.checkpoint_interval_ms, ")"));
  }
  // Checked here, not when a topic is created with it: a bad default would otherwise be stored with the
  // topic (TopicConfig::NonDefaults) and fail every later open with kDataLoss.
  if (absl::StatusOr<TopicConfig> defaults = TopicConfig::FromMap(o.default_topic_config.ToMap()); !defaults.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("StoreOptions::default_topic_config is invalid: ", defaults.status().message()));
  }
  return absl::OkStatus();
}

}  // namespace

PartitionOptions Store::Impl::PartitionOptionsFor(const TopicConfig& config, bool create) const {
  PartitionOptions po;
  po.fs = fs_;
  po.clock = clock_;
  po.create_if_missing = create;
  po.config = config.ToPartitionConfig();
  po.checkpoint = PartitionCheckpoint{};  // the Store keeps the marker and checkpoints
  return po;
}

absl::Status Store::Impl::Open() {
  RETURN_IF_ERROR(ValidateOptions(options_));
  FileSystem* base = options_.fs;
  if (base == nullptr) {
    owned_fs_ = NewPosixFileSystem();
    base = owned_fs_.get();
  }
  clock_ = options_.clock != nullptr ? options_.clock : SystemClock();
  if (options_.read_only) {
    cow_fs_ = NewCopyOnWriteFileSystem(base);
    fs_ = cow_fs_.get();
  } else {
    fs_ = base;
  }

  ASSIGN_OR_RETURN(const bool exists, fs_->Exists(dir_));
  if (!exists) {
    if (!options_.create_if_missing || options_.read_only) {
      return absl::NotFoundError(absl::StrCat("data directory ", dir_, " does not exist"));
    }
    RETURN_IF_ERROR(fs_->CreateDirs(dir_));
    RETURN_IF_ERROR(fs_->SyncDir(ParentDir(dir_)));
  }

  // 1. The lock (writers only: a read-only Store changes nothing and works beside a writer).
  if (!options_.read_only) {
    const std::string lock_path = PathOf(kPartitionLockFile);
    absl::StatusOr<std::unique_ptr<FileLock>> lock = fs_->LockFile(lock_path);
    if (!lock.ok()) {
      if (lock.status().code() == absl::StatusCode::kFailedPrecondition) {
        return absl::FailedPreconditionError(
            absl::StrCat("data directory ", dir_, " is in use by another Store (in this or another process) "
                         "holding ", lock_path, "; open it with read_only to inspect it: ", lock.status().message()));
      }
      return lock.status();
    }
    lock_ = std::move(*lock);
  }

  // 2. The clean-shutdown marker goes before anything else, so a crash during open counts as unclean.
  const std::string marker = PathOf(kCleanShutdownFile);
  ASSIGN_OR_RETURN(bool clean, fs_->Exists(marker));
  if (clean) {
    RETURN_IF_ERROR(fs_->RemoveFile(marker));
    RETURN_IF_ERROR(fs_->SyncDir(dir_));
  }

  // 3. Metadata.
  ASSIGN_OR_RETURN(std::optional<internal::StoreMetadata> loaded,
                   internal::ReadStoreMetadata(fs_, PathOf(internal::kTopicsFile)));
  internal::StoreMetadata metadata = loaded.value_or(internal::StoreMetadata());
  std::vector<std::pair<internal::TopicRecord, TopicConfig>> topics;
  for (const internal::TopicRecord& t : metadata.topics) {
    absl::StatusOr<TopicConfig> config = TopicConfig::FromMap(t.config);
    if (!config.ok()) {
      return absl::DataLossError(absl::StrCat("store metadata ", PathOf(internal::kTopicsFile), " is corrupt: topic ",
                                              t.name, ": ", config.status().message()));
    }
    topics.emplace_back(t, *config);
  }

  // 4. Deletions a crash interrupted: the metadata already forgot these topics; their directories go now
  // (a read-only Store just ignores them).
  if (!options_.read_only) {
    for (const internal::TopicRecord& t : metadata.deleting) RETURN_IF_ERROR(RemoveTopicDirs(t));
    ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(dir_));
    for (const std::string& name : names) {
      if (internal::IsDeleteDirName(name)) RETURN_IF_ERROR(internal::RemoveRecursively(fs_, PathOf(name)));
    }
  }
  {
    MutexLock lock(&meta_mu_);
    if (!metadata.deleting.empty() && !options_.read_only) {
      metadata.deleting.clear();
      RETURN_IF_ERROR(WriteMetadataLocked(metadata));
    }
    metadata_ = metadata;
    next_producer_id_ = metadata.producer_id_block_end;  // the rest of the last block may have been used
  }

  // 5. Checkpoints, then every partition recovered from its own (in parallel).
  bool rp_ok = false;
  bool ls_ok = false;
  const OffsetMap recovery_points = ReadCheckpoint(fs_, PathOf(kRecoveryPointCheckpointFile), &rp_ok);
  const OffsetMap log_starts = ReadCheckpoint(fs_, PathOf(kLogStartOffsetCheckpointFile), &ls_ok);
  clean = clean && rp_ok && ls_ok;
  std::vector<internal::PartitionJob> jobs;
  for (const auto& [record, config] : topics) {
    for (int32_t p = 0; p < record.partitions; ++p) {
      // Created if missing: a crash between the metadata write and the directory's creation leaves none.
      internal::PartitionJob job{PathOf(PartitionDirName(record.name, p)), PartitionOptionsFor(config, true)};
      const auto key = std::make_pair(record.name, p);
      auto rp = recovery_points.find(key);
      auto ls = log_starts.find(key);
      PartitionCheckpoint& cp = *job.options.checkpoint;
      cp.recovery_point = rp != recovery_points.end() ? rp->second : 0;
      cp.log_start_offset = ls != log_starts.end() ? ls->second : 0;
      // Clean only if the marker was there and this partition was checkpointed with it.
      cp.clean_shutdown = clean && rp != recovery_points.end();
      jobs.push_back(std::move(job));
    }
  }
  std::vector<std::shared_ptr<Partition>> partitions;
  RETURN_IF_ERROR(internal::OpenPartitionsInParallel(jobs, internal::RecoveryThreads(options_), &partitions));
  size_t next = 0;
  {
    MutexLock lock(&mu_);
    for (const auto& [record, config] : topics) {
      std::vector<std::shared_ptr<Partition>> mine(partitions.begin() + static_cast<ptrdiff_t>(next),
                                                   partitions.begin() + static_cast<ptrdiff_t>(next) + record.partitions);
      next += static_cast<size_t>(record.partitions);
      topics_.emplace(record.name, std::make_shared<Topic>(record.name, config, std::move(mine)));
    }
  }

  // 6. Fresh checkpoints: recovery moved recovery points, and entries of deleted topics must not linger (a
  // topic recreated under the same name would otherwise inherit them).
  if (!options_.read_only) RETURN_IF_ERROR(WriteCheckpoints());
  opened_ = true;
  if (options_.background_housekeeping && !options_.read_only) StartHousekeeping();
  return absl::OkStatus();
}

}  // namespace seglog

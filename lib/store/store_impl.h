// Store::Impl: the state behind seglog::Store (store.h) and the helpers its files share. Not public.
//
// Files: store.cc (public forwarding, Close), store_open.cc (the open sequence and parallel recovery),
// store_topics.cc (create, delete, increase, producer ids), housekeeping.cc (retention, flush policy,
// checkpoints, the background thread), dir_util.cc (recursive removal, deletion names).
//
// Locks, in acquisition order: meta_mu_ (serialises metadata changes: topics.json and the topic map's
// membership), then checkpoint_mu_ (serialises checkpoint-file writes), then mu_ (guards the topic map and
// `closed_`; held only briefly, never across I/O). hk_mu_ only guards the housekeeping thread's stop flag.
//
// Thread safety: as Store.
#ifndef SEGLOG_LIB_STORE_STORE_IMPL_H_
#define SEGLOG_LIB_STORE_STORE_IMPL_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "seglog/mutex.h"
#include "seglog/store.h"
#include "store/topics_file.h"

namespace seglog {

namespace internal {

inline constexpr int64_t kProducerIdBlockSize = 1000;
// A partition directory being deleted: "<topic>-<partition>.<32 hex digits>-delete" (Kafka's naming).
inline constexpr std::string_view kDeleteDirSuffix = "-delete";

// Removes `path` and everything under it. OK when it does not exist.
absl::Status RemoveRecursively(FileSystem* fs, const std::string& path);
// A fresh name for deleting partition directory `name` (at most 255 characters, Kafka's logDeleteDirName).
std::string DeleteDirName(std::string_view name);
// Whether `name` is a directory name DeleteDirName made.
bool IsDeleteDirName(std::string_view name);

// Opens partitions in parallel on up to `threads` threads. `results[i]` receives jobs[i]'s partition.
struct PartitionJob {
  std::string dir;
  PartitionOptions options;
};
// Threads for opening partitions: StoreOptions::recovery_threads, or one per core (at most 8) when 0.
int RecoveryThreads(const StoreOptions& options);
absl::Status OpenPartitionsInParallel(const std::vector<PartitionJob>& jobs, int threads,
                                      std::vector<std::shared_ptr<Partition>>* results);

}  // namespace internal

class Store::Impl {
 public:
  Impl(std::string dir, const StoreOptions& options) : dir_(std::move(dir)), options_(options) {}
  ~Impl();

  // store_open.cc
  absl::Status Open();

  // store_topics.cc
  absl::StatusOr<std::shared_ptr<Topic>> CreateTopic(std::string_view name, int32_t num_partitions,
                                                     const ConfigMap& config);
  absl::StatusOr<std::shared_ptr<Topic>> GetTopic(std::string_view name) const;
  std::vector<std::string> ListTopics() const;
  absl::Status DeleteTopic(std::string_view name);
  absl::Status IncreasePartitions(std::string_view name, int32_t num_partitions);
  absl::StatusOr<ProducerIdAndEpoch> AllocateProducerId();

  // housekeeping.cc
  absl::StatusOr<HousekeepingResult> RunHousekeeping();
  absl::Status Flush();
  // Writes both checkpoint files from every open partition's checkpoint().
  absl::Status WriteCheckpoints() ABSL_LOCKS_EXCLUDED(checkpoint_mu_, mu_);
  void StartHousekeeping();
  void StopHousekeeping();

  // store.cc
  absl::Status Close();

  // kFailedPrecondition when closed (or, with `write`, read-only).
  absl::Status CheckUsable(bool write) const ABSL_LOCKS_EXCLUDED(mu_);
  std::string PathOf(std::string_view name) const { return JoinPath(dir_, name); }
  // The options a partition of a topic with `config` is opened with.
  PartitionOptions PartitionOptionsFor(const TopicConfig& config, bool create) const;
  std::vector<std::shared_ptr<Partition>> AllPartitions() const ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status WriteMetadataLocked(const internal::StoreMetadata& m) ABSL_EXCLUSIVE_LOCKS_REQUIRED(meta_mu_);
  // Removes every directory of a topic being deleted (renaming each to a -delete name first).
  absl::Status RemoveTopicDirs(const internal::TopicRecord& record);
  // Removes the directories `<topic>-<p>` for p in [begin, end) that exist: each is renamed to a -delete
  // name, the renames are made durable (SyncDir), then the renamed directories are removed. What CreateTopic
  // and IncreasePartitions do before creating partitions, so a new partition never adopts leftover files.
  absl::Status RemovePartitionDirs(std::string_view topic, int32_t begin, int32_t end);
  // What a create or add-partitions does before topics.json names partitions [begin, end) of `topic`:
  // removes their leftover directories (RemovePartitionDirs) and rewrites both checkpoint files from the open
  // partitions, so no stale entry for them survives.
  absl::Status PrepareNewPartitions(std::string_view topic, int32_t begin, int32_t end)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(meta_mu_);

  const std::string dir_;
  const StoreOptions options_;
  std::unique_ptr<FileSystem> owned_fs_;  // the POSIX file system when options_.fs is null
  std::unique_ptr<FileSystem> cow_fs_;    // read-only: the copy-on-write view everything goes through
  FileSystem* fs_ = nullptr;              // what the Store and its partitions use
  Clock* clock_ = nullptr;
  std::unique_ptr<FileLock> lock_;
  // Set when Open() succeeded: only an opened Store closes (a failed open must not write a marker).
  bool opened_ = false;

  Mutex meta_mu_ ABSL_ACQUIRED_BEFORE(checkpoint_mu_, mu_);
  internal::StoreMetadata metadata_ ABSL_GUARDED_BY(meta_mu_);
  int64_t next_producer_id_ ABSL_GUARDED_BY(meta_mu_) = 0;

  Mutex checkpoint_mu_ ABSL_ACQUIRED_BEFORE(mu_);

  mutable Mutex mu_;
  std::map<std::string, std::shared_ptr<Topic>, std::less<>> topics_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;

  Mutex hk_mu_;
  CondVar hk_cv_;
  bool hk_stop_ ABSL_GUARDED_BY(hk_mu_) = false;
  std::thread hk_thread_;
};

}  // namespace seglog

#endif  // SEGLOG_LIB_STORE_STORE_IMPL_H_

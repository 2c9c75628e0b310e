// Store: creating, looking up, deleting and growing topics, and reserving producer ids. Every change is
// written to topics.json before a topic's directories change; only leftovers that belong to no topic are
// removed earlier (doc/design/store.md, "Crash safety").
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "seglog/log_files.h"
#include "store/store_impl.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace seglog {

namespace {

// Kafka's Topic.unifyCollisionChars: '.' and '_' clash in metric names, so topics differing only there clash.
std::string UnifyCollisionChars(std::string_view name) {
  return absl::StrReplaceAll(internal::Sv(name), {{".", "_"}});
}

void EraseRecord(std::vector<internal::TopicRecord>* records, std::string_view name) {
  records->erase(std::remove_if(records->begin(), records->end(),
                                [&](const internal::TopicRecord& r) { return r.name == name; }),
                 records->end());
}

// The partition count topics.json records for `name`; 0 when it has no record.
int32_t RecordedPartitions(const internal::StoreMetadata& m, std::string_view name) {
  for (const internal::TopicRecord& t : m.topics) {
    if (t.name == name) return t.partitions;
  }
  return 0;
}

}  // namespace

absl::Status Store::Impl::PrepareNewPartitions(std::string_view topic, int32_t begin, int32_t end) {
  meta_mu_.AssertHeld();
  // Leftover `<topic>-<p>` directories belong to no open partition (the caller holds meta_mu_ and the
  // partitions do not exist yet): a new partition must not adopt their segments.
  RETURN_IF_ERROR(RemovePartitionDirs(topic, begin, end));
  // The checkpoint files may still hold entries for these partitions (a DeleteTopic whose checkpoint write
  // failed). Rewritten now from the open partitions only, so that a crash before the next checkpoint cannot
  // apply an old topic's log start offset or recovery point to the new partitions' data.
  return WriteCheckpoints();
}

absl::Status Store::Impl::CheckUsable(bool write) const {
  {
    MutexLock lock(&mu_);
    if (closed_) return absl::FailedPreconditionError(absl::StrCat("store ", dir_, " is closed"));
  }
  if (write && options_.read_only) {
    return absl::FailedPreconditionError(
        absl::StrCat("store ", dir_, " is open read-only: it changes no topic, producer id or file"));
  }
  return absl::OkStatus();
}

absl::Status Store::Impl::WriteMetadataLocked(const internal::StoreMetadata& m) {
  meta_mu_.AssertHeld();
  if (options_.read_only) return absl::FailedPreconditionError(absl::StrCat("store ", dir_, " is open read-only"));
  return internal::WriteStoreMetadata(fs_, PathOf(internal::kTopicsFile), m);
}

absl::Status Store::Impl::RemoveTopicDirs(const internal::TopicRecord& record) {
  return RemovePartitionDirs(record.name, 0, record.partitions);
}

absl::Status Store::Impl::RemovePartitionDirs(std::string_view topic, int32_t begin, int32_t end) {
  // Renamed first (durably), so a half-removed directory is never mistaken for a partition; a crash leaves
  // only -delete directories, which the next open removes.
  std::vector<std::string> renamed;
  absl::Status status;
  for (int32_t p = begin; p < end && status.ok(); ++p) {
    const std::string name = PartitionDirName(topic, p);
    absl::StatusOr<bool> exists = fs_->Exists(PathOf(name));
    if (!exists.ok()) {
      status = exists.status();
      break;
    }
    if (!*exists) continue;
    const std::string to = PathOf(internal::DeleteDirName(name));
    status = fs_->Rename(PathOf(name), to);
    if (status.ok()) renamed.push_back(to);
  }
  if (!renamed.empty()) {
    absl::Status synced = fs_->SyncDir(dir_);
    if (status.ok()) status = synced;
  }
  for (const std::string& path : renamed) {
    absl::Status removed = internal::RemoveRecursively(fs_, path);
    if (status.ok()) status = removed;
  }
  return status;
}

absl::StatusOr<std::shared_ptr<Topic>> Store::Impl::CreateTopic(std::string_view name, int32_t num_partitions,
                                                                const ConfigMap& changes) {
  RETURN_IF_ERROR(CheckUsable(/*write=*/true));
  RETURN_IF_ERROR(ValidateTopicName(name));
  if (num_partitions < 1 || num_partitions > internal::kMaxPartitionsPerTopic) {
    return absl::InvalidArgumentError(absl::StrCat("topic ", internal::Sv(name), ": partition count ", num_partitions,
                                                   " is outside [1, ", internal::kMaxPartitionsPerTopic, "]"));
  }
  absl::StatusOr<TopicConfig> config = TopicConfig::FromMap(changes, options_.default_topic_config);
  if (!config.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("topic ", internal::Sv(name), ": ", config.status().message()));
  }

  MutexLock meta_lock(&meta_mu_);
  {
    MutexLock lock(&mu_);
    if (topics_.count(name) > 0) {
      return absl::AlreadyExistsError(absl::StrCat("topic ", internal::Sv(name), " already exists"));
    }
    const std::string unified = UnifyCollisionChars(name);
    for (const auto& [existing, topic] : topics_) {
      if (UnifyCollisionChars(existing) == unified) {
        return absl::InvalidArgumentError(
            absl::StrCat("topic ", internal::Sv(name), " collides with existing topic ", existing,
                         " ('.' and '_' count as the same character in topic names)"));
      }
    }
  }
  internal::StoreMetadata m = metadata_;
  // An earlier deletion of this name that did not finish (an I/O error) is finished first.
  for (const internal::TopicRecord& d : m.deleting) {
    if (d.name == name) RETURN_IF_ERROR(RemoveTopicDirs(d));
  }
  EraseRecord(&m.deleting, name);
  // Before the metadata names the topic: its partitions must start empty and with no checkpoint entry.
  RETURN_IF_ERROR(PrepareNewPartitions(name, 0, num_partitions));
  // A record a failed rollback left behind (see below) is replaced, never duplicated.
  EraseRecord(&m.topics, name);
  internal::TopicRecord record{std::string(name), num_partitions, config->NonDefaults()};
  m.topics.insert(std::upper_bound(m.topics.begin(), m.topics.end(), record,
                                   [](const auto& a, const auto& b) { return a.name < b.name; }),
                  record);
  RETURN_IF_ERROR(WriteMetadataLocked(m));  // before any directory: a crash leaves a topic the next open completes
  metadata_ = m;

  std::vector<internal::PartitionJob> jobs;
  for (int32_t p = 0; p < num_partitions; ++p) {
    jobs.push_back({PathOf(PartitionDirName(name, p)), PartitionOptionsFor(*config, /*create=*/true)});
  }
  std::vector<std::shared_ptr<Partition>> partitions;
  absl::Status opened = internal::OpenPartitionsInParallel(jobs, internal::RecoveryThreads(options_), &partitions);
  if (!opened.ok()) {
    // Undo: forget the topic again and remove what was created (best effort; an interrupted undo is finished
    // at the next open like any deletion).
    // If the undo cannot be written, the in-memory metadata still records it: the next metadata write (or a
    // retried CreateTopic of the name) carries it to disk, never a stale record of the topic.
    internal::StoreMetadata undo = metadata_;
    EraseRecord(&undo.topics, name);
    EraseRecord(&undo.deleting, name);
    undo.deleting.push_back({std::string(name), num_partitions, {}});
    const bool undo_written = WriteMetadataLocked(undo).ok();
    metadata_ = undo;
    if (undo_written && RemoveTopicDirs(undo.deleting.back()).ok()) {
      EraseRecord(&undo.deleting, name);
      if (WriteMetadataLocked(undo).ok()) metadata_ = undo;
    }
    return opened;
  }
  auto topic = std::make_shared<Topic>(std::string(name), *config, std::move(partitions));
  MutexLock lock(&mu_);
  topics_.emplace(std::string(name), topic);
  return topic;
}

absl::StatusOr<std::shared_ptr<Topic>> Store::Impl::GetTopic(std::string_view name) const {
  MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("store ", dir_, " is closed"));
  auto it = topics_.find(name);
  if (it == topics_.end()) {
    return absl::NotFoundError(absl::StrCat("topic ", internal::Sv(name), " does not exist in ", dir_));
  }
  return it->second;
}

std::vector<std::string> Store::Impl::ListTopics() const {
  MutexLock lock(&mu_);
  std::vector<std::string> names;
  names.reserve(topics_.size());
  for (const auto& [name, topic] : topics_) names.push_back(name);
  return names;
}

absl::Status Store::Impl::DeleteTopic(std::string_view name) {
  RETURN_IF_ERROR(CheckUsable(/*write=*/true));
  MutexLock meta_lock(&meta_mu_);
  std::shared_ptr<Topic> topic;
  {
    MutexLock lock(&mu_);
    auto it = topics_.find(name);
    if (it == topics_.end()) {
      return absl::NotFoundError(absl::StrCat("topic ", internal::Sv(name), " does not exist in ", dir_));
    }
    topic = it->second;
  }
  // 1. Forgotten durably, with the deletion recorded: from here on a crash finishes it at the next open.
  internal::StoreMetadata m = metadata_;
  // The larger of the recorded and the open count: an IncreasePartitions that failed part-way recorded more
  // partitions than it opened, and their directories may exist.
  const internal::TopicRecord deleting{std::string(name),
                                       std::max(RecordedPartitions(m, name), topic->num_partitions()), {}};
  EraseRecord(&m.topics, name);
  EraseRecord(&m.deleting, name);
  m.deleting.push_back(deleting);
  RETURN_IF_ERROR(WriteMetadataLocked(m));
  metadata_ = m;
  {
    MutexLock lock(&mu_);
    topics_.erase(topics_.find(name));
  }
  // 2. Its partitions close (handles others hold now fail with kFailedPrecondition).
  topic->MarkDeleted();
  absl::Status status;
  for (const std::shared_ptr<Partition>& p : topic->partitions()) {
    absl::Status closed = p->Close();
    if (status.ok() && closed.code() != absl::StatusCode::kFailedPrecondition) status = closed;
  }
  // 3. Checkpoints without its partitions, so a topic later created under this name inherits no entries.
  absl::Status checkpointed = WriteCheckpoints();
  if (status.ok()) status = checkpointed;
  // 4. Directories renamed, the renames made durable, then removed.
  absl::Status removed = RemoveTopicDirs(deleting);
  if (status.ok()) status = removed;
  if (removed.ok()) {
    EraseRecord(&m.deleting, name);
    absl::Status written = WriteMetadataLocked(m);
    if (written.ok()) metadata_ = m;
    if (status.ok()) status = written;
  }
  return status;
}

absl::Status Store::Impl::IncreasePartitions(std::string_view name, int32_t num_partitions) {
  RETURN_IF_ERROR(CheckUsable(/*write=*/true));
  MutexLock meta_lock(&meta_mu_);
  ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic, GetTopic(name));
  const int32_t current = topic->num_partitions();
  if (num_partitions <= current) {
    return absl::InvalidArgumentError(absl::StrCat("topic ", internal::Sv(name), " has ", current,
                                                   " partitions; the new count ", num_partitions,
                                                   " must be larger (partitions can only be added)"));
  }
  if (num_partitions > internal::kMaxPartitionsPerTopic) {
    return absl::InvalidArgumentError(absl::StrCat("topic ", internal::Sv(name), ": partition count ", num_partitions,
                                                   " is above the limit of ", internal::kMaxPartitionsPerTopic));
  }
  internal::StoreMetadata m = metadata_;
  // Directories from an earlier IncreasePartitions that failed part-way (up to its recorded count) or any
  // other leftovers go, and no checkpoint entry may survive for the new partitions.
  RETURN_IF_ERROR(
      PrepareNewPartitions(name, current, std::max(RecordedPartitions(m, name), num_partitions)));
  for (internal::TopicRecord& t : m.topics) {
    if (t.name == name) t.partitions = num_partitions;
  }
  // Metadata first: a crash before the directories exist leaves partitions the next open creates.
  RETURN_IF_ERROR(WriteMetadataLocked(m));
  metadata_ = m;
  std::vector<internal::PartitionJob> jobs;
  for (int32_t p = current; p < num_partitions; ++p) {
    jobs.push_back({PathOf(PartitionDirName(name, p)), PartitionOptionsFor(topic->config(), /*create=*/true)});
  }
  std::vector<std::shared_ptr<Partition>> added;
  // On failure the topic keeps its old count until the next open, which creates the missing partitions.
  RETURN_IF_ERROR(internal::OpenPartitionsInParallel(jobs, internal::RecoveryThreads(options_), &added));
  topic->AddPartitions(std::move(added));
  return absl::OkStatus();
}

absl::StatusOr<ProducerIdAndEpoch> Store::Impl::AllocateProducerId() {
  RETURN_IF_ERROR(CheckUsable(/*write=*/true));
  MutexLock meta_lock(&meta_mu_);
  if (next_producer_id_ >= metadata_.producer_id_block_end) {
    internal::StoreMetadata m = metadata_;
    m.producer_id_block_end = next_producer_id_ + internal::kProducerIdBlockSize;
    RETURN_IF_ERROR(WriteMetadataLocked(m));  // durable before any id of the block is handed out
    metadata_ = m;
  }
  return ProducerIdAndEpoch{next_producer_id_++, 0};
}

}  // namespace seglog

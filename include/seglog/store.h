// Store: a seglog data directory — its topics, their partitions, the directory lock, clean shutdown and
// (optionally) background housekeeping. What an application opens first.
//
//   seglog::StoreOptions options;                      // POSIX file system, system clock
//   SEGLOG_ASSIGN_OR_RETURN(std::unique_ptr<seglog::Store> store, seglog::Store::Open("./seglog-data", options));
//   SEGLOG_ASSIGN_OR_RETURN(auto topic, store->CreateTopic("orders", 3, {{"retention.ms", "86400000"}}));
//   ...Producer / Consumer on the store...
//   SEGLOG_RETURN_IF_ERROR(store->Close());
//
// Files (doc/design/store.md): `.lock` (held while open for writing), `topics.json` (topic names, partition
// counts and non-default configs; replaced atomically), the clean-shutdown marker and Kafka's
// `recovery-point-offset-checkpoint` / `log-start-offset-checkpoint` for all partitions, and one
// `<topic>-<partition>/` directory per partition.
//
// Read-only opens (StoreOptions::read_only) take no lock and change no file: they see a snapshot of the
// directory taken at open (recovered in memory when it was not shut down cleanly), so they work beside a
// process writing to it. Store methods that write fail with kFailedPrecondition. The partitions of a
// read-only Store are that private in-memory snapshot: Partition::Append on them succeeds, but what it
// appends is never written to the directory and vanishes with the Store (a Producer refuses a read-only
// Store).
//
// Thread safety: every method may be called from any thread. Close() must not race with other calls.
#ifndef SEGLOG_STORE_H_
#define SEGLOG_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "seglog/clock.h"
#include "seglog/file_system.h"
#include "seglog/partition.h"
#include "seglog/topic.h"
#include "seglog/topic_config.h"

namespace seglog {

// What one housekeeping pass did.
struct HousekeepingResult {
  int segments_deleted = 0;
  uint64_t bytes_deleted = 0;
  int partitions_flushed = 0;
};

struct StoreOptions {
  FileSystem* fs = nullptr;  // borrowed, must outlive the Store; null: the POSIX file system (owned)
  Clock* clock = nullptr;    // borrowed; null: SystemClock()
  bool create_if_missing = true;
  // Open without the lock and without changing any file (see above): CreateTopic, DeleteTopic,
  // IncreasePartitions, AllocateProducerId and RunHousekeeping fail with kFailedPrecondition; appends to the
  // partitions stay in private memory and never reach the directory.
  bool read_only = false;
  // Threads recovering partitions at open (0: one per core, at most 8).
  int recovery_threads = 0;
  // Settings of topics created without them (Kafka's broker-level log.* defaults). Validated at Open like a
  // topic's config (kInvalidArgument naming the key).
  TopicConfig default_topic_config = {};
  // A background thread that enforces retention every retention_check_interval_ms
  // (log.retention.check.interval.ms), runs the flush.ms policy every flush_check_interval_ms
  // (log.flush.scheduler.interval.ms) and writes both checkpoint files (recovery point and log start
  // offset) every checkpoint_interval_ms (log.flush.offset.checkpoint.interval.ms). Off by default.
  bool background_housekeeping = false;
  int64_t retention_check_interval_ms = 300000;
  int64_t flush_check_interval_ms = 1000;
  int64_t checkpoint_interval_ms = 60000;
  // Called on the housekeeping thread after each background pass with what it did, or the first error it
  // met (the thread carries on). Must be quick and must not call Close(). Applications count or log here;
  // tests wait for a pass here instead of sleeping.
  std::function<void(const absl::StatusOr<HousekeepingResult>&)> housekeeping_listener = nullptr;
};

// A producer id and epoch reserved for an idempotent producer (never handed out twice by a data directory).
struct ProducerIdAndEpoch {
  int64_t producer_id = -1;
  int16_t epoch = 0;
};

class Store {
 public:
  // Opens (with create_if_missing, creates) the data directory `dir`, recovering every partition (on
  // recovery_threads threads) and finishing any topic deletion a crash interrupted. kFailedPrecondition naming
  // the directory when another Store (in this or another process) has it open for writing; kNotFound when it
  // is missing; kDataLoss naming the file for corrupt topics.json or corrupt fsynced data; kInvalidArgument for
  // bad options (including a bad default_topic_config). Directories in `dir` that belong to no topic are left
  // alone by Open (CreateTopic and IncreasePartitions remove one that a new partition's directory would reuse).
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& dir, const StoreOptions& options = {});
  // Closes if Close() was not called (errors dropped).
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Creates a topic with `num_partitions` (1..100000) partitions and `config` applied over
  // StoreOptions::default_topic_config. kInvalidArgument for a bad name (Kafka's rules: [a-zA-Z0-9._-],
  // 1..249 characters, not "." or "..", no collision with an existing topic when '.' and '_' are confused),
  // count or config; kAlreadyExists when it exists; kFailedPrecondition when closed or read-only; an I/O
  // error (the topic is then not created). A new topic always starts empty: leftover `<name>-<p>`
  // directories (belonging to no topic) are removed first, and the checkpoint files are rewritten so no
  // stale entry applies to it. The topic is in topics.json before its directories exist (a crash in between:
  // the next open creates them).
  absl::StatusOr<std::shared_ptr<Topic>> CreateTopic(std::string_view name, int32_t num_partitions,
                                                     const ConfigMap& config = {});
  // kNotFound when there is no such topic; kFailedPrecondition when closed.
  absl::StatusOr<std::shared_ptr<Topic>> GetTopic(std::string_view name) const;
  // Topic names, sorted.
  std::vector<std::string> ListTopics() const;
  // Forgets the topic and removes its files (durably: an interrupted deletion is finished at the next open).
  // Its partitions close: handles held elsewhere then fail with kFailedPrecondition. kNotFound when there is
  // no such topic; kFailedPrecondition when closed or read-only; an I/O error (the topic is gone all the same
  // and the next open finishes removing its files).
  absl::Status DeleteTopic(std::string_view name);
  // Grows the topic to `num_partitions`; the new partitions start empty (as in CreateTopic). kInvalidArgument
  // unless it is more than the current count (and at most 100000); kNotFound for no such topic;
  // kFailedPrecondition when closed or read-only; an I/O error (the topic may then keep its old count until the
  // next open, which creates the recorded partitions).
  absl::Status IncreasePartitions(std::string_view name, int32_t num_partitions);

  // Reserves a fresh producer id (durable before it is returned: ids are reserved in blocks of 1000 in
  // topics.json, and never repeat across restarts or crashes). kFailedPrecondition when closed or read-only.
  absl::StatusOr<ProducerIdAndEpoch> AllocateProducerId();

  // One housekeeping pass now: retention on every partition, due flush.ms flushes, checkpoints. The first
  // error (after trying every partition); kFailedPrecondition when closed or read-only.
  absl::StatusOr<HousekeepingResult> RunHousekeeping();
  // Flushes every partition and writes the checkpoints. Call it after Partition::TruncateTo on one of the
  // Store's partitions: the Store keeps the partitions' checkpoints, and a recovery point above the new log
  // end must not survive a crash. The first error; kFailedPrecondition when closed. Read-only: flushes
  // nothing real and returns OK.
  absl::Status Flush();

  // Stops housekeeping, closes every partition, writes the checkpoints and, only if all that succeeded, the
  // clean-shutdown marker; releases the lock. Returns the first error. Later calls on the Store fail with
  // kFailedPrecondition, and its topics report deleted().
  absl::Status Close();

  const std::string& dir() const;
  bool read_only() const;
  FileSystem* fs() const;
  Clock* clock() const;

 private:
  class Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace seglog

#endif  // SEGLOG_STORE_H_

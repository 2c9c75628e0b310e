// Topic: a named set of partitions with one TopicConfig, owned by a Store (store.h).
//
//   SEGLOG_ASSIGN_OR_RETURN(std::shared_ptr<seglog::Topic> topic, store->GetTopic("orders"));
//   for (int32_t p = 0; p < topic->num_partitions(); ++p) {
//     std::shared_ptr<seglog::Partition> partition = topic->partition(p);
//     ...partition->log_end_offset()...
//   }
//
// A Topic handle stays valid after the topic is deleted or the Store closes; its partitions then refuse
// writes and reads with kFailedPrecondition (deleted() says so). Partitions are only ever added
// (Store::IncreasePartitions), so an index below num_partitions() stays valid.
//
// Thread safety: every method may be called from any thread.
#ifndef SEGLOG_TOPIC_H_
#define SEGLOG_TOPIC_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "seglog/mutex.h"
#include "seglog/partition.h"
#include "seglog/topic_config.h"

namespace seglog {

class Topic {
 public:
  Topic(std::string name, TopicConfig config, std::vector<std::shared_ptr<Partition>> partitions);
  Topic(const Topic&) = delete;
  Topic& operator=(const Topic&) = delete;

  const std::string& name() const { return name_; }
  const TopicConfig& config() const { return config_; }
  int32_t num_partitions() const;
  // The partition `p`, or null when p is outside [0, num_partitions()).
  std::shared_ptr<Partition> partition(int32_t p) const;
  // kNotFound naming the topic and the count when p is outside [0, num_partitions()).
  absl::StatusOr<std::shared_ptr<Partition>> GetPartition(int32_t p) const;
  // All partitions, in order (a snapshot).
  std::vector<std::shared_ptr<Partition>> partitions() const;
  // True once the topic was deleted (or its Store closed).
  bool deleted() const { return deleted_.load(std::memory_order_acquire); }

  // For the Store.
  void AddPartitions(std::vector<std::shared_ptr<Partition>> more);
  void MarkDeleted() { deleted_.store(true, std::memory_order_release); }

 private:
  const std::string name_;
  const TopicConfig config_;
  mutable Mutex mu_;  // guards only the pointer swap (a hot path for producers)
  std::shared_ptr<const std::vector<std::shared_ptr<Partition>>> partitions_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> deleted_{false};
};

}  // namespace seglog

#endif  // SEGLOG_TOPIC_H_

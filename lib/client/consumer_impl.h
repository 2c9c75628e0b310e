// Consumer::Impl: the state behind seglog::Consumer — the assignment with each partition's position, pause
// state and fetch leftovers (consumer.cc), and the long poll: one condition variable fed by the assigned
// partitions' data listeners (consumer_poll.cc). doc/design/consumer.md explains the design.
//
// Internal to seglog. Thread safety: as Consumer: one thread at a time, except Wakeup() and the data
// listeners (appending threads), which touch only the atomics and wait_mu_.
#ifndef SEGLOG_LIB_CLIENT_CONSUMER_IMPL_H_
#define SEGLOG_LIB_CLIENT_CONSUMER_IMPL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/consumer_fetcher.h"
#include "seglog/consumer.h"
#include "seglog/mutex.h"
#include "seglog/store.h"

namespace seglog {

class Consumer::Impl {
 public:
  Impl(Store* store, const ConsumerOptions& options);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // consumer.cc
  absl::Status Assign(std::vector<TopicPartition> partitions);
  std::vector<TopicPartition> assignment() const;
  absl::Status Seek(const TopicPartition& tp, int64_t offset);
  absl::Status SeekToReset(absl::Span<const TopicPartition> partitions, OffsetReset reset);
  absl::Status SeekToTimestamp(const TopicPartition& tp, int64_t timestamp);
  absl::StatusOr<int64_t> Position(const TopicPartition& tp);
  absl::Status SetPaused(absl::Span<const TopicPartition> partitions, bool paused);
  std::vector<TopicPartition> paused() const;
  absl::StatusOr<std::shared_ptr<Partition>> Lookup(const TopicPartition& tp) const;
  absl::Status Close();

  // consumer_poll.cc
  absl::StatusOr<ConsumerRecords> Poll(absl::Duration timeout);
  absl::StatusOr<ConsumerBatches> PollBatches(absl::Duration timeout);
  void Wakeup();

 private:
  using PartitionPtr = std::unique_ptr<internal::ConsumerPartition>;

  absl::Status CheckOpen() const;
  // The assigned partition `tp`, or kFailedPrecondition naming it.
  absl::StatusOr<internal::ConsumerPartition*> Find(const TopicPartition& tp) const;
  // The assigned partitions `tps` (all of them when `tps` is empty and `empty_means_all`).
  absl::StatusOr<std::vector<internal::ConsumerPartition*>> FindAll(absl::Span<const TopicPartition> tps,
                                                                    bool empty_means_all) const;
  // Gives `p` a position: a pending SeekToBeginning/End, else auto.offset.reset when it has none.
  absl::Status EnsurePosition(internal::ConsumerPartition* p);
  // The position `p` is out of range (Read said `cause`): resets it by auto.offset.reset, or kOutOfRange.
  absl::Status ResetOutOfRange(internal::ConsumerPartition* p, const absl::Status& cause);
  static int64_t ResetOffset(const Partition& partition, OffsetReset reset);
  void StartListening(internal::ConsumerPartition* p);
  void StopListening(internal::ConsumerPartition* p);

  // One pass over the fetchable partitions, round-robin from rr_start_. `fetch(p, budget)` reads one
  // partition and returns whether it produced anything. Errors are returned only when nothing was gathered
  // (`gathered()` false) before them.
  template <typename FetchFn, typename GatheredFn>
  absl::Status FetchPass(FetchFn fetch, GatheredFn gathered);
  // Waits until a data listener fires after `seen`, Wakeup() or `deadline`. Returns false on Wakeup.
  bool WaitForData(uint64_t seen, absl::Time deadline);
  template <typename Result, typename FetchFn>
  absl::StatusOr<Result> PollLoop(absl::Duration timeout, FetchFn fetch);

  Store* const store_;
  const ConsumerOptions options_;
  Clock* const clock_;
  internal::ConsumerFetcher fetcher_;
  std::vector<PartitionPtr> assigned_;  // in Assign's order
  size_t rr_start_ = 0;                 // where the next poll's pass starts
  uint64_t poll_seq_ = 0;
  bool closed_ = false;

  // Long poll. data_seq_ counts data-listener calls; waiters_ says whether a poll may be waiting, so a
  // listener takes wait_mu_ only then.
  std::atomic<uint64_t> data_seq_{0};
  std::atomic<int> waiters_{0};
  std::atomic<bool> wakeup_{false};
  Mutex wait_mu_;
  CondVar wait_cv_;
};

}  // namespace seglog

#endif  // SEGLOG_LIB_CLIENT_CONSUMER_IMPL_H_

// Consumer: the poll — a round-robin fetch pass over the assigned partitions, and the long-poll wait on one
// condition variable that the partitions' data listeners signal (doc/design/consumer.md).
#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/consumer_impl.h"
#include "seglog/consumer.h"
#include "util/status_macros.h"

namespace seglog {

using internal::ConsumerPartition;
using internal::FetchBudget;

template <typename FetchFn, typename GatheredFn>
absl::Status Consumer::Impl::FetchPass(FetchFn fetch, GatheredFn gathered) {
  const size_t n = assigned_.size();
  FetchBudget budget{options_.max_poll_records, options_.fetch_max_bytes};
  std::optional<size_t> last_served;
  // Every assigned partition gets its position now, paused or not (as Kafka resets them all), so a partition
  // paused under kLatest starts where the log ended when it was assigned, not when it is resumed.
  for (const PartitionPtr& p : assigned_) {
    if (!p->position.has_value() || p->pending_reset.has_value()) RETURN_IF_ERROR(EnsurePosition(p.get()));
  }
  for (size_t k = 0; k < n && budget.records_left > 0 && budget.bytes_left > 0; ++k) {
    const size_t i = (rr_start_ + k) % n;
    ConsumerPartition* p = assigned_[i].get();
    if (p->paused) continue;
    absl::Status status = EnsurePosition(p);
    bool produced = false;
    for (int attempt = 0; status.ok(); ++attempt) {
      // What an earlier poll read stays good only while the position is inside the log (retention or
      // DeleteRecordsBefore may have moved the log start past it since).
      if (p->leftover.valid &&
          (*p->position < p->partition->log_start_offset() || *p->position > p->partition->log_end_offset())) {
        p->DropLeftover();
      }
      absl::StatusOr<bool> fetched = fetch(p, &budget);
      if (fetched.ok()) {
        produced = *fetched;
        break;
      }
      status = fetched.status();
      // Out of range (below the log start or past the log end): reset by auto.offset.reset and read again
      // (once: a second miss means the log moves under us; the next poll tries again).
      if (status.code() != absl::StatusCode::kOutOfRange || attempt > 0) break;
      status = ResetOutOfRange(p, status);
    }
    if (produced) last_served = i;
    if (!status.ok()) {
      if (!gathered()) {
        // The next pass starts after the failing partition, so one broken partition (a deleted topic, a
        // corrupt batch) does not fail every later poll before the healthy ones are read; its error shows
        // again when the rotation comes back to it.
        rr_start_ = (i + 1) % n;
        return status;
      }
      break;  // return what was gathered; the error shows again at the next poll
    }
  }
  // The next pass starts after the last partition that gave something, so every partition gets its turn.
  if (last_served.has_value()) rr_start_ = (*last_served + 1) % n;
  return absl::OkStatus();
}

bool Consumer::Impl::WaitForData(uint64_t seen, absl::Time deadline) {
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  {
    MutexLock lock(&wait_mu_);
    while (data_seq_.load(std::memory_order_seq_cst) == seen && !wakeup_.load(std::memory_order_seq_cst)) {
      if (clock_->WaitWithDeadline(&wait_cv_, &wait_mu_, deadline)) break;
    }
  }
  waiters_.fetch_sub(1, std::memory_order_seq_cst);
  return !wakeup_.exchange(false, std::memory_order_seq_cst);
}

template <typename Result, typename PassFn>
absl::StatusOr<Result> Consumer::Impl::PollLoop(absl::Duration timeout, PassFn pass) {
  RETURN_IF_ERROR(CheckOpen());
  if (assigned_.empty()) {
    return absl::FailedPreconditionError("poll: no partitions are assigned to this consumer");
  }
  const absl::Time deadline = clock_->Now() + std::max(timeout, absl::ZeroDuration());
  ++poll_seq_;
  Result result;
  while (true) {
    // Read before the pass: data arriving during it bumps data_seq_, so the wait below returns at once.
    const uint64_t seen = data_seq_.load(std::memory_order_seq_cst);
    RETURN_IF_ERROR(pass(&result));
    if (!result.empty()) {
      wakeup_.store(false, std::memory_order_seq_cst);  // this poll returned at once: the wakeup is spent
      return result;
    }
    if (clock_->Now() >= deadline) return result;
    if (!WaitForData(seen, deadline)) return result;  // Wakeup()
  }
}

absl::StatusOr<ConsumerRecords> Consumer::Impl::Poll(absl::Duration timeout) {
  return PollLoop<ConsumerRecords>(timeout, [this](ConsumerRecords* out) {
    return FetchPass(
        [this, out](ConsumerPartition* p, FetchBudget* budget) -> absl::StatusOr<bool> {
          const size_t before = out->size();
          RETURN_IF_ERROR(fetcher_.FetchRecords(p, poll_seq_, budget, out));
          return out->size() > before;
        },
        [out] { return !out->empty(); });
  });
}

absl::StatusOr<ConsumerBatches> Consumer::Impl::PollBatches(absl::Duration timeout) {
  return PollLoop<ConsumerBatches>(timeout, [this](ConsumerBatches* out) {
    return FetchPass(
        [this, out](ConsumerPartition* p, FetchBudget* budget) -> absl::StatusOr<bool> {
          const size_t before = out->partitions().size();
          RETURN_IF_ERROR(fetcher_.FetchBatches(p, budget, out));
          return out->partitions().size() > before;
        },
        [out] { return !out->empty(); });
  });
}

void Consumer::Impl::Wakeup() {
  wakeup_.store(true, std::memory_order_seq_cst);
  MutexLock lock(&wait_mu_);
  wait_cv_.SignalAll();
}

}  // namespace seglog

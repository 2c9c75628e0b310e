// Consumer: creation, assignment, positions, seeks and pause state (the poll is in consumer_poll.cc).
#include "seglog/consumer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/consumer_impl.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace seglog {

using internal::ConsumerPartition;
using internal::Sv;

namespace {

std::string Name(const TopicPartition& tp) { return absl::StrCat(Sv(tp.topic), "-", tp.partition); }

absl::Status NotAssigned(const TopicPartition& tp) {
  return absl::FailedPreconditionError(absl::StrCat("partition ", Name(tp), " is not assigned to this consumer"));
}

}  // namespace

absl::StatusOr<OffsetReset> ParseOffsetReset(std::string_view name) {
  if (name == "earliest") return OffsetReset::kEarliest;
  if (name == "latest") return OffsetReset::kLatest;
  if (name == "none") return OffsetReset::kNone;
  return absl::InvalidArgumentError(
      absl::StrCat("auto.offset.reset must be earliest, latest or none, not \"", Sv(name), "\""));
}

std::string_view OffsetResetName(OffsetReset reset) {
  switch (reset) {
    case OffsetReset::kEarliest:
      return "earliest";
    case OffsetReset::kLatest:
      return "latest";
    case OffsetReset::kNone:
      return "none";
  }
  return "unknown";
}

absl::Span<const ConsumerRecord> ConsumerRecords::records(const TopicPartition& tp) const {
  auto matches = [&](const ConsumerRecord& r) { return r.partition == tp.partition && r.topic == tp.topic; };
  auto first = std::find_if(records_.begin(), records_.end(), matches);
  auto last = std::find_if_not(first, records_.end(), matches);
  return absl::Span<const ConsumerRecord>(records_.data() + (first - records_.begin()),
                                          static_cast<size_t>(last - first));
}

size_t ConsumerBatches::batch_count() const {
  size_t n = 0;
  for (const PartitionBatches& p : partitions_) n += p.batches.size();
  return n;
}

// ---------------------------------------------------------------------------------------------------------

Consumer::Impl::Impl(Store* store, const ConsumerOptions& options)
    : store_(store),
      options_(options),
      clock_(options.clock != nullptr ? options.clock : store->clock()),
      fetcher_(options) {}

Consumer::Impl::~Impl() { (void)Close(); }

absl::Status Consumer::Impl::CheckOpen() const {
  if (closed_) return absl::FailedPreconditionError("consumer is closed");
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<Partition>> Consumer::Impl::Lookup(const TopicPartition& tp) const {
  ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic, store_->GetTopic(tp.topic));
  return topic->GetPartition(tp.partition);
}

void Consumer::Impl::StartListening(ConsumerPartition* p) {
  std::atomic<bool>* enabled = &p->wake_enabled;
  p->listener_id = p->partition->AddDataListener([this, enabled] {
    if (!enabled->load(std::memory_order_relaxed)) return;
    data_seq_.fetch_add(1, std::memory_order_seq_cst);
    if (waiters_.load(std::memory_order_seq_cst) > 0) {
      MutexLock lock(&wait_mu_);
      wait_cv_.SignalAll();
    }
  });
  p->has_listener = true;
}

void Consumer::Impl::StopListening(ConsumerPartition* p) {
  if (!p->has_listener) return;
  p->partition->RemoveDataListener(p->listener_id);
  p->has_listener = false;
}

absl::Status Consumer::Impl::Assign(std::vector<TopicPartition> partitions) {
  RETURN_IF_ERROR(CheckOpen());
  // Look everything up first, so a bad entry leaves the assignment unchanged.
  std::vector<PartitionPtr> next;
  next.reserve(partitions.size());
  std::vector<std::shared_ptr<Partition>> found;
  for (TopicPartition& tp : partitions) {
    bool duplicate = false;
    for (const PartitionPtr& p : next) duplicate = duplicate || p->tp == tp;
    if (duplicate) continue;
    if (tp.partition < 0) {
      return absl::NotFoundError(absl::StrCat("partition ", Name(tp), " does not exist (negative partition)"));
    }
    ASSIGN_OR_RETURN(std::shared_ptr<Partition> partition, Lookup(tp));
    auto p = std::make_unique<ConsumerPartition>();
    p->tp = std::move(tp);
    p->partition = std::move(partition);
    next.push_back(std::move(p));
  }
  // Keep the state of partitions that stay assigned; stop listening to the others.
  for (PartitionPtr& old : assigned_) {
    auto it = std::find_if(next.begin(), next.end(), [&](const PartitionPtr& p) { return p->tp == old->tp; });
    if (it != next.end() && (*it)->partition == old->partition) {
      *it = std::move(old);
    } else {
      StopListening(old.get());
    }
  }
  for (PartitionPtr& p : next) {
    if (p->topic_name == nullptr) p->topic_name = std::make_shared<const std::string>(p->tp.topic);
    if (!p->has_listener) StartListening(p.get());
  }
  assigned_ = std::move(next);
  rr_start_ = 0;
  return absl::OkStatus();
}

std::vector<TopicPartition> Consumer::Impl::assignment() const {
  std::vector<TopicPartition> result;
  result.reserve(assigned_.size());
  for (const PartitionPtr& p : assigned_) result.push_back(p->tp);
  return result;
}

absl::StatusOr<ConsumerPartition*> Consumer::Impl::Find(const TopicPartition& tp) const {
  RETURN_IF_ERROR(CheckOpen());
  for (const PartitionPtr& p : assigned_) {
    if (p->tp == tp) return p.get();
  }
  return NotAssigned(tp);
}

absl::StatusOr<std::vector<ConsumerPartition*>> Consumer::Impl::FindAll(absl::Span<const TopicPartition> tps,
                                                                        bool empty_means_all) const {
  RETURN_IF_ERROR(CheckOpen());
  std::vector<ConsumerPartition*> result;
  if (tps.empty() && empty_means_all) {
    for (const PartitionPtr& p : assigned_) result.push_back(p.get());
    return result;
  }
  for (const TopicPartition& tp : tps) {
    ASSIGN_OR_RETURN(ConsumerPartition * p, Find(tp));
    result.push_back(p);
  }
  return result;
}

absl::Status Consumer::Impl::Seek(const TopicPartition& tp, int64_t offset) {
  ASSIGN_OR_RETURN(ConsumerPartition * p, Find(tp));
  if (offset < 0) {
    return absl::InvalidArgumentError(absl::StrCat("seek ", Name(tp), " to negative offset ", offset));
  }
  p->SetPosition(offset);
  return absl::OkStatus();
}

absl::Status Consumer::Impl::SeekToReset(absl::Span<const TopicPartition> partitions, OffsetReset reset) {
  ASSIGN_OR_RETURN(std::vector<ConsumerPartition*> ps, FindAll(partitions, /*empty_means_all=*/true));
  for (ConsumerPartition* p : ps) {
    p->DropLeftover();
    p->pending_reset = reset;
  }
  return absl::OkStatus();
}

absl::Status Consumer::Impl::SeekToTimestamp(const TopicPartition& tp, int64_t timestamp) {
  ASSIGN_OR_RETURN(ConsumerPartition * p, Find(tp));
  ASSIGN_OR_RETURN(std::optional<TimestampAndOffset> found, p->partition->OffsetForTimestamp(timestamp));
  p->SetPosition(found.has_value() ? found->offset : p->partition->high_watermark());
  return absl::OkStatus();
}

int64_t Consumer::Impl::ResetOffset(const Partition& partition, OffsetReset reset) {
  return reset == OffsetReset::kEarliest ? partition.log_start_offset() : partition.high_watermark();
}

absl::Status Consumer::Impl::EnsurePosition(ConsumerPartition* p) {
  if (p->pending_reset.has_value()) {
    p->SetPosition(ResetOffset(*p->partition, *p->pending_reset));
    return absl::OkStatus();
  }
  if (p->position.has_value()) return absl::OkStatus();
  if (options_.auto_offset_reset == OffsetReset::kNone) {
    return absl::FailedPreconditionError(
        absl::StrCat("partition ", Name(p->tp), " has no position and auto.offset.reset is none: seek first"));
  }
  p->SetPosition(ResetOffset(*p->partition, options_.auto_offset_reset));
  return absl::OkStatus();
}

absl::Status Consumer::Impl::ResetOutOfRange(ConsumerPartition* p, const absl::Status& cause) {
  if (options_.auto_offset_reset == OffsetReset::kNone) {
    return absl::OutOfRangeError(absl::StrCat("partition ", Name(p->tp), ": position ", *p->position,
                                              " is out of range [log start ", p->partition->log_start_offset(),
                                              ", log end ", p->partition->log_end_offset(),
                                              "] and auto.offset.reset is none (", cause.message(), ")"));
  }
  p->SetPosition(ResetOffset(*p->partition, options_.auto_offset_reset));
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Consumer::Impl::Position(const TopicPartition& tp) {
  ASSIGN_OR_RETURN(ConsumerPartition * p, Find(tp));
  RETURN_IF_ERROR(EnsurePosition(p));
  return *p->position;
}

absl::Status Consumer::Impl::SetPaused(absl::Span<const TopicPartition> partitions, bool paused) {
  ASSIGN_OR_RETURN(std::vector<ConsumerPartition*> ps, FindAll(partitions, /*empty_means_all=*/false));
  for (ConsumerPartition* p : ps) {
    p->paused = paused;
    p->wake_enabled.store(!paused, std::memory_order_relaxed);
  }
  return absl::OkStatus();
}

std::vector<TopicPartition> Consumer::Impl::paused() const {
  std::vector<TopicPartition> result;
  for (const PartitionPtr& p : assigned_) {
    if (p->paused) result.push_back(p->tp);
  }
  return result;
}

absl::Status Consumer::Impl::Close() {
  if (closed_) return absl::OkStatus();
  closed_ = true;
  for (PartitionPtr& p : assigned_) StopListening(p.get());
  assigned_.clear();
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(Store* store, const ConsumerOptions& options) {
  if (store == nullptr) return absl::InvalidArgumentError("Consumer::Create: store is null");
  if (options.max_poll_records < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("max.poll.records must be at least 1, not ", options.max_poll_records));
  }
  if (options.max_partition_fetch_bytes < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("max.partition.fetch.bytes must be at least 1, not ", options.max_partition_fetch_bytes));
  }
  if (options.fetch_max_bytes < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("fetch.max.bytes must be at least 1, not ", options.fetch_max_bytes));
  }
  return std::unique_ptr<Consumer>(new Consumer(std::make_unique<Impl>(store, options)));
}

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Consumer::~Consumer() = default;

absl::Status Consumer::Assign(std::vector<TopicPartition> partitions) { return impl_->Assign(std::move(partitions)); }
std::vector<TopicPartition> Consumer::assignment() const { return impl_->assignment(); }
absl::Status Consumer::Seek(const TopicPartition& tp, int64_t offset) { return impl_->Seek(tp, offset); }
absl::Status Consumer::SeekToBeginning(absl::Span<const TopicPartition> partitions) {
  return impl_->SeekToReset(partitions, OffsetReset::kEarliest);
}
absl::Status Consumer::SeekToEnd(absl::Span<const TopicPartition> partitions) {
  return impl_->SeekToReset(partitions, OffsetReset::kLatest);
}
absl::Status Consumer::SeekToTimestamp(const TopicPartition& tp, int64_t timestamp) {
  return impl_->SeekToTimestamp(tp, timestamp);
}
absl::StatusOr<int64_t> Consumer::Position(const TopicPartition& tp) { return impl_->Position(tp); }
absl::Status Consumer::Pause(absl::Span<const TopicPartition> partitions) { return impl_->SetPaused(partitions, true); }
absl::Status Consumer::Resume(absl::Span<const TopicPartition> partitions) {
  return impl_->SetPaused(partitions, false);
}
std::vector<TopicPartition> Consumer::paused() const { return impl_->paused(); }

absl::StatusOr<int64_t> Consumer::BeginningOffset(const TopicPartition& tp) const {
  ASSIGN_OR_RETURN(std::shared_ptr<Partition> partition, impl_->Lookup(tp));
  return partition->log_start_offset();
}

absl::StatusOr<int64_t> Consumer::EndOffset(const TopicPartition& tp) const {
  ASSIGN_OR_RETURN(std::shared_ptr<Partition> partition, impl_->Lookup(tp));
  return partition->high_watermark();
}

absl::StatusOr<ConsumerRecords> Consumer::Poll(absl::Duration timeout) { return impl_->Poll(timeout); }
absl::StatusOr<ConsumerBatches> Consumer::PollBatches(absl::Duration timeout) { return impl_->PollBatches(timeout); }
void Consumer::Wakeup() { impl_->Wakeup(); }
absl::Status Consumer::Close() { return impl_->Close(); }

}  // namespace seglog

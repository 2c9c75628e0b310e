// Store (store.h): the public methods, which forward to Store::Impl, and Close.
#include "seglog/store.h"

#include "absl/strings/str_cat.h"
#include "seglog/log_files.h"
#include "store/store_impl.h"
#include "util/status_macros.h"

namespace seglog {

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  auto impl = std::make_unique<Impl>(dir, options);
  RETURN_IF_ERROR(impl->Open());
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() = default;

Store::Impl::~Impl() {
  if (!opened_) return;  // a failed open wrote nothing and must not claim a clean shutdown
  bool closed;
  {
    MutexLock lock(&mu_);
    closed = closed_;
  }
  if (!closed) Close().IgnoreError();
}

absl::Status Store::Impl::Close() {
  {
    MutexLock lock(&mu_);
    if (closed_) return absl::FailedPreconditionError(absl::StrCat("store ", dir_, " is already closed"));
  }
  StopHousekeeping();
  std::vector<std::shared_ptr<Topic>> topics;
  {
    MutexLock lock(&mu_);
    closed_ = true;
    for (const auto& [name, topic] : topics_) topics.push_back(topic);
  }
  absl::Status status;
  for (const std::shared_ptr<Topic>& topic : topics) {
    topic->MarkDeleted();
    for (const std::shared_ptr<Partition>& p : topic->partitions()) {
      absl::Status closed = p->Close();
      if (status.ok()) status = closed;
    }
  }
  if (!options_.read_only) {
    // Closed partitions report their final recovery points (their log ends).
    absl::Status checkpointed = WriteCheckpoints();
    if (status.ok()) status = checkpointed;
    // The marker only when everything above is durable: the next open then trusts the checkpoints.
    if (status.ok()) status = WriteFileAtomically(fs_, PathOf(kCleanShutdownFile), "");
  }
  lock_.reset();
  return status;
}

absl::StatusOr<std::shared_ptr<Topic>> Store::CreateTopic(std::string_view name, int32_t num_partitions,
                                                         const ConfigMap& config) {
  return impl_->CreateTopic(name, num_partitions, config);
}
absl::StatusOr<std::shared_ptr<Topic>> Store::GetTopic(std::string_view name) const { return impl_->GetTopic(name); }
std::vector<std::string> Store::ListTopics() const { return impl_->ListTopics(); }
absl::Status Store::DeleteTopic(std::string_view name) { return impl_->DeleteTopic(name); }
absl::Status Store::IncreasePartitions(std::string_view name, int32_t num_partitions) {
  return impl_->IncreasePartitions(name, num_partitions);
}
absl::StatusOr<ProducerIdAndEpoch> Store::AllocateProducerId() { return impl_->AllocateProducerId(); }
absl::StatusOr<HousekeepingResult> Store::RunHousekeeping() { return impl_->RunHousekeeping(); }
absl::Status Store::Flush() { return impl_->Flush(); }
absl::Status Store::Close() { return impl_->Close(); }
const std::string& Store::dir() const { return impl_->dir_; }
bool Store::read_only() const { return impl_->options_.read_only; }
FileSystem* Store::fs() const { return impl_->fs_; }
Clock* Store::clock() const { return impl_->clock_; }

}  // namespace seglog

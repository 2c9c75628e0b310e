// Partition: the public API, forwarding to Partition::Impl (storage/partition_impl.h).
#include "seglog/partition.h"

#include "storage/partition_impl.h"
#include "util/status_macros.h"

namespace seglog {

absl::StatusOr<std::unique_ptr<Partition>> Partition::Open(const std::string& dir, const PartitionOptions& options,
                                                          RecoveryReport* report) {
  ASSIGN_OR_RETURN(std::unique_ptr<Impl> impl, Impl::Open(dir, options, report));
  return std::unique_ptr<Partition>(new Partition(std::move(impl)));
}

Partition::Partition(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Partition::~Partition() = default;  // Impl's destructor closes

absl::StatusOr<AppendResult> Partition::Append(absl::Span<const Record> records, const AppendOptions& options) {
  return impl_->Append(records, options);
}
absl::StatusOr<AppendResult> Partition::AppendBatches(std::string_view batches, const AppendOptions& options) {
  return impl_->AppendBatches(batches, options);
}
absl::StatusOr<ReadResult> Partition::Read(int64_t offset, const ReadOptions& options) const {
  return impl_->Read(offset, options);
}
absl::Status Partition::WaitForData(int64_t offset, absl::Time deadline, bool up_to_log_end) const {
  return impl_->WaitForData(offset, deadline, up_to_log_end);
}
absl::StatusOr<std::optional<TimestampAndOffset>> Partition::OffsetForTimestamp(int64_t timestamp) const {
  return impl_->OffsetForTimestamp(timestamp);
}
absl::Status Partition::Flush() { return impl_->Flush(); }
absl::Status Partition::MaybeFlush() { return impl_->MaybeFlush(); }
uint64_t Partition::AddDataListener(std::function<void()> listener) {
  return impl_->AddDataListener(std::move(listener));
}
void Partition::RemoveDataListener(uint64_t id) { impl_->RemoveDataListener(id); }
absl::Status Partition::Roll() { return impl_->Roll(); }
absl::StatusOr<RetentionResult> Partition::EnforceRetention() { return impl_->EnforceRetention(); }
absl::Status Partition::DeleteRecordsBefore(int64_t offset) { return impl_->DeleteRecordsBefore(offset); }
absl::Status Partition::TruncateTo(int64_t offset) { return impl_->TruncateTo(offset); }
absl::Status Partition::Close() { return impl_->Close(); }

int64_t Partition::log_start_offset() const { return impl_->log_start_offset(); }
int64_t Partition::log_end_offset() const { return impl_->log_end_offset(); }
int64_t Partition::high_watermark() const { return impl_->high_watermark(); }
int64_t Partition::recovery_point() const { return impl_->recovery_point(); }
PartitionCheckpoint Partition::checkpoint() const { return impl_->checkpoint(); }
const std::string& Partition::dir() const { return impl_->dir(); }
const TopicPartition& Partition::topic_partition() const { return impl_->topic_partition(); }
const PartitionConfig& Partition::config() const { return impl_->config(); }
int Partition::num_segments() const { return impl_->num_segments(); }
uint64_t Partition::size_bytes() const { return impl_->size_bytes(); }
std::vector<int64_t> Partition::segment_base_offsets() const { return impl_->segment_base_offsets(); }

}  // namespace seglog

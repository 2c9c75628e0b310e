// seglog-batches: one seglog::Partition on the POSIX file system, appended the way a broker appends what
// producers sent it: batches already encoded.
//
// Open (untimed) encodes every batch into Kafka RecordBatch v2 bytes, as raw-write does (the same bytes).
// Append: Partition::AppendBatches of the batch's bytes: validation (header, sizes, CRC-32C), offset
// assignment, the write(2) and the index; the encoding is not timed, which is what sets this row apart from
// seglog-partition. Durable: AppendOptions{.durable = true} (one fdatasync per batch).
// Default PartitionConfig (Kafka's: 1 GiB segments, no append buffer) except max.message.bytes, raised to
// fit one batch when the batch is larger than Kafka's 1 MiB default.
// Read: the same as seglog-partition's (ReadPartition in kafka_batches.h).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kafka_batches.h"
#include "seglog/batch_view.h"
#include "seglog/file_system.h"
#include "seglog/partition.h"
#include "systems.h"
#include "util/status_macros.h"

namespace seglog_compare {
namespace {

class SeglogBatchesSystem : public System {
 public:
  SeglogBatchesSystem(const Dataset& data, bool durable) : data_(data), durable_(durable) {}

  absl::Status Open(const std::string& dir) override {
    fs_ = seglog::NewPosixFileSystem();
    ASSIGN_OR_RETURN(partition_, OpenPartition(dir, data_, fs_.get()));
    RETURN_IF_ERROR(batches_.Encode(data_));
    return absl::OkStatus();
  }

  absl::Status AppendBatch(int64_t first, int n) override {
    ASSIGN_OR_RETURN(std::string_view batch, batches_.Batch(first));
    ASSIGN_OR_RETURN(seglog::AppendResult result, partition_->AppendBatches(batch, {.durable = durable_}));
    if (result.base_offset != first || result.last_offset != first + n - 1) {
      return absl::InternalError(absl::StrCat("batch at ", first, " was appended at offsets ", result.base_offset,
                                              "..", result.last_offset));
    }
    return absl::OkStatus();
  }

  absl::Status ReadAll(ReadVerifier* verifier) override { return ReadPartition(*partition_, verifier); }

  absl::Status Close() override {
    batches_.Release();
    absl::Status status = partition_ != nullptr ? partition_->Close() : absl::OkStatus();
    partition_.reset();
    return status;
  }

 private:
  const Dataset& data_;
  const bool durable_;
  std::unique_ptr<seglog::FileSystem> fs_;
  std::unique_ptr<seglog::Partition> partition_;
  PreEncodedBatches batches_;  // encoded at Open, released at Close
};

}  // namespace

std::unique_ptr<System> NewSeglogBatchesSystem(const Dataset& data, bool durable) {
  return std::make_unique<SeglogBatchesSystem>(data, durable);
}

}  // namespace seglog_compare

// seglog-partition: one seglog::Partition on the POSIX file system.
//
// Append: Partition::Append of the batch's records as seglog::Records (8-byte key, value, timestamp "now"),
// which encodes them into one RecordBatch v2 with its CRC-32C and write()s it: the encoding is inside the
// timed loop, as the peers' encoding is. Durable: AppendOptions{.durable = true} (one fdatasync per batch).
// Default PartitionConfig (Kafka's: 1 GiB segments, no append buffer) except max.message.bytes, raised to
// fit one batch when the batch is larger than Kafka's 1 MiB default.
// Read: Partition::Read(offset, {.max_bytes = 1 MiB}) from offset 0 to the high watermark, each batch parsed
// with BatchView::Parse (CRC checked) and its records iterated with a RecordReader (zero-copy views).
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

class SeglogPartitionSystem : public System {
 public:
  SeglogPartitionSystem(const Dataset& data, bool durable) : data_(data), durable_(durable) {}

  absl::Status Open(const std::string& dir) override {
    fs_ = seglog::NewPosixFileSystem();
    ASSIGN_OR_RETURN(partition_, OpenPartition(dir, data_, fs_.get()));
    keys_.assign(static_cast<size_t>(data_.batch()) * kKeySize, '\0');
    records_.resize(static_cast<size_t>(data_.batch()));
    return absl::OkStatus();
  }

  absl::Status AppendBatch(int64_t first, int n) override {
    for (int j = 0; j < n; ++j) {
      char* key = keys_.data() + static_cast<size_t>(j) * kKeySize;
      Dataset::EncodeKey(first + j, key);
      records_[static_cast<size_t>(j)] =
          seglog::Record{.key = std::string_view(key, kKeySize), .value = data_.Value(first + j)};
    }
    ASSIGN_OR_RETURN(
        seglog::AppendResult result,
        partition_->Append(absl::MakeConstSpan(records_.data(), static_cast<size_t>(n)), {.durable = durable_}));
    if (result.base_offset != first) {
      return absl::InternalError(absl::StrCat("batch at ", first, " was appended at offset ", result.base_offset));
    }
    return absl::OkStatus();
  }

  absl::Status ReadAll(ReadVerifier* verifier) override { return ReadPartition(*partition_, verifier); }

  absl::Status Close() override {
    absl::Status status = partition_ != nullptr ? partition_->Close() : absl::OkStatus();
    partition_.reset();
    return status;
  }

 private:
  const Dataset& data_;
  const bool durable_;
  std::unique_ptr<seglog::FileSystem> fs_;
  std::unique_ptr<seglog::Partition> partition_;
  std::string keys_;                     // the current batch's keys
  std::vector<seglog::Record> records_;  // the current batch
};

}  // namespace

std::unique_ptr<System> NewSeglogPartitionSystem(const Dataset& data, bool durable) {
  return std::make_unique<SeglogPartitionSystem>(data, durable);
}

}  // namespace seglog_compare

// Encoding and walking Kafka batches for the seglog and raw-write systems (kafka_batches.h).
#include "kafka_batches.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "util/status_macros.h"

namespace seglog_compare {

namespace {

// A batch starts with BaseOffset (int64) and BatchLength (int32, the bytes after it), big-endian.
constexpr size_t kLengthEnd = 12;

std::optional<size_t> WholeBatchSize(std::string_view bytes) {
  if (bytes.size() < kLengthEnd) return std::nullopt;
  uint32_t length = 0;
  for (size_t i = 8; i < kLengthEnd; ++i) length = (length << 8) | static_cast<unsigned char>(bytes[i]);
  const size_t size = kLengthEnd + length;
  if (size > bytes.size()) return std::nullopt;
  return size;
}

}  // namespace

absl::StatusOr<std::string_view> EncodeBatch(const Dataset& data, int64_t first, int n, seglog::BatchBuilder* builder) {
  builder->Reset({.base_offset = first});
  char key[kKeySize];
  for (int64_t i = first; i < first + n; ++i) {
    Dataset::EncodeKey(i, key);
    RETURN_IF_ERROR(builder->Append(kTimestampMs, std::string_view(key, kKeySize), data.Value(i)));
  }
  return builder->Build();
}

absl::StatusOr<size_t> WalkBatches(std::string_view bytes, bool check_crc, seglog::RecordReader* reader,
                                   ReadVerifier* verifier) {
  size_t used = 0;
  while (std::optional<size_t> size = WholeBatchSize(bytes.substr(used))) {
    const std::string_view one = bytes.substr(used, *size);
    ASSIGN_OR_RETURN(seglog::BatchView batch,
                     check_crc ? seglog::BatchView::Parse(one) : seglog::BatchView::ParseWithoutCrc(one));
    RETURN_IF_ERROR(reader->Reset(batch));
    seglog::RecordView record;
    while (reader->Next(&record)) {
      verifier->Add(record.key.value_or(std::string_view()), record.value.value_or(std::string_view()));
    }
    RETURN_IF_ERROR(reader->status());
    used += *size;
  }
  return used;
}

absl::Status PreEncodedBatches::Encode(const Dataset& data) {
  batch_ = data.batch();
  seglog::BatchBuilder builder;
  // Reserved up front (an upper bound; pages never written stay unallocated), so growing the buffer never
  // holds two copies: the memory check (preflight.cc) counts N * (V + 40) bytes per pre-encoding system.
  const uint64_t batches = (static_cast<uint64_t>(data.records()) + data.batch() - 1) / data.batch();
  encoded_.clear();
  starts_.clear();
  encoded_.reserve(static_cast<size_t>(batches * data.max_batch_bytes()));
  starts_.reserve(static_cast<size_t>(batches + 1));
  for (int64_t first = 0; first < data.records(); first += data.batch()) {
    const int n = static_cast<int>(std::min<int64_t>(data.batch(), data.records() - first));
    ASSIGN_OR_RETURN(std::string_view batch, EncodeBatch(data, first, n, &builder));
    starts_.push_back(encoded_.size());
    encoded_.append(batch);
  }
  starts_.push_back(encoded_.size());
  return absl::OkStatus();
}

absl::StatusOr<std::string_view> PreEncodedBatches::Batch(int64_t first) const {
  const auto index = static_cast<size_t>(first / batch_);
  if (first < 0 || first % batch_ != 0 || index + 1 >= starts_.size()) {
    return absl::InternalError(absl::StrCat("no pre-encoded batch starts at record ", first));
  }
  return std::string_view(encoded_.data() + starts_[index], starts_[index + 1] - starts_[index]);
}

void PreEncodedBatches::Release() {
  std::string().swap(encoded_);
  std::vector<size_t>().swap(starts_);
}

absl::StatusOr<std::unique_ptr<seglog::Partition>> OpenPartition(const std::string& dir, const Dataset& data,
                                                                 seglog::FileSystem* fs) {
  seglog::PartitionOptions options{.fs = fs, .create_if_missing = true};
  options.config.max_message_bytes =
      static_cast<int32_t>(std::max<uint64_t>(options.config.max_message_bytes, data.max_batch_bytes()));
  return seglog::Partition::Open(dir + "/compare-0", options);
}

absl::Status ReadPartition(const seglog::Partition& partition, ReadVerifier* verifier) {
  constexpr size_t kReadBytes = 1024 * 1024;
  seglog::RecordReader reader;
  int64_t offset = 0;
  const int64_t end = partition.high_watermark();
  while (offset < end) {
    ASSIGN_OR_RETURN(seglog::ReadResult read, partition.Read(offset, {.max_bytes = kReadBytes}));
    ASSIGN_OR_RETURN(size_t used, WalkBatches(read.bytes, /*check_crc=*/true, &reader, verifier));
    if (read.bytes.empty() || used != read.bytes.size()) {
      return absl::DataLossError(absl::StrCat("Partition::Read at offset ", offset, " returned ", read.bytes.size(),
                                              " bytes holding ", used, " bytes of whole batches"));
    }
    offset = read.next_offset;
  }
  return absl::OkStatus();
}

}  // namespace seglog_compare

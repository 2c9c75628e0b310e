// Kafka RecordBatch v2 helpers shared by the seglog and raw-write systems: encoding records of the dataset
// into one batch (or all of them, ahead of a timed loop), walking the records of whole batches into a
// ReadVerifier, and reading a whole seglog::Partition back.
//
//   seglog::BatchBuilder builder;
//   ASSIGN_OR_RETURN(std::string_view batch, EncodeBatch(data, first, n, &builder));
//   ASSIGN_OR_RETURN(size_t used, WalkBatches(bytes, /*check_crc=*/true, &reader, &verifier));
//
// Thread safety: stateless functions; the builder, reader and verifier passed in are the caller's.
#ifndef SEGLOG_BENCH_COMPARE_KAFKA_BATCHES_H_
#define SEGLOG_BENCH_COMPARE_KAFKA_BATCHES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "seglog/batch_builder.h"
#include "seglog/batch_view.h"
#include "seglog/partition.h"
#include "system.h"

namespace seglog_compare {

// The CreateTime stamped on batches the benchmark encodes itself.
inline constexpr int64_t kTimestampMs = 1700000000000;

// Records [first, first + n) of `data` as one uncompressed batch at base offset `first`; the bytes are valid
// until the builder's next use.
absl::StatusOr<std::string_view> EncodeBatch(const Dataset& data, int64_t first, int n, seglog::BatchBuilder* builder);

// Hands every record of the whole batches at the start of `bytes` to `verifier` (null key or value: empty),
// parsing each batch with BatchView::Parse (`check_crc`) or ParseWithoutCrc. Stops before a batch that
// `bytes` holds only part of; returns the bytes of whole batches walked. kDataLoss / kInvalidArgument for a
// corrupt batch.
absl::StatusOr<size_t> WalkBatches(std::string_view bytes, bool check_crc, seglog::RecordReader* reader,
                                   ReadVerifier* verifier);

// Every batch of a Dataset, encoded once (untimed) so that a timed loop writes only: raw-write's bytes, and
// seglog-batches' input. Holds about N * (V + 20) bytes.
class PreEncodedBatches {
 public:
  // Encodes records [0, data.records()) in batches of data.batch(), at base offsets 0, B, 2B, ...
  absl::Status Encode(const Dataset& data);
  // The batch that starts at record `first`; kInternal when no batch starts there.
  absl::StatusOr<std::string_view> Batch(int64_t first) const;
  // Frees the memory.
  void Release();

 private:
  int batch_ = 1;
  std::string encoded_;         // every batch, one after the other
  std::vector<size_t> starts_;  // where batch i starts in encoded_; then its end
};

// Opens (creating) the partition dir/compare-0 on `fs`: Kafka's default PartitionConfig except
// max.message.bytes, raised to fit one batch of `data` when that is larger than the 1 MiB default.
absl::StatusOr<std::unique_ptr<seglog::Partition>> OpenPartition(const std::string& dir, const Dataset& data,
                                                                 seglog::FileSystem* fs);

// Reads `partition` from offset 0 to its high watermark (Partition::Read of 1 MiB at a time), parsing every
// batch with its CRC checked and handing every record to `verifier`.
absl::Status ReadPartition(const seglog::Partition& partition, ReadVerifier* verifier);

}  // namespace seglog_compare

#endif  // SEGLOG_BENCH_COMPARE_KAFKA_BATCHES_H_

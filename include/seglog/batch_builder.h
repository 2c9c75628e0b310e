// BatchBuilder encodes records into one Kafka RecordBatch v2, compressing the records area if asked.
//
//   seglog::BatchBuilder builder({.compression = seglog::CompressionType::kLz4});
//   SEGLOG_RETURN_IF_ERROR(builder.Append(now_ms, "key", "value"));
//   SEGLOG_RETURN_IF_ERROR(builder.Append(now_ms, std::nullopt, std::nullopt, {{"trace", "abc"}}));  // null key/value
//   SEGLOG_ASSIGN_OR_RETURN(std::string_view batch, builder.Build());   // bytes valid until Reset/destruction
//
// Records are encoded straight into one buffer that is kept across Reset(), so a reused builder does no
// heap allocation per record (nor per batch once its buffers have grown). The result is byte-for-byte
// what Kafka's MemoryRecordsBuilder writes for the same records and options (apart from the codec's own
// compressed bytes).
//
// Thread safety: not thread-safe; one builder per thread.
#ifndef SEGLOG_BATCH_BUILDER_H_
#define SEGLOG_BATCH_BUILDER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "seglog/compression.h"
#include "seglog/record_batch.h"

namespace seglog {

// A record to encode (or to append to a Partition). Null key or value as std::nullopt; a negative timestamp
// means "now" for a Partition, and BatchBuilder::AppendRecords's default_timestamp for a builder.
struct Record {
  std::optional<std::string_view> key = std::nullopt;
  std::optional<std::string_view> value = std::nullopt;
  int64_t timestamp = -1;
  absl::Span<const RecordHeader> headers = {};
};

struct BatchBuilderOptions {
  int64_t base_offset = 0;
  CompressionType compression = CompressionType::kNone;
  int compression_level = kDefaultCompressionLevel;
  TimestampType timestamp_type = TimestampType::kCreateTime;
  // With kLogAppendTime: the broker's append time, written as MaxTimestamp (and so every record's timestamp).
  int64_t log_append_time = batch_format::kNoTimestamp;
  int64_t producer_id = batch_format::kNoProducerId;
  int16_t producer_epoch = batch_format::kNoProducerEpoch;
  int32_t base_sequence = batch_format::kNoSequence;
  bool transactional = false;
  bool control = false;
  int32_t partition_leader_epoch = batch_format::kNoPartitionLeaderEpoch;
};

class BatchBuilder {
 public:
  explicit BatchBuilder(const BatchBuilderOptions& options = {});
  BatchBuilder(const BatchBuilder&) = delete;
  BatchBuilder& operator=(const BatchBuilder&) = delete;

  // Starts a new batch with `options`, keeping the buffers already allocated.
  void Reset(const BatchBuilderOptions& options);

  // Appends a record at the next offset (base offset + records so far). std::nullopt = null key/value.
  // kInvalidArgument when a key, value or header is larger than Kafka's int32 lengths allow or the batch
  // would hold more than INT32_MAX records; kFailedPrecondition after Build().
  absl::Status Append(int64_t timestamp, std::optional<std::string_view> key,
                      std::optional<std::string_view> value, absl::Span<const RecordHeader> headers = {});

  // Appends a record at an explicit offset, which must be greater than the previous record's and less than
  // base offset + 2^31 (gaps are allowed, as in compacted batches).
  absl::Status AppendWithOffset(int64_t offset, int64_t timestamp, std::optional<std::string_view> key,
                                std::optional<std::string_view> value,
                                absl::Span<const RecordHeader> headers = {});

  // Appends `records` at the next offsets: the same bytes as Append of each in turn, faster (one sizing pass,
  // one buffer growth). A record's negative timestamp becomes `default_timestamp` (a timestamp, or -1 for
  // none). All or nothing: on an error (those of Append) no record is added.
  absl::Status AppendRecords(absl::Span<const Record> records, int64_t default_timestamp);

  // Finishes the batch (compressing, filling the header and CRC) and returns its bytes, valid until the
  // next Reset() or the builder's destruction. kFailedPrecondition when there are no records; a codec
  // failure's status otherwise. Calling Build() again returns the same bytes.
  absl::StatusOr<std::string_view> Build();

  // An upper bound on the bytes `r` adds to any batch: its length prefix, attributes, key, value and headers,
  // with the timestamp and offset deltas at their widest (Kafka's DefaultRecord.recordSizeUpperBound; the
  // timestamp is ignored). -1 when a key, value or header is past Kafka's int32 lengths or the record at its
  // widest would pass 2^31-1 bytes.
  static int64_t RecordSizeUpperBound(const Record& r);
  // An upper bound on the size Build() returns for a batch whose uncompressed_size() is `uncompressed_size`,
  // compressed with `codec`: the header plus MaxCompressedSize of the records.
  static size_t MaxBuiltSize(CompressionType codec, size_t uncompressed_size);

  int32_t num_records() const { return num_records_; }
  bool empty() const { return num_records_ == 0; }
  // Bytes the batch takes uncompressed: the header plus the records encoded so far (an upper bound on the
  // built size for uncompressed batches; the producer compares it with batch.size).
  size_t uncompressed_size() const;
  const BatchBuilderOptions& options() const { return options_; }

 private:
  absl::Status CheckAppendable() const;
  static absl::Status CheckTimestamp(int64_t timestamp);
  static int64_t TimestampDelta(int64_t timestamp, int64_t base_timestamp);
  // The record's encoded size after its length prefix; -1 past Kafka's int32 limits (SizeError says which).
  static int64_t BodySize(const Record& r, int64_t timestamp_delta, int32_t offset_delta);
  static absl::Status SizeError(const Record& r);
  // Writes the length-prefixed record at p (BodySize(...) + its varint bytes); returns the end.
  static char* EncodeRecord(char* p, int32_t body, const Record& r, int64_t timestamp_delta, int32_t offset_delta);
  std::string& records_buffer() { return compressed() ? records_ : buffer_; }
  bool compressed() const { return options_.compression != CompressionType::kNone; }

  BatchBuilderOptions options_;
  std::string buffer_;   // the batch: header, then records (uncompressed) or the compressed records
  std::string records_;  // encoded records before compression (compressed batches only)
  std::vector<int32_t> body_sizes_;  // AppendRecords' scratch: each record's size, from its sizing pass
  int32_t num_records_ = 0;
  int64_t last_offset_ = -1;
  int64_t base_timestamp_ = batch_format::kNoTimestamp;
  int64_t max_timestamp_ = batch_format::kNoTimestamp;
  bool built_ = false;
};

}  // namespace seglog

#endif  // SEGLOG_BATCH_BUILDER_H_

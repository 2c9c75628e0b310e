// BatchView validates one RecordBatch v2 in place; RecordReader iterates its records without copying
// (uncompressed batches) or from one reusable decompression buffer (compressed batches).
//
//   absl::StatusOr<seglog::BatchView> batch = seglog::BatchView::Parse(bytes);   // size, magic, CRC
//   if (!batch.ok()) return batch.status();          // kDataLoss: CRC mismatch; kInvalidArgument: malformed
//   seglog::RecordReader reader;
//   SEGLOG_RETURN_IF_ERROR(reader.Reset(*batch));
//   seglog::RecordView record;
//   while (reader.Next(&record)) Use(record.offset, record.key, record.value, record.headers);
//   SEGLOG_RETURN_IF_ERROR(reader.status());          // malformed records, count mismatch, corrupt payload
//
// Ownership: a BatchView borrows the bytes it was parsed from; they must outlive it. RecordViews point into
// those bytes or into the reader's buffer and are valid until the next Next()/Reset() or the reader's
// destruction. Thread safety: a BatchView is immutable and may be shared; a RecordReader is used by one
// thread at a time.
#ifndef SEGLOG_BATCH_VIEW_H_
#define SEGLOG_BATCH_VIEW_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "seglog/record_batch.h"

namespace seglog {

class BatchView {
 public:
  // Validates the batch that starts at bytes[0]: the header is complete, magic is 2, Length covers at least
  // the header and fits in `bytes`, the codec id is known, counts are not negative, and the CRC-32C matches.
  // `bytes` may continue past the batch (data() is exactly the batch). kDataLoss for a CRC mismatch,
  // kInvalidArgument for anything malformed; messages name the base offset and what was wrong.
  static absl::StatusOr<BatchView> Parse(std::string_view bytes);

  // The same checks without the CRC (for scanning a log whose batches were already validated).
  static absl::StatusOr<BatchView> ParseWithoutCrc(std::string_view bytes);

  const BatchHeader& header() const { return header_; }
  // The whole batch (header and records area).
  std::string_view data() const { return data_; }
  // The records area after the 61-byte header, compressed if the batch is.
  std::string_view records_data() const { return data_.substr(batch_format::kHeaderSize); }

  int64_t base_offset() const { return header_.base_offset; }
  int64_t last_offset() const { return header_.last_offset(); }
  int32_t records_count() const { return header_.records_count; }
  size_t size_in_bytes() const { return data_.size(); }
  CompressionType compression() const { return header_.compression(); }

 private:
  BatchView(const BatchHeader& header, std::string_view data) : header_(header), data_(data) {}
  static absl::StatusOr<BatchView> ParseImpl(std::string_view bytes, bool check_crc);

  BatchHeader header_;
  std::string_view data_;
};

struct DecodeOptions {
  // A compressed records area may not decompress to more than this (Kafka's default max.message.bytes is
  // 1 MiB; this leaves room for highly compressible batches while refusing decompression bombs).
  size_t max_uncompressed_bytes = 64 * 1024 * 1024;
};

class RecordReader {
 public:
  explicit RecordReader(DecodeOptions options = {}) : options_(options) {}
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // Starts reading `batch`, decompressing its records area into this reader's buffer when needed (kept and
  // reused across batches). Errors: kInvalidArgument for a corrupt or over-limit compressed payload.
  // `batch`'s bytes must stay valid while records are read.
  absl::Status Reset(const BatchView& batch);

  // Decodes the next record into *record. Returns false at the end of the batch or on an error; status()
  // tells which. The end is reached only after exactly records_count records and no leftover bytes.
  bool Next(RecordView* record);

  // OK, or the first error met (kInvalidArgument naming the batch, the record index and byte position).
  const absl::Status& status() const { return status_; }

 private:
  // Records the first error, naming the record and the byte at `at` (inside the records area); returns false.
  bool Fail(const char* at, std::string_view what);

  DecodeOptions options_;
  BatchHeader header_;
  std::string buffer_;                 // decompressed records area (compressed batches only)
  const char* begin_ = nullptr;        // records area being read
  const char* pos_ = nullptr;
  const char* end_ = nullptr;
  int32_t index_ = 0;                  // records decoded so far
  int32_t last_delta_ = -1;            // offset delta of the previous record
  absl::Status status_ = absl::FailedPreconditionError("RecordReader::Reset was not called");
};

}  // namespace seglog

#endif  // SEGLOG_BATCH_VIEW_H_

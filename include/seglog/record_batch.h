// Kafka RecordBatch v2 (magic 2): byte layout constants, the decoded batch header, and record views.
// The byte table is in doc/format/record-batch.md; the bytes are exactly Apache Kafka's.
//
//   offset  size  field                     offset  size  field
//    0      8     BaseOffset                 27     8     BaseTimestamp
//    8      4     Length (bytes after it)    35     8     MaxTimestamp
//   12      4     PartitionLeaderEpoch       43     8     ProducerId
//   16      1     Magic (2)                  51     2     ProducerEpoch
//   17      4     CRC-32C of [21, end)       53     4     BaseSequence
//   21      2     Attributes                 57     4     RecordsCount
//   23      4     LastOffsetDelta            61     ...   Records (the whole area compressed, if at all)
//
// BatchBuilder (batch_builder.h) writes batches, BatchView (batch_view.h) validates and reads them.
// Thread safety: plain value types; no shared state.
#ifndef SEGLOG_RECORD_BATCH_H_
#define SEGLOG_RECORD_BATCH_H_

#include <climits>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "seglog/compression.h"

namespace seglog {

namespace batch_format {
inline constexpr size_t kBaseOffsetOffset = 0;
inline constexpr size_t kLengthOffset = 8;
inline constexpr size_t kPartitionLeaderEpochOffset = 12;
inline constexpr size_t kMagicOffset = 16;
inline constexpr size_t kCrcOffset = 17;
inline constexpr size_t kAttributesOffset = 21;
inline constexpr size_t kLastOffsetDeltaOffset = 23;
inline constexpr size_t kBaseTimestampOffset = 27;
inline constexpr size_t kMaxTimestampOffset = 35;
inline constexpr size_t kProducerIdOffset = 43;
inline constexpr size_t kProducerEpochOffset = 51;
inline constexpr size_t kBaseSequenceOffset = 53;
inline constexpr size_t kRecordsCountOffset = 57;
inline constexpr size_t kRecordsOffset = 61;

inline constexpr size_t kHeaderSize = 61;       // RECORD_BATCH_OVERHEAD
inline constexpr size_t kLogOverhead = 12;      // BaseOffset + Length: bytes not counted by Length
inline constexpr size_t kHeaderSizeUpToMagic = 17;
inline constexpr int8_t kMagic = 2;

inline constexpr int16_t kCompressionMask = 0x07;
inline constexpr int16_t kTimestampTypeMask = 0x08;
inline constexpr int16_t kTransactionalMask = 0x10;
inline constexpr int16_t kControlMask = 0x20;
inline constexpr int16_t kDeleteHorizonMask = 0x40;

inline constexpr int64_t kNoTimestamp = -1;
inline constexpr int64_t kNoProducerId = -1;
inline constexpr int16_t kNoProducerEpoch = -1;
inline constexpr int32_t kNoSequence = -1;
inline constexpr int32_t kNoPartitionLeaderEpoch = -1;

// The smallest possible record: length, attributes, timestamp delta, offset delta, key length, value length,
// header count, one byte each.
inline constexpr size_t kMinRecordSize = 7;
}  // namespace batch_format

// `sequence` + `increment` wrapping past INT32_MAX to 0 (Kafka's DefaultRecordBatch.incrementSequence):
// producer sequences count 0, 1, ..., INT32_MAX, 0, ... For increment >= 0.
constexpr int32_t IncrementSequence(int32_t sequence, int32_t increment) {
  const int64_t next = static_cast<int64_t>(sequence) + increment;
  return static_cast<int32_t>(next > INT32_MAX ? next - INT32_MAX - 1 : next);
}

enum class TimestampType : int8_t { kCreateTime = 0, kLogAppendTime = 1 };

// The 61-byte header of a batch, decoded.
struct BatchHeader {
  int64_t base_offset = 0;
  int32_t length = 0;  // bytes after the Length field: the batch is kLogOverhead + length bytes
  int32_t partition_leader_epoch = batch_format::kNoPartitionLeaderEpoch;
  int8_t magic = batch_format::kMagic;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = batch_format::kNoTimestamp;
  int64_t max_timestamp = batch_format::kNoTimestamp;
  int64_t producer_id = batch_format::kNoProducerId;
  int16_t producer_epoch = batch_format::kNoProducerEpoch;
  int32_t base_sequence = batch_format::kNoSequence;
  int32_t records_count = 0;

  size_t size_in_bytes() const { return batch_format::kLogOverhead + static_cast<uint32_t>(length); }
  // Wraps rather than overflow on a hostile header (BatchView::Parse rejects such batches).
  int64_t last_offset() const {
    return static_cast<int64_t>(static_cast<uint64_t>(base_offset) + static_cast<uint64_t>(last_offset_delta));
  }
  int64_t next_offset() const { return static_cast<int64_t>(static_cast<uint64_t>(last_offset()) + 1); }
  CompressionType compression() const {
    return static_cast<CompressionType>(attributes & batch_format::kCompressionMask);
  }
  TimestampType timestamp_type() const {
    return (attributes & batch_format::kTimestampTypeMask) ? TimestampType::kLogAppendTime
                                                           : TimestampType::kCreateTime;
  }
  bool is_transactional() const { return attributes & batch_format::kTransactionalMask; }
  bool is_control() const { return attributes & batch_format::kControlMask; }
  bool has_delete_horizon() const { return attributes & batch_format::kDeleteHorizonMask; }
  // Sequence of the last record (wraps at INT32_MAX like Kafka), or kNoSequence.
  int32_t last_sequence() const;
};

// Decodes the header fields at the start of `bytes` (at least kHeaderSize of them). Checks only that the
// header is present and the magic is 2: BatchView::Parse does the full validation.
absl::StatusOr<BatchHeader> DecodeBatchHeader(std::string_view bytes);

// Rewrites fields the CRC does not cover, in place, on a batch's bytes (at least kHeaderSize of them):
// the broker assigns offsets and stamps leader epochs this way without re-checksumming.
void SetBaseOffset(char* batch, int64_t base_offset);
void SetPartitionLeaderEpoch(char* batch, int32_t epoch);

// CRC-32C over bytes [21, end) of a whole batch (what the CRC field must hold).
uint32_t ComputeBatchCrc(std::string_view batch);

// One record header. A header key is never null; the value may be.
struct RecordHeader {
  std::string_view key;
  std::optional<std::string_view> value;
};

// The headers of one record, decoded as they are iterated (RecordReader validated them already), so a
// record with many headers costs no memory beyond its bytes.
//
//   for (const seglog::RecordHeader& h : record.headers) Use(h.key, h.value);
class RecordHeaders {
 public:
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = RecordHeader;
    using difference_type = std::ptrdiff_t;
    using pointer = const RecordHeader*;
    using reference = const RecordHeader&;

    Iterator() = default;
    const RecordHeader& operator*() const { return current_; }
    const RecordHeader* operator->() const { return &current_; }
    Iterator& operator++() {
      Advance();
      return *this;
    }
    bool operator==(const Iterator& other) const { return remaining_ == other.remaining_; }

   private:
    friend class RecordHeaders;
    Iterator(const char* pos, const char* end, int32_t remaining) : pos_(pos), end_(end), remaining_(remaining) {
      Decode();
    }
    void Advance() {
      if (--remaining_ > 0) Decode();
    }
    void Decode();  // decodes the header at pos_ into current_ and moves pos_ past it

    const char* pos_ = nullptr;
    const char* end_ = nullptr;
    int32_t remaining_ = 0;
    RecordHeader current_;
  };

  RecordHeaders() = default;
  // [data, end) holds `count` encoded headers, already validated.
  RecordHeaders(const char* data, const char* end, int32_t count) : data_(data), end_(end), count_(count) {}

  size_t size() const { return static_cast<size_t>(count_); }
  bool empty() const { return count_ == 0; }
  Iterator begin() const { return count_ == 0 ? Iterator() : Iterator(data_, end_, count_); }
  Iterator end() const { return Iterator(); }

 private:
  const char* data_ = nullptr;
  const char* end_ = nullptr;
  int32_t count_ = 0;
};

// One record, as views into a batch (or into a RecordReader's decompression buffer). Valid until the
// reader moves on (see RecordReader). std::nullopt key/value = Kafka's null (-1 length).
struct RecordView {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  RecordHeaders headers;
};

}  // namespace seglog

#endif  // SEGLOG_RECORD_BATCH_H_

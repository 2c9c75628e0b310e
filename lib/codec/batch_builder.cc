// BatchBuilder: RecordBatch v2 encoding (DefaultRecord.writeTo + DefaultRecordBatch.writeHeader in Kafka).
#include "seglog/batch_builder.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "codec/varint.h"
#include "util/coding.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace seglog {

namespace bf = batch_format;
using internal::EncodeVarint;
using internal::EncodeVarlong;
using internal::VarintSize;
using internal::VarlongSize;

namespace {

int32_t NullableLength(const std::optional<std::string_view>& s) {
  return s ? static_cast<int32_t>(s->size()) : -1;
}

bool TooLong(const std::optional<std::string_view>& s) {
  return s && s->size() > static_cast<size_t>(INT32_MAX);
}

// Writes a length-prefixed byte string at p and returns the position after it.
char* PutBytes(char* p, std::string_view s) {
  p = EncodeVarint(p, static_cast<int32_t>(s.size()));
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// The same for a nullable one (length -1 for null).
char* PutNullable(char* p, const std::optional<std::string_view>& s) {
  return s ? PutBytes(p, *s) : EncodeVarint(p, -1);
}

// Kafka's MemoryRecordsBuilder.validateProducerState, plus LogAppendTime needing its time.
absl::Status ValidateProducerState(const BatchBuilderOptions& o) {
  if (o.transactional && o.producer_id == bf::kNoProducerId) {
    return absl::InvalidArgumentError("a transactional batch needs a producer id");
  }
  if (o.producer_id != bf::kNoProducerId) {
    if (o.producer_epoch == bf::kNoProducerEpoch) {
      return absl::InvalidArgumentError(absl::StrCat("producer id ", o.producer_id, " set without an epoch"));
    }
    if (o.base_sequence < 0 && !o.control) {
      return absl::InvalidArgumentError(
          absl::StrCat("producer id ", o.producer_id, " set without a base sequence (", o.base_sequence, ")"));
    }
  }
  if (o.timestamp_type == TimestampType::kLogAppendTime && o.log_append_time < 0) {
    return absl::InvalidArgumentError("LogAppendTime batch without log_append_time");
  }
  return absl::OkStatus();
}

}  // namespace

BatchBuilder::BatchBuilder(const BatchBuilderOptions& options) { Reset(options); }

void BatchBuilder::Reset(const BatchBuilderOptions& options) {
  options_ = options;
  buffer_.assign(bf::kHeaderSize, '\0');
  records_.clear();
  num_records_ = 0;
  // (Every append refuses a negative base offset; clamped so that INT64_MIN cannot overflow here.)
  last_offset_ = std::max<int64_t>(options.base_offset, 0) - 1;
  base_timestamp_ = bf::kNoTimestamp;
  max_timestamp_ = bf::kNoTimestamp;
  built_ = false;
}

size_t BatchBuilder::uncompressed_size() const {
  return compressed() ? bf::kHeaderSize + records_.size() : buffer_.size();
}

absl::Status BatchBuilder::Append(int64_t timestamp, std::optional<std::string_view> key,
                                  std::optional<std::string_view> value, absl::Span<const RecordHeader> headers) {
  if (last_offset_ == INT64_MAX) return absl::InvalidArgumentError("record offset would pass INT64_MAX");
  return AppendWithOffset(last_offset_ + 1, timestamp, key, value, headers);
}

absl::Status BatchBuilder::AppendWithOffset(int64_t offset, int64_t timestamp, std::optional<std::string_view> key,
                                            std::optional<std::string_view> value,
                                            absl::Span<const RecordHeader> headers) {
  RETURN_IF_ERROR(CheckAppendable());
  RETURN_IF_ERROR(CheckTimestamp(timestamp));
  if (offset <= last_offset_) {
    return absl::InvalidArgumentError(
        absl::StrCat("record offset ", offset, " is not greater than the previous offset ", last_offset_));
  }
  if (offset - options_.base_offset > INT32_MAX) {
    return absl::InvalidArgumentError(absl::StrCat("record offset ", offset, " is more than 2^31-1 past base offset ",
                                                   options_.base_offset));
  }
  if (num_records_ == INT32_MAX) return absl::InvalidArgumentError("a batch holds at most 2^31-1 records");
  const Record record{.key = key, .value = value, .timestamp = timestamp, .headers = headers};
  const int64_t base_timestamp = num_records_ == 0 ? timestamp : base_timestamp_;
  const auto offset_delta = static_cast<int32_t>(offset - options_.base_offset);
  const int64_t size = BodySize(record, TimestampDelta(timestamp, base_timestamp), offset_delta);
  if (size < 0) return SizeError(record);
  const auto body = static_cast<int32_t>(size);

  // One resize, then direct stores: no per-field append bookkeeping on the hot path.
  std::string& out = records_buffer();
  const size_t at = out.size();
  out.resize(at + static_cast<size_t>(VarintSize(body) + body));
  EncodeRecord(out.data() + at, body, record, TimestampDelta(timestamp, base_timestamp), offset_delta);
  base_timestamp_ = base_timestamp;
  max_timestamp_ = std::max(max_timestamp_, timestamp);  // starts at -1 (no timestamp), as in Kafka
  last_offset_ = offset;
  ++num_records_;
  return absl::OkStatus();
}

absl::Status BatchBuilder::AppendRecords(absl::Span<const Record> records, int64_t default_timestamp) {
  RETURN_IF_ERROR(CheckAppendable());
  if (records.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(CheckTimestamp(default_timestamp));
  if (records.size() > static_cast<size_t>(INT32_MAX - num_records_)) {
    return absl::InvalidArgumentError("a batch holds at most 2^31-1 records");
  }
  const auto n = static_cast<int64_t>(records.size());
  if (last_offset_ > INT64_MAX - n) return absl::InvalidArgumentError("record offset would pass INT64_MAX");
  if (last_offset_ + n - options_.base_offset > INT32_MAX) {
    return absl::InvalidArgumentError(absl::StrCat("record offset ", last_offset_ + n,
                                                   " is more than 2^31-1 past base offset ", options_.base_offset));
  }
  auto timestamp_of = [default_timestamp](const Record& r) {
    return r.timestamp < 0 ? default_timestamp : r.timestamp;
  };
  const int64_t base_timestamp = num_records_ == 0 ? timestamp_of(records[0]) : base_timestamp_;
  const auto first_delta = static_cast<int32_t>(last_offset_ + 1 - options_.base_offset);

  // Pass 1 checks and sizes every record (nothing is added unless all are valid), keeping the sizes for
  // pass 2, which encodes into one resize of the buffer.
  body_sizes_.resize(records.size());
  uint64_t total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const Record& r = records[static_cast<size_t>(i)];
    const int64_t body =
        BodySize(r, TimestampDelta(timestamp_of(r), base_timestamp), first_delta + static_cast<int32_t>(i));
    if (body < 0) return SizeError(r);
    body_sizes_[static_cast<size_t>(i)] = static_cast<int32_t>(body);
    total += static_cast<uint64_t>(VarintSize(static_cast<int32_t>(body)) + body);
  }
  std::string& out = records_buffer();
  const size_t at = out.size();
  out.resize(at + total);
  char* p = out.data() + at;
  int64_t max_timestamp = max_timestamp_;
  for (int64_t i = 0; i < n; ++i) {
    const Record& r = records[static_cast<size_t>(i)];
    const int64_t timestamp = timestamp_of(r);
    const int64_t timestamp_delta = TimestampDelta(timestamp, base_timestamp);
    p = EncodeRecord(p, body_sizes_[static_cast<size_t>(i)], r, timestamp_delta, first_delta + static_cast<int32_t>(i));
    max_timestamp = std::max(max_timestamp, timestamp);
  }
  base_timestamp_ = base_timestamp;
  max_timestamp_ = max_timestamp;
  last_offset_ += n;
  num_records_ += static_cast<int32_t>(n);
  return absl::OkStatus();
}

absl::Status BatchBuilder::CheckAppendable() const {
  if (built_) return absl::FailedPreconditionError("BatchBuilder: Append after Build; call Reset first");
  if (options_.base_offset < 0) {
    return absl::InvalidArgumentError(absl::StrCat("negative base offset ", options_.base_offset));
  }
  return absl::OkStatus();
}

absl::Status BatchBuilder::CheckTimestamp(int64_t timestamp) {
  if (timestamp < 0 && timestamp != bf::kNoTimestamp) {  // Kafka: "Invalid negative timestamp"
    return absl::InvalidArgumentError(absl::StrCat("invalid negative timestamp ", timestamp));
  }
  return absl::OkStatus();
}

int64_t BatchBuilder::TimestampDelta(int64_t timestamp, int64_t base_timestamp) {
  // Wrapping subtraction: a hostile timestamp must not be UB; Kafka's long arithmetic wraps the same way.
  return static_cast<int64_t>(static_cast<uint64_t>(timestamp) - static_cast<uint64_t>(base_timestamp));
}

int64_t BatchBuilder::BodySize(const Record& r, int64_t timestamp_delta, int32_t offset_delta) {
  if (TooLong(r.key) || TooLong(r.value) || r.headers.size() > static_cast<size_t>(INT32_MAX)) return -1;
  // Kafka prefixes each record with the varint length of what follows: the attributes byte, the deltas, key,
  // value and headers.
  uint64_t body = 1 + VarlongSize(timestamp_delta) + VarintSize(offset_delta);
  body += VarintSize(NullableLength(r.key)) + (r.key ? r.key->size() : 0);
  body += VarintSize(NullableLength(r.value)) + (r.value ? r.value->size() : 0);
  body += VarintSize(static_cast<int32_t>(r.headers.size()));
  for (const RecordHeader& h : r.headers) {
    if (h.key.size() > static_cast<size_t>(INT32_MAX) || TooLong(h.value)) return -1;
    body += VarintSize(static_cast<int32_t>(h.key.size())) + h.key.size();
    body += VarintSize(NullableLength(h.value)) + (h.value ? h.value->size() : 0);
  }
  return body > static_cast<uint64_t>(INT32_MAX) ? -1 : static_cast<int64_t>(body);
}

int64_t BatchBuilder::RecordSizeUpperBound(const Record& r) {
  // INT64_MIN and INT32_MIN have the longest zig-zag encodings (10 and 5 bytes).
  const int64_t body = BodySize(r, INT64_MIN, INT32_MIN);
  return body < 0 ? -1 : internal::kMaxVarintBytes + body;
}

size_t BatchBuilder::MaxBuiltSize(CompressionType codec, size_t uncompressed_size) {
  if (uncompressed_size < bf::kHeaderSize) return uncompressed_size;
  return bf::kHeaderSize + MaxCompressedSize(codec, uncompressed_size - bf::kHeaderSize);
}

absl::Status BatchBuilder::SizeError(const Record& r) {
  if (TooLong(r.key) || TooLong(r.value)) {
    return absl::InvalidArgumentError("record key or value is longer than 2^31-1 bytes");
  }
  if (r.headers.size() > static_cast<size_t>(INT32_MAX)) return absl::InvalidArgumentError("too many headers");
  for (const RecordHeader& h : r.headers) {
    if (h.key.size() > static_cast<size_t>(INT32_MAX) || TooLong(h.value)) {
      return absl::InvalidArgumentError("record header key or value is longer than 2^31-1 bytes");
    }
  }
  return absl::InvalidArgumentError("record is larger than 2^31-1 bytes");
}

char* BatchBuilder::EncodeRecord(char* p, int32_t body, const Record& r, int64_t timestamp_delta,
                                 int32_t offset_delta) {
  p = EncodeVarint(p, body);
  *p++ = 0;  // record attributes: unused
  p = EncodeVarlong(p, timestamp_delta);
  p = EncodeVarint(p, offset_delta);
  p = PutNullable(p, r.key);
  p = PutNullable(p, r.value);
  p = EncodeVarint(p, static_cast<int32_t>(r.headers.size()));
  for (const RecordHeader& h : r.headers) {
    p = PutBytes(p, h.key);
    p = PutNullable(p, h.value);
  }
  return p;
}

absl::StatusOr<std::string_view> BatchBuilder::Build() {
  if (built_) return std::string_view(buffer_);
  if (num_records_ == 0) return absl::FailedPreconditionError("BatchBuilder: a batch needs at least one record");
  RETURN_IF_ERROR(ValidateProducerState(options_));
  if (compressed()) {
    buffer_.resize(bf::kHeaderSize);
    absl::Status s = Compress(options_.compression, records_, &buffer_, options_.compression_level);
    if (!s.ok()) return s;
  }
  if (buffer_.size() - bf::kLogOverhead > static_cast<size_t>(INT32_MAX)) {
    return absl::InvalidArgumentError(absl::StrCat("batch of ", buffer_.size(), " bytes is larger than 2^31-1"));
  }
  int16_t attributes = static_cast<int16_t>(options_.compression);
  if (options_.timestamp_type == TimestampType::kLogAppendTime) attributes |= bf::kTimestampTypeMask;
  if (options_.transactional) attributes |= bf::kTransactionalMask;
  if (options_.control) attributes |= bf::kControlMask;
  const int64_t max_timestamp =
      options_.timestamp_type == TimestampType::kLogAppendTime ? options_.log_append_time : max_timestamp_;

  char* h = buffer_.data();
  internal::StoreBigEndian64(h + bf::kBaseOffsetOffset, static_cast<uint64_t>(options_.base_offset));
  internal::StoreBigEndian32(h + bf::kLengthOffset, static_cast<uint32_t>(buffer_.size() - bf::kLogOverhead));
  internal::StoreBigEndian32(h + bf::kPartitionLeaderEpochOffset,
                             static_cast<uint32_t>(options_.partition_leader_epoch));
  h[bf::kMagicOffset] = bf::kMagic;
  internal::StoreBigEndian16(h + bf::kAttributesOffset, static_cast<uint16_t>(attributes));
  internal::StoreBigEndian32(h + bf::kLastOffsetDeltaOffset,
                             static_cast<uint32_t>(last_offset_ - options_.base_offset));
  internal::StoreBigEndian64(h + bf::kBaseTimestampOffset, static_cast<uint64_t>(base_timestamp_));
  internal::StoreBigEndian64(h + bf::kMaxTimestampOffset, static_cast<uint64_t>(max_timestamp));
  internal::StoreBigEndian64(h + bf::kProducerIdOffset, static_cast<uint64_t>(options_.producer_id));
  internal::StoreBigEndian16(h + bf::kProducerEpochOffset, static_cast<uint16_t>(options_.producer_epoch));
  internal::StoreBigEndian32(h + bf::kBaseSequenceOffset, static_cast<uint32_t>(options_.base_sequence));
  internal::StoreBigEndian32(h + bf::kRecordsCountOffset, static_cast<uint32_t>(num_records_));
  internal::StoreBigEndian32(h + bf::kCrcOffset, ComputeBatchCrc(buffer_));
  built_ = true;
  return std::string_view(buffer_);
}

}  // namespace seglog

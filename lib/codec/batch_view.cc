// BatchView validation and RecordReader decoding of RecordBatch v2.
#include "seglog/batch_view.h"

#include <climits>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "codec/varint.h"
#include "util/coding.h"
#include "util/strings.h"

namespace seglog {

namespace bf = batch_format;
using internal::DecodeVarint;
using internal::DecodeVarlong;
using internal::VarintResult;

absl::StatusOr<BatchView> BatchView::Parse(std::string_view bytes) { return ParseImpl(bytes, true); }

absl::StatusOr<BatchView> BatchView::ParseWithoutCrc(std::string_view bytes) { return ParseImpl(bytes, false); }

absl::StatusOr<BatchView> BatchView::ParseImpl(std::string_view bytes, bool check_crc) {
  if (bytes.size() < bf::kLogOverhead) {
    return absl::InvalidArgumentError(absl::StrCat("batch truncated: ", bytes.size(),
                                                   " bytes, need at least 12 for base offset and length"));
  }
  const auto base_offset = static_cast<int64_t>(internal::LoadBigEndian64(bytes.data()));
  // Magic first (as Kafka's FileLogInputStream does): a v0/v1 message or a misframed position is reported
  // as what it is rather than as a bad length.
  if (bytes.size() > bf::kMagicOffset && bytes[bf::kMagicOffset] != bf::kMagic) {
    return absl::InvalidArgumentError(absl::StrCat("batch at offset ", base_offset, ": magic is ",
                                                   static_cast<int>(static_cast<int8_t>(bytes[bf::kMagicOffset])),
                                                   ", expected 2"));
  }
  const auto length = static_cast<int32_t>(internal::LoadBigEndian32(bytes.data() + bf::kLengthOffset));
  if (length < static_cast<int32_t>(bf::kHeaderSize - bf::kLogOverhead)) {
    return absl::InvalidArgumentError(absl::StrCat("batch at offset ", base_offset, ": length ", length,
                                                   " is smaller than the 49 bytes of a batch header"));
  }
  const size_t size = bf::kLogOverhead + static_cast<size_t>(length);
  if (size > bytes.size()) {
    return absl::InvalidArgumentError(absl::StrCat("batch at offset ", base_offset, " is truncated: length says ",
                                                   size, " bytes, only ", bytes.size(), " present"));
  }
  absl::StatusOr<BatchHeader> header = DecodeBatchHeader(bytes);
  if (!header.ok()) return header.status();
  const std::string_view data = bytes.substr(0, size);
  if (check_crc) {
    const uint32_t computed = ComputeBatchCrc(data);
    if (computed != header->crc) {
      return absl::DataLossError(absl::StrFormat("batch at offset %d (%d bytes): CRC-32C mismatch: stored 0x%08x, "
                                                 "computed 0x%08x",
                                                 base_offset, size, header->crc, computed));
    }
  }
  const int codec = header->attributes & bf::kCompressionMask;
  if (codec > static_cast<int>(CompressionType::kZstd)) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch at offset ", base_offset, ": unknown compression codec id ", codec));
  }
  if (header->records_count < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch at offset ", base_offset, ": negative records count ", header->records_count));
  }
  if (header->last_offset_delta < 0 ||
      (header->records_count > 0 && header->last_offset_delta < header->records_count - 1)) {
    return absl::InvalidArgumentError(absl::StrCat("batch at offset ", base_offset, ": last offset delta ",
                                                   header->last_offset_delta, " cannot hold ",
                                                   header->records_count, " records"));
  }
  if (header->base_offset > INT64_MAX - header->last_offset_delta) {
    return absl::InvalidArgumentError(absl::StrCat("batch at offset ", base_offset, ": last offset delta ",
                                                   header->last_offset_delta, " overflows the offset range"));
  }
  const size_t records_bytes = size - bf::kHeaderSize;
  if (codec == 0 && static_cast<size_t>(header->records_count) > records_bytes / bf::kMinRecordSize) {
    return absl::InvalidArgumentError(absl::StrCat("batch at offset ", base_offset, ": records count ",
                                                   header->records_count, " cannot fit in ", records_bytes,
                                                   " bytes of records"));
  }
  return BatchView(*header, data);
}

absl::Status RecordReader::Reset(const BatchView& batch) {
  header_ = batch.header();
  index_ = 0;
  last_delta_ = -1;
  status_ = absl::OkStatus();
  std::string_view records = batch.records_data();
  if (header_.compression() != CompressionType::kNone && header_.records_count > 0) {
    // (Like Kafka, a batch of no records - left by compaction - is never decompressed.)
    buffer_.clear();
    absl::Status s = Decompress(header_.compression(), records, options_.max_uncompressed_bytes, &buffer_);
    if (!s.ok()) {
      status_ = absl::InvalidArgumentError(absl::StrCat("batch at offset ", header_.base_offset, ": ", s.message()));
      begin_ = pos_ = end_ = nullptr;
      return status_;
    }
    records = buffer_;
    if (static_cast<size_t>(header_.records_count) > records.size() / bf::kMinRecordSize) {
      status_ = absl::InvalidArgumentError(absl::StrCat("batch at offset ", header_.base_offset, ": records count ",
                                                        header_.records_count, " cannot fit in ", records.size(),
                                                        " decompressed bytes"));
      begin_ = pos_ = end_ = nullptr;
      return status_;
    }
  }
  begin_ = pos_ = records.data();
  end_ = records.data() + records.size();
  return status_;
}

bool RecordReader::Fail(const char* at_ptr, std::string_view what) {
  const bool compressed = header_.compression() != CompressionType::kNone;
  const size_t at = static_cast<size_t>(at_ptr - begin_) + (compressed ? 0 : bf::kHeaderSize);
  status_ = absl::InvalidArgumentError(absl::StrCat("batch at offset ", header_.base_offset, ": record ", index_,
                                                    " at byte ", at, compressed ? " of decompressed records" : "",
                                                    ": ", internal::Sv(what)));
  return false;
}

namespace {

enum class BytesResult { kOk, kTruncated, kOverlong, kNegative, kPastEnd };

// Reads a byte string (varint length; -1 = null where `nullable`) ending before `limit`. On failure
// *length holds the length read, for BytesError.
inline BytesResult ReadBytes(const char** p, const char* limit, std::optional<std::string_view>* out,
                             bool nullable, int32_t* length) {
  switch (DecodeVarint(p, limit, length)) {
    case VarintResult::kTruncated: return BytesResult::kTruncated;
    case VarintResult::kOverlong: return BytesResult::kOverlong;
    case VarintResult::kOk: break;
  }
  const int32_t n = *length;
  if (n < 0) {
    if (n != -1 || !nullable) return BytesResult::kNegative;
    *out = std::nullopt;
    return BytesResult::kOk;
  }
  if (static_cast<size_t>(n) > static_cast<size_t>(limit - *p)) return BytesResult::kPastEnd;
  *out = std::string_view(*p, static_cast<size_t>(n));
  *p += n;
  return BytesResult::kOk;
}

// What went wrong with a byte string, for the error message (cold path).
std::string BytesError(BytesResult r, int32_t length, const char* p, const char* limit) {
  switch (r) {
    case BytesResult::kTruncated: return "length varint is truncated";
    case BytesResult::kOverlong: return "length varint is longer than 5 bytes";
    case BytesResult::kNegative: return absl::StrCat("negative length ", length);
    case BytesResult::kPastEnd:
      return absl::StrCat("length ", length, " runs past the end of the record (", limit - p, " bytes left)");
    case BytesResult::kOk: break;
  }
  return "ok";
}

}  // namespace

bool RecordReader::Next(RecordView* record) {
  if (!status_.ok()) return false;
  if (index_ == header_.records_count) {
    if (pos_ != end_) {
      return Fail(pos_, absl::StrCat(end_ - pos_, " bytes left after the last of ", header_.records_count,
                                     " records"));
    }
    return false;
  }
  if (pos_ == end_) {
    return Fail(pos_, absl::StrCat("missing: records area ends after ", index_, " of ", header_.records_count,
                                   " records"));
  }
  const char* p = pos_;
  int32_t length;
  switch (DecodeVarint(&p, end_, &length)) {
    case VarintResult::kTruncated: return Fail(pos_, "length varint is truncated");
    case VarintResult::kOverlong: return Fail(pos_, "length varint is longer than 5 bytes");
    case VarintResult::kOk: break;
  }
  if (length < 0) return Fail(pos_, absl::StrCat("negative record length ", length));
  if (static_cast<size_t>(length) > static_cast<size_t>(end_ - p)) {
    return Fail(pos_, absl::StrCat("record length ", length, " runs past the end (", end_ - p, " bytes left)"));
  }
  const char* body_end = p + length;
  if (p == body_end) return Fail(p, "record has no attributes byte");
  ++p;  // attributes: unused
  // Each failure below names the position of the field being read (p has not moved past it).
  int64_t timestamp_delta;
  if (DecodeVarlong(&p, body_end, &timestamp_delta) != VarintResult::kOk) {
    return Fail(p, "timestamp delta varlong is truncated or longer than 10 bytes");
  }
  int32_t offset_delta;
  if (DecodeVarint(&p, body_end, &offset_delta) != VarintResult::kOk) {
    return Fail(p, "offset delta varint is truncated or longer than 5 bytes");
  }
  if (offset_delta <= last_delta_ || offset_delta > header_.last_offset_delta) {
    return Fail(p, absl::StrCat("offset delta ", offset_delta, " is not in (", last_delta_, ", ",
                                header_.last_offset_delta, "]"));
  }
  const char* field = p;
  int32_t n = 0;
  if (BytesResult r = ReadBytes(&p, body_end, &record->key, true, &n); r != BytesResult::kOk) {
    return Fail(field, absl::StrCat("key ", BytesError(r, n, p, body_end)));
  }
  field = p;
  if (BytesResult r = ReadBytes(&p, body_end, &record->value, true, &n); r != BytesResult::kOk) {
    return Fail(field, absl::StrCat("value ", BytesError(r, n, p, body_end)));
  }
  int32_t header_count;
  field = p;
  if (DecodeVarint(&p, body_end, &header_count) != VarintResult::kOk) {
    return Fail(field, "header count varint is truncated or longer than 5 bytes");
  }
  if (header_count < 0) return Fail(field, absl::StrCat("negative header count ", header_count));
  if (header_count > body_end - p) {
    return Fail(field, absl::StrCat("header count ", header_count, " exceeds the ", body_end - p, " bytes left"));
  }
  // Validate the headers now; RecordHeaders decodes them again, lazily, when the caller iterates.
  const char* headers = p;
  for (int32_t i = 0; i < header_count; ++i) {
    std::optional<std::string_view> ignored;
    field = p;
    if (BytesResult r = ReadBytes(&p, body_end, &ignored, false, &n); r != BytesResult::kOk) {
      return Fail(field, absl::StrCat("header ", i, " key ", BytesError(r, n, p, body_end)));
    }
    field = p;
    if (BytesResult r = ReadBytes(&p, body_end, &ignored, true, &n); r != BytesResult::kOk) {
      return Fail(field, absl::StrCat("header ", i, " value ", BytesError(r, n, p, body_end)));
    }
  }
  if (p != body_end) {
    return Fail(p, absl::StrCat("record length ", length, " leaves ", body_end - p, " bytes unread"));
  }
  record->offset = header_.base_offset + offset_delta;
  record->timestamp = header_.timestamp_type() == TimestampType::kLogAppendTime
                          ? header_.max_timestamp
                          : static_cast<int64_t>(static_cast<uint64_t>(header_.base_timestamp) +
                                                 static_cast<uint64_t>(timestamp_delta));  // wraps, never UB
  record->headers = RecordHeaders(headers, body_end, header_count);
  last_delta_ = offset_delta;
  pos_ = body_end;
  ++index_;
  return true;
}

void RecordHeaders::Iterator::Decode() {
  // Already validated by RecordReader::Next: every varint terminates and every length fits.
  int32_t n = 0;
  DecodeVarint(&pos_, end_, &n);
  current_.key = std::string_view(pos_, static_cast<size_t>(n));
  pos_ += n;
  DecodeVarint(&pos_, end_, &n);
  if (n < 0) {
    current_.value = std::nullopt;
  } else {
    current_.value = std::string_view(pos_, static_cast<size_t>(n));
    pos_ += n;
  }
}

}  // namespace seglog

// RecordBatch v2 header decoding and the in-place header rewrites the CRC does not cover.
#include "seglog/record_batch.h"

#include <climits>

#include "absl/strings/str_cat.h"
#include "seglog/crc32c.h"
#include "util/coding.h"

namespace seglog {

using internal::LoadBigEndian16;
using internal::LoadBigEndian32;
using internal::LoadBigEndian64;
namespace bf = batch_format;

int32_t BatchHeader::last_sequence() const {
  if (base_sequence == bf::kNoSequence) return bf::kNoSequence;
  return IncrementSequence(base_sequence, last_offset_delta);
}

absl::StatusOr<BatchHeader> DecodeBatchHeader(std::string_view bytes) {
  if (bytes.size() < bf::kHeaderSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch header truncated: ", bytes.size(), " bytes, need ", bf::kHeaderSize));
  }
  const char* p = bytes.data();
  BatchHeader h;
  h.base_offset = static_cast<int64_t>(LoadBigEndian64(p + bf::kBaseOffsetOffset));
  h.length = static_cast<int32_t>(LoadBigEndian32(p + bf::kLengthOffset));
  h.partition_leader_epoch = static_cast<int32_t>(LoadBigEndian32(p + bf::kPartitionLeaderEpochOffset));
  h.magic = static_cast<int8_t>(p[bf::kMagicOffset]);
  if (h.magic != bf::kMagic) {
    return absl::InvalidArgumentError(absl::StrCat("batch at offset ", h.base_offset, ": magic is ",
                                                   static_cast<int>(h.magic), ", expected 2"));
  }
  h.crc = LoadBigEndian32(p + bf::kCrcOffset);
  h.attributes = static_cast<int16_t>(LoadBigEndian16(p + bf::kAttributesOffset));
  h.last_offset_delta = static_cast<int32_t>(LoadBigEndian32(p + bf::kLastOffsetDeltaOffset));
  h.base_timestamp = static_cast<int64_t>(LoadBigEndian64(p + bf::kBaseTimestampOffset));
  h.max_timestamp = static_cast<int64_t>(LoadBigEndian64(p + bf::kMaxTimestampOffset));
  h.producer_id = static_cast<int64_t>(LoadBigEndian64(p + bf::kProducerIdOffset));
  h.producer_epoch = static_cast<int16_t>(LoadBigEndian16(p + bf::kProducerEpochOffset));
  h.base_sequence = static_cast<int32_t>(LoadBigEndian32(p + bf::kBaseSequenceOffset));
  h.records_count = static_cast<int32_t>(LoadBigEndian32(p + bf::kRecordsCountOffset));
  return h;
}

void SetBaseOffset(char* batch, int64_t base_offset) {
  internal::StoreBigEndian64(batch + bf::kBaseOffsetOffset, static_cast<uint64_t>(base_offset));
}

void SetPartitionLeaderEpoch(char* batch, int32_t epoch) {
  internal::StoreBigEndian32(batch + bf::kPartitionLeaderEpochOffset, static_cast<uint32_t>(epoch));
}

uint32_t ComputeBatchCrc(std::string_view batch) {
  return Crc32c(batch.data() + bf::kAttributesOffset, batch.size() - bf::kAttributesOffset);
}

}  // namespace seglog

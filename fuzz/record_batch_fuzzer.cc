// seglog_fuzz_record_batch: the RecordBatch v2 parser (BatchView::Parse / ParseWithoutCrc), record
// iteration (RecordReader, RecordHeaders) over every codec, and the bounded decompressors.
//
// The first input byte picks a mode (byte % 3), the rest is that mode's data:
//   0  raw      the data is a run of batches, as in a .log: each is parsed with and without the CRC check
//               and its records are read, until a batch does not parse.
//   1  wrapped  byte 1 picks the codec (% 5) and the timestamp type (bit 3), bytes 2-3 the records count
//               (big-endian); the rest is the records area. A valid header with a correct CRC is built around
//               it, so the fuzzer reaches the decompressor and the record parser without forging CRCs.
//   2  codec    byte 1 picks the codec (% 5); the rest goes straight to Decompress.
// Every batch whose records all read back is rebuilt with BatchBuilder and must read back the same
// records; a successful decompression must stay within its limit and survive a compress/decompress trip.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "seglog/batch_builder.h"
#include "seglog/batch_view.h"
#include "seglog/compression.h"
#include "seglog/record_batch.h"
#include "util/coding.h"

namespace {

namespace bf = seglog::batch_format;

// Small enough that a decompression bomb costs little time per input; the library's default is 64 MiB.
constexpr size_t kMaxUncompressed = 4 << 20;

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "seglog_fuzz_record_batch: invariant failed: %s\n", what);
    abort();
  }
}

struct OwnedHeader {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const OwnedHeader&) const = default;
};

struct OwnedRecord {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<OwnedHeader> headers;
  bool operator==(const OwnedRecord&) const = default;
};

std::optional<std::string> Own(std::optional<std::string_view> v) {
  return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

// Reads every record of `batch`; std::nullopt when the records are invalid.
std::optional<std::vector<OwnedRecord>> ReadRecords(const seglog::BatchView& batch) {
  seglog::RecordReader reader(seglog::DecodeOptions{.max_uncompressed_bytes = kMaxUncompressed});
  if (!reader.Reset(batch).ok()) {
    Check(!reader.status().ok(), "Reset failed but status() is OK");
    return std::nullopt;
  }
  std::vector<OwnedRecord> records;
  seglog::RecordView record;
  while (reader.Next(&record)) {
    OwnedRecord r{record.offset, record.timestamp, Own(record.key), Own(record.value), {}};
    Check(record.offset >= batch.base_offset() && record.offset <= batch.last_offset(), "record offset out of batch");
    for (const seglog::RecordHeader& h : record.headers) r.headers.push_back({std::string(h.key), Own(h.value)});
    Check(r.headers.size() == record.headers.size(), "header count differs from headers iterated");
    records.push_back(std::move(r));
  }
  Check(!reader.Next(&record), "Next returned a record after the end");
  if (!reader.status().ok()) return std::nullopt;
  Check(records.size() == static_cast<size_t>(batch.records_count()), "records read != records count");
  return records;
}

// Rebuilds `batch`'s records with BatchBuilder and checks they read back unchanged.
void CheckRoundTrip(const seglog::BatchView& batch, const std::vector<OwnedRecord>& records) {
  if (records.empty() || batch.header().timestamp_type() != seglog::TimestampType::kCreateTime) return;
  seglog::BatchBuilder builder({.base_offset = batch.base_offset(), .compression = batch.compression()});
  for (const OwnedRecord& r : records) {
    std::vector<seglog::RecordHeader> headers;
    for (const OwnedHeader& h : r.headers) {
      headers.push_back({h.key, h.value ? std::optional<std::string_view>(*h.value) : std::nullopt});
    }
    // The builder refuses what Kafka's producer would (e.g. negative timestamps); nothing to compare then.
    if (!builder.AppendWithOffset(r.offset, r.timestamp, r.key, r.value, headers).ok()) return;
  }
  absl::StatusOr<std::string_view> built = builder.Build();
  Check(built.ok(), "Build failed on records that were appended");
  absl::StatusOr<seglog::BatchView> reparsed = seglog::BatchView::Parse(*built);
  Check(reparsed.ok(), "a built batch does not parse");
  std::optional<std::vector<OwnedRecord>> again = ReadRecords(*reparsed);
  Check(again.has_value(), "a built batch's records do not read");
  Check(*again == records, "records changed in a rebuild");
}

void ReadBatch(const seglog::BatchView& batch) {
  std::optional<std::vector<OwnedRecord>> records = ReadRecords(batch);
  if (records) CheckRoundTrip(batch, *records);
}

void FuzzRaw(std::string_view data) {
  while (!data.empty()) {
    absl::StatusOr<seglog::BatchView> batch = seglog::BatchView::Parse(data);
    absl::StatusOr<seglog::BatchView> unchecked = seglog::BatchView::ParseWithoutCrc(data);
    if (batch.ok()) Check(unchecked.ok(), "Parse accepts what ParseWithoutCrc refuses");
    if (!unchecked.ok()) return;
    Check(unchecked->size_in_bytes() <= data.size(), "batch larger than its bytes");
    ReadBatch(*unchecked);
    data.remove_prefix(unchecked->size_in_bytes());
  }
}

void FuzzWrapped(std::string_view data) {
  if (data.size() < 3) return;
  const auto selector = static_cast<uint8_t>(data[0]);
  const auto count = static_cast<int32_t>(seglog::internal::LoadBigEndian16(data.data() + 1));
  const std::string_view records = data.substr(3);
  int16_t attributes = static_cast<int16_t>(selector % 5);
  if (selector & 0x08) attributes |= bf::kTimestampTypeMask;
  std::string batch(bf::kHeaderSize, '\0');
  batch.append(records);
  char* p = batch.data();
  seglog::internal::StoreBigEndian64(p + bf::kBaseOffsetOffset, 1000);
  seglog::internal::StoreBigEndian32(p + bf::kLengthOffset, static_cast<uint32_t>(batch.size() - bf::kLogOverhead));
  seglog::internal::StoreBigEndian32(p + bf::kPartitionLeaderEpochOffset, 0);
  p[bf::kMagicOffset] = bf::kMagic;
  seglog::internal::StoreBigEndian16(p + bf::kAttributesOffset, static_cast<uint16_t>(attributes));
  seglog::internal::StoreBigEndian32(p + bf::kLastOffsetDeltaOffset, static_cast<uint32_t>(count > 0 ? count - 1 : 0));
  seglog::internal::StoreBigEndian64(p + bf::kBaseTimestampOffset, 1700000000000);
  seglog::internal::StoreBigEndian64(p + bf::kMaxTimestampOffset, 1700000000000);
  seglog::internal::StoreBigEndian64(p + bf::kProducerIdOffset, static_cast<uint64_t>(-1));
  seglog::internal::StoreBigEndian16(p + bf::kProducerEpochOffset, static_cast<uint16_t>(-1));
  seglog::internal::StoreBigEndian32(p + bf::kBaseSequenceOffset, static_cast<uint32_t>(-1));
  seglog::internal::StoreBigEndian32(p + bf::kRecordsCountOffset, static_cast<uint32_t>(count));
  seglog::internal::StoreBigEndian32(p + bf::kCrcOffset, seglog::ComputeBatchCrc(batch));
  absl::StatusOr<seglog::BatchView> view = seglog::BatchView::Parse(batch);
  if (!view.ok()) return;  // e.g. more records than an uncompressed area can hold
  ReadBatch(*view);
}

void FuzzCodec(std::string_view data) {
  if (data.empty()) return;
  const auto type = static_cast<seglog::CompressionType>(static_cast<uint8_t>(data[0]) % 5);
  const std::string_view input = data.substr(1);
  std::string out = "prefix";
  absl::Status s = seglog::Decompress(type, input, kMaxUncompressed, &out);
  if (!s.ok()) {
    Check(out == "prefix", "a failed Decompress changed its output");
    return;
  }
  Check(out.size() - 6 <= kMaxUncompressed, "Decompress passed its limit");
  const std::string plain = out.substr(6);
  std::string compressed;
  Check(seglog::Compress(type, plain, &compressed).ok(), "Compress failed");
  std::string back;
  Check(seglog::Decompress(type, compressed, kMaxUncompressed, &back).ok(), "own compressed form does not decompress");
  Check(back == plain, "compress/decompress changed the bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size == 0) return 0;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  switch (bytes[0] % 3) {
    case 0: FuzzRaw(data); break;
    case 1: FuzzWrapped(data); break;
    default: FuzzCodec(data); break;
  }
  return 0;
}

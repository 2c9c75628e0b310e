// Kafka's compression codecs with Kafka's framing, as found in the records area of a RecordBatch v2.
//
//   codec   id  framing written                         framings read
//   none    0   -                                       -
//   gzip    1   gzip member (RFC 1952)                  gzip, concatenated members
//   snappy  2   xerial snappy-java stream (32 KiB blocks) xerial stream, or one raw snappy block
//   lz4     3   LZ4 frame, 64 KiB independent blocks     any LZ4 frame (concatenated frames too)
//   zstd    4   zstd frame                               zstd frames
//
//   std::string out;
//   SEGLOG_RETURN_IF_ERROR(seglog::Compress(seglog::CompressionType::kZstd, input, &out));
//   std::string back;
//   SEGLOG_RETURN_IF_ERROR(seglog::Decompress(seglog::CompressionType::kZstd, out, /*max_output=*/1 << 20, &back));
//
// Decompression stops with an error as soon as the output would pass `max_output`, so a small corrupt or
// hostile batch cannot expand into gigabytes. Thread safety: pure functions, safe from any thread.
#ifndef SEGLOG_COMPRESSION_H_
#define SEGLOG_COMPRESSION_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace seglog {

// Kafka's codec ids (attributes bits 0-2 of a batch).
enum class CompressionType : int8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

// "none", "gzip", "snappy", "lz4", "zstd" (Kafka's `compression.type` names).
std::string_view CompressionTypeName(CompressionType type);
// Parses a Kafka codec name; std::nullopt for anything else.
std::optional<CompressionType> ParseCompressionType(std::string_view name);

// Uses the codec's own default level (gzip 6, lz4 fast mode, zstd 3) - Kafka's defaults too.
inline constexpr int kDefaultCompressionLevel = INT32_MIN;

// Appends the compressed form of `input` to *output. kInvalidArgument for an unknown codec or a level the
// codec rejects; kInternal if the codec library fails.
absl::Status Compress(CompressionType type, std::string_view input, std::string* output,
                      int level = kDefaultCompressionLevel);

// An upper bound on the bytes Compress(type, input, ...) appends for an input of `n` bytes, whatever the bytes
// and the level: the codec library's own bound for the framing above (zlib's compressBound with a gzip
// wrapper, snappy::MaxCompressedLength per xerial block, LZ4F_compressFrameBound, ZSTD_compressBound). `n`
// for kNone; 0 for an unknown codec. For n up to INT32_MAX (a batch's records), where no bound overflows.
size_t MaxCompressedSize(CompressionType type, size_t n);

// Appends the decompressed form of `input` to *output. kInvalidArgument when `input` is not a valid stream
// of the codec (the message says what is wrong) or when the output would exceed `max_output` bytes.
absl::Status Decompress(CompressionType type, std::string_view input, size_t max_output, std::string* output);

}  // namespace seglog

#endif  // SEGLOG_COMPRESSION_H_

// Kafka's codecs over zlib, snappy, liblz4 and libzstd, each with a bounded-output decoder.
#include "seglog/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "util/coding.h"
#include "util/strings.h"

namespace seglog {
namespace {

// Output grows in steps of this much (never past the caller's limit + 1, so overflow is detected).
constexpr size_t kOutputStep = 64 * 1024;

// xerial snappy-java stream header: magic, then int32 version 1 and int32 minimum compatible version 1.
constexpr char kXerialMagic[8] = {'\x82', 'S', 'N', 'A', 'P', 'P', 'Y', '\0'};
constexpr size_t kXerialHeaderSize = 16;
constexpr size_t kXerialBlockSize = 32 * 1024;  // snappy-java's SnappyOutputStream default, which Kafka uses

absl::Status Corrupt(std::string_view codec, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("corrupt ", internal::Sv(codec), " payload: ", internal::Sv(what)));
}

absl::Status TooLarge(std::string_view codec, size_t max_output) {
  return absl::InvalidArgumentError(
      absl::StrCat(internal::Sv(codec), " payload decompresses to more than the limit of ", max_output, " bytes"));
}

// Grows *output by up to one step for a decoder to write into; returns the writable window.
char* GrowForDecoder(std::string* output, size_t start, size_t max_output, size_t* window) {
  // produced <= max_output here (callers fail as soon as it passes). One byte past the limit is allowed so
  // an over-limit stream is detected; written so that max_output == SIZE_MAX cannot wrap to a 0 window.
  const size_t remaining = max_output - (output->size() - start);
  *window = remaining >= kOutputStep ? kOutputStep : remaining + 1;
  const size_t old_size = output->size();
  output->resize(old_size + *window);
  return output->data() + old_size;
}

// --- gzip ----------------------------------------------------------------------------------------------

// zlib counts in 32-bit uInt; a batch (int32 Length) never needs more, so larger inputs are refused rather
// than silently cut.
constexpr size_t kMaxZlibInput = UINT32_MAX;

absl::Status GzipCompress(std::string_view input, std::string* output, int level) {
  if (input.size() > kMaxZlibInput) {
    return absl::InvalidArgumentError(absl::StrCat("gzip input of ", input.size(), " bytes exceeds 4 GiB"));
  }
  if (level == kDefaultCompressionLevel) level = Z_DEFAULT_COMPRESSION;
  if (level != Z_DEFAULT_COMPRESSION && (level < 1 || level > 9)) {
    return absl::InvalidArgumentError(absl::StrCat("gzip level ", level, " is outside [1, 9]"));
  }
  z_stream s{};
  if (deflateInit2(&s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InternalError("gzip: deflateInit2 failed");
  }
  const size_t start = output->size();
  output->resize(start + deflateBound(&s, input.size()));
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  s.avail_in = static_cast<uInt>(input.size());
  s.next_out = reinterpret_cast<Bytef*>(output->data() + start);
  s.avail_out = static_cast<uInt>(output->size() - start);
  const int rc = deflate(&s, Z_FINISH);
  const size_t written = s.total_out;
  deflateEnd(&s);
  if (rc != Z_STREAM_END) return absl::InternalError(absl::StrCat("gzip: deflate failed (", rc, ")"));
  output->resize(start + written);
  return absl::OkStatus();
}

absl::Status GzipDecompress(std::string_view input, size_t max_output, std::string* output) {
  if (input.size() > kMaxZlibInput) return Corrupt("gzip", "compressed payload exceeds 4 GiB");
  z_stream s{};
  if (inflateInit2(&s, 15 + 16) != Z_OK) return absl::InternalError("gzip: inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&s, inflateEnd);
  const size_t start = output->size();
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  s.avail_in = static_cast<uInt>(input.size());
  int rc = Z_OK;
  while (true) {
    size_t window;
    char* dst = GrowForDecoder(output, start, max_output, &window);
    s.next_out = reinterpret_cast<Bytef*>(dst);
    s.avail_out = static_cast<uInt>(window);
    rc = inflate(&s, Z_NO_FLUSH);
    output->resize(output->size() - s.avail_out);
    if (output->size() - start > max_output) return TooLarge("gzip", max_output);
    if (rc == Z_STREAM_END) {
      if (s.avail_in == 0) break;
      if (inflateReset(&s) != Z_OK) return Corrupt("gzip", "cannot start the next member");
      continue;  // concatenated gzip members, as GZIPInputStream reads them
    }
    if (rc == Z_BUF_ERROR && s.avail_in == 0) return Corrupt("gzip", "stream is truncated");
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Corrupt("gzip", s.msg != nullptr ? s.msg : absl::StrCat("inflate error ", rc));
    }
  }
  return absl::OkStatus();
}

// --- snappy (xerial framing) ----------------------------------------------------------------------------

absl::Status SnappyCompress(std::string_view input, std::string* output) {
  output->append(kXerialMagic, sizeof(kXerialMagic));
  char word[4];
  internal::StoreBigEndian32(word, 1);
  output->append(word, 4);
  output->append(word, 4);
  for (size_t pos = 0; pos < input.size(); pos += kXerialBlockSize) {
    const size_t n = std::min(kXerialBlockSize, input.size() - pos);
    const size_t at = output->size();
    output->resize(at + 4 + snappy::MaxCompressedLength(n));
    size_t compressed = 0;
    snappy::RawCompress(input.data() + pos, n, output->data() + at + 4, &compressed);
    internal::StoreBigEndian32(output->data() + at, static_cast<uint32_t>(compressed));
    output->resize(at + 4 + compressed);
  }
  return absl::OkStatus();
}

absl::Status SnappyBlock(std::string_view block, size_t start, size_t max_output, std::string* output) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(block.data(), block.size(), &n)) {
    return Corrupt("snappy", "bad block length preamble");
  }
  if (n > max_output - (output->size() - start)) return TooLarge("snappy", max_output);
  const size_t at = output->size();
  output->resize(at + n);
  if (!snappy::RawUncompress(block.data(), block.size(), output->data() + at)) {
    output->resize(at);
    return Corrupt("snappy", "block does not decompress");
  }
  return absl::OkStatus();
}

absl::Status SnappyDecompress(std::string_view input, size_t max_output, std::string* output) {
  const size_t start = output->size();
  const bool xerial = input.size() >= kXerialHeaderSize &&
                      std::string_view(input.data(), sizeof(kXerialMagic)) ==
                          std::string_view(kXerialMagic, sizeof(kXerialMagic));
  if (!xerial) return SnappyBlock(input, start, max_output, output);  // raw snappy, as snappy-java also reads
  for (size_t pos = kXerialHeaderSize; pos < input.size();) {
    if (input.size() - pos < 4) return Corrupt("snappy", absl::StrCat("truncated block length at byte ", pos));
    const uint32_t n = internal::LoadBigEndian32(input.data() + pos);
    pos += 4;
    if (n > input.size() - pos) {
      return Corrupt("snappy", absl::StrCat("block of ", n, " bytes at byte ", pos - 4, " runs past the end (",
                                            input.size() - pos, " bytes left)"));
    }
    absl::Status s = SnappyBlock(input.substr(pos, n), start, max_output, output);
    if (!s.ok()) return s;
    pos += n;
  }
  return absl::OkStatus();
}

// --- lz4 (frame format) ---------------------------------------------------------------------------------

// The frame Kafka writes; the level does not change LZ4F_compressFrameBound.
LZ4F_preferences_t Lz4Preferences(int level) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;  // Kafka's KafkaLZ4BlockOutputStream: 64 KiB blocks,
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;  // independent, no checksums, no content size
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
  prefs.compressionLevel = level == kDefaultCompressionLevel ? 0 : level;
  return prefs;
}

absl::Status Lz4Compress(std::string_view input, std::string* output, int level) {
  const LZ4F_preferences_t prefs = Lz4Preferences(level);
  if (prefs.compressionLevel < 0 || prefs.compressionLevel > LZ4F_compressionLevel_max()) {
    return absl::InvalidArgumentError(
        absl::StrCat("lz4 level ", level, " is outside [0, ", LZ4F_compressionLevel_max(), "]"));
  }
  const size_t start = output->size();
  output->resize(start + LZ4F_compressFrameBound(input.size(), &prefs));
  const size_t n = LZ4F_compressFrame(output->data() + start, output->size() - start, input.data(),
                                      input.size(), &prefs);
  if (LZ4F_isError(n)) return absl::InternalError(absl::StrCat("lz4: ", LZ4F_getErrorName(n)));
  output->resize(start + n);
  return absl::OkStatus();
}

absl::Status Lz4Decompress(std::string_view input, size_t max_output, std::string* output) {
  LZ4F_dctx* ctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) {
    return absl::InternalError("lz4: cannot create a decompression context");
  }
  std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> guard(ctx, LZ4F_freeDecompressionContext);
  const size_t start = output->size();
  const char* src = input.data();
  size_t left = input.size();
  size_t hint = 1;  // 0 once a frame is complete
  // Until the input is consumed and the last frame complete (the decoder may stop when the window fills).
  while (left > 0 || hint != 0) {
    size_t window;
    char* dst = GrowForDecoder(output, start, max_output, &window);
    size_t src_size = left;
    size_t dst_size = window;
    hint = LZ4F_decompress(ctx, dst, &dst_size, src, &src_size, nullptr);
    output->resize(output->size() - window + dst_size);
    if (LZ4F_isError(hint)) return Corrupt("lz4", LZ4F_getErrorName(hint));
    if (output->size() - start > max_output) return TooLarge("lz4", max_output);
    src += src_size;
    left -= src_size;
    if (src_size == 0 && dst_size == 0) {
      return Corrupt("lz4", left == 0 ? "frame is truncated" : "decoder made no progress");
    }
  }
  return absl::OkStatus();
}

// --- zstd -----------------------------------------------------------------------------------------------

absl::Status ZstdCompress(std::string_view input, std::string* output, int level) {
  if (level == kDefaultCompressionLevel) level = ZSTD_CLEVEL_DEFAULT;
  if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
    return absl::InvalidArgumentError(
        absl::StrCat("zstd level ", level, " is outside [", ZSTD_minCLevel(), ", ", ZSTD_maxCLevel(), "]"));
  }
  const size_t start = output->size();
  output->resize(start + ZSTD_compressBound(input.size()));
  const size_t n = ZSTD_compress(output->data() + start, output->size() - start, input.data(), input.size(), level);
  if (ZSTD_isError(n)) return absl::InternalError(absl::StrCat("zstd: ", ZSTD_getErrorName(n)));
  output->resize(start + n);
  return absl::OkStatus();
}

absl::Status ZstdDecompress(std::string_view input, size_t max_output, std::string* output) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (ctx == nullptr) return absl::InternalError("zstd: cannot create a decompression context");
  const size_t start = output->size();
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  size_t hint = 1;
  while (in.pos < in.size || hint != 0) {
    size_t window;
    char* dst = GrowForDecoder(output, start, max_output, &window);
    ZSTD_outBuffer out{dst, window, 0};
    const size_t before = in.pos;
    hint = ZSTD_decompressStream(ctx.get(), &out, &in);
    output->resize(output->size() - window + out.pos);
    if (ZSTD_isError(hint)) return Corrupt("zstd", ZSTD_getErrorName(hint));
    if (output->size() - start > max_output) return TooLarge("zstd", max_output);
    if (hint != 0 && in.pos == in.size && out.pos < window && in.pos == before) {
      return Corrupt("zstd", "frame is truncated");
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view CompressionTypeName(CompressionType type) {
  switch (type) {
    case CompressionType::kNone: return "none";
    case CompressionType::kGzip: return "gzip";
    case CompressionType::kSnappy: return "snappy";
    case CompressionType::kLz4: return "lz4";
    case CompressionType::kZstd: return "zstd";
  }
  return "unknown";
}

std::optional<CompressionType> ParseCompressionType(std::string_view name) {
  for (auto t : {CompressionType::kNone, CompressionType::kGzip, CompressionType::kSnappy, CompressionType::kLz4,
                 CompressionType::kZstd}) {
    if (CompressionTypeName(t) == name) return t;
  }
  return std::nullopt;
}

size_t MaxCompressedSize(CompressionType type, size_t n) {
  switch (type) {
    case CompressionType::kNone:
      return n;
    case CompressionType::kGzip:
      // GzipCompress's stream has zlib's default windowBits and memLevel, for which deflateBound is
      // compressBound with the gzip wrapper (10-byte header, 8-byte trailer) instead of zlib's (2 + 4).
      return compressBound(static_cast<uLong>(n)) - 6 + 18;
    case CompressionType::kSnappy: {
      // The xerial header, then each 32 KiB block as a 4-byte length and a raw snappy block.
      const size_t full = n / kXerialBlockSize, rest = n % kXerialBlockSize;
      return kXerialHeaderSize + full * (4 + snappy::MaxCompressedLength(kXerialBlockSize)) +
             (rest > 0 ? 4 + snappy::MaxCompressedLength(rest) : 0);
    }
    case CompressionType::kLz4: {
      const LZ4F_preferences_t prefs = Lz4Preferences(kDefaultCompressionLevel);
      return LZ4F_compressFrameBound(n, &prefs);
    }
    case CompressionType::kZstd:
      return ZSTD_compressBound(n);
  }
  return 0;
}

absl::Status Compress(CompressionType type, std::string_view input, std::string* output, int level) {
  switch (type) {
    case CompressionType::kNone: output->append(input); return absl::OkStatus();
    case CompressionType::kGzip: return GzipCompress(input, output, level);
    case CompressionType::kSnappy: return SnappyCompress(input, output);
    case CompressionType::kLz4: return Lz4Compress(input, output, level);
    case CompressionType::kZstd: return ZstdCompress(input, output, level);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown compression codec id ", static_cast<int>(type)));
}

absl::Status Decompress(CompressionType type, std::string_view input, size_t max_output, std::string* output) {
  const size_t start = output->size();
  absl::Status s;
  switch (type) {
    case CompressionType::kNone:
      if (input.size() > max_output) return TooLarge("uncompressed", max_output);
      output->append(input);
      return absl::OkStatus();
    case CompressionType::kGzip: s = GzipDecompress(input, max_output, output); break;
    case CompressionType::kSnappy: s = SnappyDecompress(input, max_output, output); break;
    case CompressionType::kLz4: s = Lz4Decompress(input, max_output, output); break;
    case CompressionType::kZstd: s = ZstdDecompress(input, max_output, output); break;
    default:
      return absl::InvalidArgumentError(absl::StrCat("unknown compression codec id ", static_cast<int>(type)));
  }
  if (!s.ok()) output->resize(start);
  return s;
}

}  // namespace seglog

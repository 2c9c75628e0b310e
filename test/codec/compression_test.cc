// Kafka's codecs: round trips, Kafka's framings (xerial snappy, LZ4 64 KiB independent blocks), bounded
// decompression, and clear errors for corrupt payloads.
#include "seglog/compression.h"
#include "absl/strings/str_cat.h"

#include <zlib.h>

#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "support/test_util.h"

namespace seglog {
namespace {

constexpr CompressionType kCodecs[] = {CompressionType::kGzip, CompressionType::kSnappy, CompressionType::kLz4,
                                       CompressionType::kZstd};

std::string Compressible(size_t n) {
  std::string s;
  while (s.size() < n) s += absl::StrCat("seglog record payload ", s.size() % 97, "; ");
  s.resize(n);
  return s;
}

std::string Random(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

TEST_CASE("EveryCodecRoundTrips", "[compression]") {
  for (CompressionType codec : kCodecs) {
    for (const std::string& input : {std::string(), std::string("x"), Compressible(1000), Compressible(300000),
                                     Random(70000, 7)}) {
      INFO(CompressionTypeName(codec) << " input of " << input.size() << " bytes");
      std::string compressed = "prefix";
      REQUIRE(Compress(codec, input, &compressed).ok());
      std::string out = "keep";
      REQUIRE(Decompress(codec, std::string_view(compressed).substr(6), input.size(), &out).ok());
      CHECK(out == "keep" + input);
    }
  }
}

TEST_CASE("CodecNamesRoundTrip", "[compression]") {
  for (CompressionType codec : {CompressionType::kNone, CompressionType::kGzip, CompressionType::kSnappy,
                                CompressionType::kLz4, CompressionType::kZstd}) {
    CHECK(ParseCompressionType(CompressionTypeName(codec)) == codec);
  }
  CHECK_FALSE(ParseCompressionType("brotli").has_value());
}

TEST_CASE("SnappyUsesXerialFramingAndReadsRawBlocks", "[compression]") {
  const std::string input = Compressible(100000);
  std::string framed;
  REQUIRE(Compress(CompressionType::kSnappy, input, &framed).ok());
  CHECK(test::ToHex(framed.substr(0, 16)) == "82534e41505059000000000100000001");
  // Raw snappy (what some clients send): one block, no framing.
  std::string small;
  REQUIRE(Compress(CompressionType::kSnappy, "hello hello hello", &small).ok());
  const std::string raw_block = small.substr(20);  // header 16 + block length 4
  std::string out;
  REQUIRE(Decompress(CompressionType::kSnappy, raw_block, 1 << 20, &out).ok());
  CHECK(out == "hello hello hello");
}

TEST_CASE("Lz4UsesKafkaFrameSettings", "[compression]") {
  std::string framed;
  REQUIRE(Compress(CompressionType::kLz4, Compressible(200000), &framed).ok());
  CHECK(test::ToHex(framed.substr(0, 4)) == "04224d18");  // LZ4 frame magic
  const auto flg = static_cast<unsigned char>(framed[4]);
  const auto bd = static_cast<unsigned char>(framed[5]);
  CHECK((flg >> 6) == 1);         // version 01
  CHECK((flg & 0x20) != 0);       // independent blocks
  CHECK((flg & 0x1c) == 0);       // no block checksum, no content size, no content checksum
  CHECK(((bd >> 4) & 7) == 4);    // 64 KiB maximum block size
}

TEST_CASE("GzipReadsConcatenatedMembers", "[compression]") {
  std::string two;
  REQUIRE(Compress(CompressionType::kGzip, "first,", &two).ok());
  REQUIRE(Compress(CompressionType::kGzip, "second", &two).ok());
  std::string out;
  REQUIRE(Decompress(CompressionType::kGzip, two, 100, &out).ok());
  CHECK(out == "first,second");
}

TEST_CASE("DecompressionStopsAtTheLimit", "[compression]") {
  const std::string zeros(10 * 1024 * 1024, '\0');
  for (CompressionType codec : kCodecs) {
    INFO(CompressionTypeName(codec));
    std::string compressed;
    REQUIRE(Compress(codec, zeros, &compressed).ok());
    CHECK(compressed.size() < zeros.size() / 10);
    std::string out = "untouched";
    absl::Status s = Decompress(codec, compressed, 1024 * 1024, &out);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(s.message()).find("limit") != std::string::npos);
    CHECK(out == "untouched");
    out.clear();
    CHECK(Decompress(codec, compressed, zeros.size(), &out).ok());
    CHECK(out.size() == zeros.size());
  }
  std::string out;
  CHECK(Decompress(CompressionType::kNone, "abcdef", 3, &out).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("CorruptPayloadsAreErrorsNotCrashes", "[compression]") {
  const std::string input = Compressible(50000);
  for (CompressionType codec : kCodecs) {
    INFO(CompressionTypeName(codec));
    std::string good;
    REQUIRE(Compress(codec, input, &good).ok());
    std::string out;
    CHECK(Decompress(codec, "", 1 << 20, &out).code() == absl::StatusCode::kInvalidArgument);
    // Every truncation is an error (the frame or stream is incomplete).
    for (size_t n = 1; n < good.size(); n += std::max<size_t>(1, good.size() / 50)) {
      out.clear();
      absl::Status s = Decompress(codec, std::string_view(good).substr(0, n), 1 << 20, &out);
      INFO("truncated to " << n << " of " << good.size());
      if (codec == CompressionType::kSnappy && s.ok()) {
        // xerial framing has no end marker: a cut at a block boundary is a shorter valid stream (the
        // batch's record count catches it one level up).
        CHECK(out.size() < input.size());
        CHECK(input.compare(0, out.size(), out) == 0);
      } else {
        CHECK(s.code() == absl::StatusCode::kInvalidArgument);
        CHECK(out.empty());
      }
    }
    // Random byte flips: an error or (rarely, where the codec has no checksum) different bytes; never a crash.
    std::mt19937_64 rng(1234);
    for (int i = 0; i < 200; ++i) {
      std::string bad = good;
      bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
      out.clear();
      absl::Status s = Decompress(codec, bad, 1 << 20, &out);
      if (s.ok()) CHECK(out.size() <= (1u << 20));
      else CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST_CASE("UnlimitedOutputIsAllowed", "[compression]") {
  const std::string input = Compressible(200000);
  for (CompressionType codec : kCodecs) {
    INFO(CompressionTypeName(codec));
    std::string compressed;
    REQUIRE(Compress(codec, input, &compressed).ok());
    std::string out;
    REQUIRE(Decompress(codec, compressed, SIZE_MAX, &out).ok());
    CHECK(out == input);
  }
}

TEST_CASE("BadLevelsAreRejected", "[compression]") {
  std::string out;
  CHECK(Compress(CompressionType::kGzip, "x", &out, 42).code() == absl::StatusCode::kInvalidArgument);
  CHECK(Compress(CompressionType::kZstd, "x", &out, 1000).code() == absl::StatusCode::kInvalidArgument);
  CHECK(Compress(CompressionType::kLz4, "x", &out, -5).code() == absl::StatusCode::kInvalidArgument);
  CHECK(Compress(static_cast<CompressionType>(6), "x", &out).code() == absl::StatusCode::kInvalidArgument);
  CHECK(Decompress(static_cast<CompressionType>(7), "x", 10, &out).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("MaxCompressedSizeBoundsIncompressibleInputAtEveryLevel", "[compression]") {
  CHECK(MaxCompressedSize(CompressionType::kNone, 12345) == 12345);
  for (CompressionType codec : kCodecs) {
    // Block edges of the xerial (32 KiB) and LZ4 (64 KiB) framings, and several blocks.
    for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{32 * 1024}, size_t{32 * 1024 + 1},
                     size_t{64 * 1024}, size_t{64 * 1024 + 1}, size_t{300000}}) {
      const std::string input = Random(n, n + 1);
      for (int level : {kDefaultCompressionLevel, 1, 9}) {
        INFO(CompressionTypeName(codec) << " input of " << n << " bytes, level " << level);
        std::string out;
        REQUIRE(Compress(codec, input, &out, codec == CompressionType::kSnappy ? kDefaultCompressionLevel : level)
                    .ok());
        CHECK(out.size() > n);  // random bytes only grow: the bound is not trivially loose here
        CHECK(out.size() <= MaxCompressedSize(codec, n));
      }
    }
  }
}

TEST_CASE("MaxCompressedSizeOfGzipIsDeflateBoundOfItsStream", "[compression]") {
  // Compress sizes its output with deflateBound of a gzip stream with zlib's default window and memLevel.
  z_stream s{};
  REQUIRE(deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  for (uLong n : {0ul, 1ul, 4096ul, 1000000ul, 0x7fffffful}) {
    INFO(n);
    CHECK(MaxCompressedSize(CompressionType::kGzip, n) == deflateBound(&s, n));
  }
  deflateEnd(&s);
}

}  // namespace
}  // namespace seglog

// CRC-32C: standard vectors (RFC 3720 B.4), ISA-L and the portable fallback agree, Extend composes.
#include "seglog/crc32c.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>

namespace seglog {
namespace {

TEST_CASE("Crc32cMatchesStandardVectors", "[crc32c]") {
  CHECK(Crc32c("123456789", 9) == 0xE3069283u);
  std::string zeros(32, '\0');
  CHECK(Crc32c(zeros.data(), zeros.size()) == 0x8A9136AAu);
  std::string ones(32, '\xff');
  CHECK(Crc32c(ones.data(), ones.size()) == 0x62A8AB43u);
  std::string ascending(32, '\0');
  std::string descending(32, '\0');
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<char>(i);
    descending[i] = static_cast<char>(31 - i);
  }
  CHECK(Crc32c(ascending.data(), 32) == 0x46DD794Eu);
  CHECK(Crc32c(descending.data(), 32) == 0x113FDB5Cu);
  CHECK(Crc32c("", 0) == 0u);
}

TEST_CASE("Crc32cImplementationsAgreeOnEveryLengthAndAlignment", "[crc32c]") {
  std::mt19937_64 rng(42);
  std::string buf(4096 + 16, '\0');
  for (char& c : buf) c = static_cast<char>(rng());
  for (size_t align = 0; align < 8; ++align) {
    for (size_t len = 0; len <= 1100; len += (len < 80 ? 1 : 37)) {
      const char* p = buf.data() + align;
      const uint32_t portable = internal::Crc32cExtendPortable(0, p, len);
      CHECK(internal::Crc32cExtendIsal(0, p, len) == portable);
      CHECK(internal::Crc32cExtendSse42(0, p, len) == portable);
      CHECK(internal::Crc32cExtendSse42(0x12345678u, p, len) == internal::Crc32cExtendPortable(0x12345678u, p, len));
      CHECK(Crc32c(p, len) == portable);
    }
  }
}

TEST_CASE("Crc32cExtendComposes", "[crc32c]") {
  const std::string data = "The quick brown fox jumps over the lazy dog";
  for (size_t split = 0; split <= data.size(); ++split) {
    CHECK(Crc32cExtend(Crc32c(data.data(), split), data.data() + split, data.size() - split) ==
          Crc32c(data.data(), data.size()));
  }
}

TEST_CASE("Crc32cReportsWhetherIsalIsUsed", "[crc32c]") {
#ifdef SEGLOG_TEST_EXPECT_ISAL
  CHECK(Crc32cUsesIsal());
#else
  SUCCEED("built without ISA-L expectation");
#endif
}

}  // namespace
}  // namespace seglog

// Kafka's zig-zag varints: encodings match ByteUtils, decoding rejects truncated and overlong input.
#include "codec/varint.h"

#include <catch2/catch.hpp>
#include <climits>
#include <string>

#include "support/test_util.h"

namespace seglog::internal {
namespace {

std::string Varint(int32_t v) {
  char buf[kMaxVarintBytes];
  return std::string(buf, EncodeVarint(buf, v));
}
std::string Varlong(int64_t v) {
  char buf[kMaxVarlongBytes];
  return std::string(buf, EncodeVarlong(buf, v));
}

TEST_CASE("VarintEncodingsMatchKafka", "[varint]") {
  CHECK(test::ToHex(Varint(0)) == "00");
  CHECK(test::ToHex(Varint(-1)) == "01");
  CHECK(test::ToHex(Varint(1)) == "02");
  CHECK(test::ToHex(Varint(63)) == "7e");
  CHECK(test::ToHex(Varint(64)) == "8001");
  CHECK(test::ToHex(Varint(-64)) == "7f");
  CHECK(test::ToHex(Varint(INT32_MAX)) == "feffffff0f");
  CHECK(test::ToHex(Varint(INT32_MIN)) == "ffffffff0f");
  CHECK(test::ToHex(Varlong(INT64_MIN)) == "ffffffffffffffffff01");
  CHECK(test::ToHex(Varlong(300)) == "d804");
}

TEST_CASE("VarintRoundTripsAndSizesAgree", "[varint]") {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{127}, int64_t{-128}, int64_t{1} << 20,
                    int64_t{INT32_MAX}, int64_t{INT32_MIN}, int64_t{INT64_MAX}, int64_t{INT64_MIN},
                    int64_t{1700000000000}}) {
    std::string l = Varlong(v);
    CHECK(static_cast<int>(l.size()) == VarlongSize(v));
    const char* p = l.data();
    int64_t back = 0;
    REQUIRE(DecodeVarlong(&p, l.data() + l.size(), &back) == VarintResult::kOk);
    CHECK(back == v);
    CHECK(p == l.data() + l.size());
    if (v >= INT32_MIN && v <= INT32_MAX) {
      std::string s = Varint(static_cast<int32_t>(v));
      CHECK(static_cast<int>(s.size()) == VarintSize(static_cast<int32_t>(v)));
      const char* q = s.data();
      int32_t back32 = 0;
      REQUIRE(DecodeVarint(&q, s.data() + s.size(), &back32) == VarintResult::kOk);
      CHECK(back32 == v);
    }
  }
}

TEST_CASE("TruncatedVarintIsReported", "[varint]") {
  std::string s = Varint(INT32_MAX);
  for (size_t n = 0; n < s.size(); ++n) {
    const char* p = s.data();
    int32_t v;
    CHECK(DecodeVarint(&p, s.data() + n, &v) == VarintResult::kTruncated);
    CHECK(p == s.data());
  }
}

TEST_CASE("OverlongVarintIsReported", "[varint]") {
  const std::string five_continuations = test::FromHex("8080808080");
  const char* p = five_continuations.data();
  int32_t v;
  CHECK(DecodeVarint(&p, p + five_continuations.size(), &v) == VarintResult::kOverlong);
  const std::string eleven = test::FromHex("8080808080808080808000");
  const char* q = eleven.data();
  int64_t l;
  CHECK(DecodeVarlong(&q, q + eleven.size(), &l) == VarintResult::kOverlong);
}

}  // namespace
}  // namespace seglog::internal

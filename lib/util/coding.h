// Big-endian fixed-width loads and stores (Kafka's byte order for every header field).
//
//   char buf[8];
//   seglog::internal::StoreBigEndian64(buf, offset);
//   int64_t back = static_cast<int64_t>(seglog::internal::LoadBigEndian64(buf));
//
// Pointers need no alignment. Thread safety: pure functions.
#ifndef SEGLOG_LIB_UTIL_CODING_H_
#define SEGLOG_LIB_UTIL_CODING_H_

#include <cstdint>
#include <cstring>

namespace seglog::internal {

inline uint16_t LoadBigEndian16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  return __builtin_bswap16(v);
}
inline uint32_t LoadBigEndian32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return __builtin_bswap32(v);
}
inline uint64_t LoadBigEndian64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return __builtin_bswap64(v);
}
inline void StoreBigEndian16(char* p, uint16_t v) {
  v = __builtin_bswap16(v);
  std::memcpy(p, &v, sizeof(v));
}
inline void StoreBigEndian32(char* p, uint32_t v) {
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, sizeof(v));
}
inline void StoreBigEndian64(char* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, sizeof(v));
}

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "seglog's coding assumes a little-endian host");

}  // namespace seglog::internal

#endif  // SEGLOG_LIB_UTIL_CODING_H_

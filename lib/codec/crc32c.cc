// CRC-32C: ISA-L when available (the SSE4.2 crc32 instruction directly for small buffers, where ISA-L's
// setup dominates), else a portable slicing-by-8 implementation (tables built at compile time).
#include "seglog/crc32c.h"

#include <array>
#include <climits>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#ifdef SEGLOG_HAVE_ISAL
#include <isa-l/crc.h>
#endif

namespace seglog {
namespace internal {
namespace {

constexpr uint32_t kCastagnoliReflected = 0x82F63B78u;

using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kCastagnoliReflected : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
  }
  return t;
}

constexpr Tables kTables = MakeTables();

}  // namespace

uint32_t Crc32cExtendPortable(uint32_t crc, const void* data, size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t c = ~crc;
  while (size >= 8) {
    uint32_t lo;
    uint32_t hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= c;
    c = kTables[7][lo & 0xff] ^ kTables[6][(lo >> 8) & 0xff] ^ kTables[5][(lo >> 16) & 0xff] ^
        kTables[4][lo >> 24] ^ kTables[3][hi & 0xff] ^ kTables[2][(hi >> 8) & 0xff] ^
        kTables[1][(hi >> 16) & 0xff] ^ kTables[0][hi >> 24];
    p += 8;
    size -= 8;
  }
  while (size-- > 0) c = (c >> 8) ^ kTables[0][(c ^ *p++) & 0xff];
  return ~c;
}

uint32_t Crc32cExtendIsal(uint32_t crc, const void* data, size_t size) {
#ifdef SEGLOG_HAVE_ISAL
  // crc32_iscsi takes an int length and works on the inverted register value.
  auto* p = static_cast<unsigned char*>(const_cast<void*>(data));
  uint32_t c = ~crc;
  while (size > 0) {
    const size_t chunk = size > static_cast<size_t>(INT_MAX) ? static_cast<size_t>(1) << 30 : size;
    c = crc32_iscsi(p, static_cast<int>(chunk), c);
    p += chunk;
    size -= chunk;
  }
  return ~c;
#else
  return Crc32cExtendPortable(crc, data, size);
#endif
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t Crc32cExtendSse42Impl(uint32_t crc, const void* data,
                                                                         size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t c = ~crc;
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
    p += 8;
    size -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (size-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return ~c32;
}
#endif

bool HaveSse42() {
#if defined(__x86_64__)
  static const bool have = __builtin_cpu_supports("sse4.2");  // a CPU fact, computed once
  return have;
#else
  return false;
#endif
}

uint32_t Crc32cExtendSse42(uint32_t crc, const void* data, size_t size) {
#if defined(__x86_64__)
  if (HaveSse42()) return Crc32cExtendSse42Impl(crc, data, size);
#endif
  return Crc32cExtendPortable(crc, data, size);
}

}  // namespace internal

uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size) {
  // One crc32 instruction per 8 bytes beats ISA-L's folding kernels below a few hundred bytes (a one-record
  // batch is ~170); Crc32cExtendIsal is the portable code when seglog was built without ISA-L.
  if (size < internal::kSmallCrcBytes && internal::HaveSse42()) return internal::Crc32cExtendSse42(crc, data, size);
  return internal::Crc32cExtendIsal(crc, data, size);
}

uint32_t Crc32c(const void* data, size_t size) { return Crc32cExtend(0, data, size); }

bool Crc32cUsesIsal() {
#ifdef SEGLOG_HAVE_ISAL
  return true;
#else
  return false;
#endif
}

}  // namespace seglog

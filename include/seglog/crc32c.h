// CRC-32C (Castagnoli), the checksum of Kafka's RecordBatch v2 (bytes [21, end) of a batch).
//
//   uint32_t crc = seglog::Crc32c(data, size);
//   uint32_t same = seglog::Crc32cExtend(seglog::Crc32c(data, 10), data + 10, size - 10);
//
// Uses Intel ISA-L's crc32_iscsi (hardware speed) when seglog was built with it, a portable
// slicing-by-8 table implementation otherwise. Thread safety: pure functions.
#ifndef SEGLOG_CRC32C_H_
#define SEGLOG_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace seglog {

// CRC-32C of `size` bytes at `data` (standard: initial value and final XOR 0xFFFFFFFF).
// Crc32c("123456789", 9) == 0xE3069283.
uint32_t Crc32c(const void* data, size_t size);

// The CRC-32C of the concatenation A||B given crc = Crc32c(A) and B.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size);

// Whether Crc32c uses ISA-L (for benchmarks and diagnostics).
bool Crc32cUsesIsal();

namespace internal {
// The implementations, exposed for tests and benchmarks. Crc32cExtendIsal falls back to the portable one
// when seglog was built without ISA-L.
uint32_t Crc32cExtendPortable(uint32_t crc, const void* data, size_t size);
uint32_t Crc32cExtendIsal(uint32_t crc, const void* data, size_t size);
// The SSE4.2 crc32 instruction (x86-64 CPUs that have it; the portable code elsewhere), which Crc32c uses
// for buffers shorter than kSmallCrcBytes.
uint32_t Crc32cExtendSse42(uint32_t crc, const void* data, size_t size);
bool HaveSse42();
inline constexpr size_t kSmallCrcBytes = 512;
}  // namespace internal

}  // namespace seglog

#endif  // SEGLOG_CRC32C_H_

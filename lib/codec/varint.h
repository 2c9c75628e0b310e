// Kafka's zig-zag varints (protobuf encoding), as used inside RecordBatch v2 records.
//
// varint  = 32-bit signed, zig-zag, at most 5 bytes  (ByteUtils.writeVarint / readVarint)
// varlong = 64-bit signed, zig-zag, at most 10 bytes (ByteUtils.writeVarlong / readVarlong)
//
//   char buf[kMaxVarlongBytes];
//   char* end = seglog::internal::EncodeVarlong(buf, -1);        // one byte: 0x01
//   int64_t v; const char* p = buf;
//   if (DecodeVarlong(&p, end, &v) != VarintResult::kOk) { ... }
//
// Decoding never reads past `limit`. Thread safety: pure functions.
#ifndef SEGLOG_LIB_CODEC_VARINT_H_
#define SEGLOG_LIB_CODEC_VARINT_H_

#include <cstddef>
#include <cstdint>

namespace seglog::internal {

inline constexpr int kMaxVarintBytes = 5;
inline constexpr int kMaxVarlongBytes = 10;

enum class VarintResult { kOk, kTruncated, kOverlong };

inline uint32_t ZigZag32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
inline uint64_t ZigZag64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int32_t UnZigZag32(uint32_t u) { return static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1)); }
inline int64_t UnZigZag64(uint64_t u) { return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1)); }

// Bytes the zig-zag encoding of `v` takes.
inline int VarintSize(int32_t v) {
  uint32_t u = ZigZag32(v);
  int n = 1;
  while (u >= 0x80) {
    u >>= 7;
    ++n;
  }
  return n;
}
inline int VarlongSize(int64_t v) {
  uint64_t u = ZigZag64(v);
  int n = 1;
  while (u >= 0x80) {
    u >>= 7;
    ++n;
  }
  return n;
}

// Writes the encoding of `v` at `p` (which has room for kMaxVarintBytes / kMaxVarlongBytes) and returns the
// position after it.
inline char* EncodeVarint(char* p, int32_t v) {
  uint32_t u = ZigZag32(v);
  while (u >= 0x80) {
    *p++ = static_cast<char>(u | 0x80);
    u >>= 7;
  }
  *p++ = static_cast<char>(u);
  return p;
}
inline char* EncodeVarlong(char* p, int64_t v) {
  uint64_t u = ZigZag64(v);
  while (u >= 0x80) {
    *p++ = static_cast<char>(u | 0x80);
    u >>= 7;
  }
  *p++ = static_cast<char>(u);
  return p;
}

// Decodes a varint at *p (before `limit`), advancing *p past it on success. Like Kafka, a fifth byte with
// the continuation bit set is kOverlong (for varlongs, an eleventh byte).
inline VarintResult DecodeVarint(const char** p, const char* limit, int32_t* out) {
  const char* q = *p;
  uint32_t u = 0;
  for (int shift = 0; shift < 7 * kMaxVarintBytes; shift += 7) {
    if (q >= limit) return VarintResult::kTruncated;
    uint32_t b = static_cast<unsigned char>(*q++);
    u |= (b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *p = q;
      *out = UnZigZag32(u);
      return VarintResult::kOk;
    }
  }
  return VarintResult::kOverlong;
}
inline VarintResult DecodeVarlong(const char** p, const char* limit, int64_t* out) {
  const char* q = *p;
  uint64_t u = 0;
  for (int shift = 0; shift < 7 * kMaxVarlongBytes; shift += 7) {
    if (q >= limit) return VarintResult::kTruncated;
    uint64_t b = static_cast<unsigned char>(*q++);
    u |= (b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *p = q;
      *out = UnZigZag64(u);
      return VarintResult::kOk;
    }
  }
  return VarintResult::kOverlong;
}

}  // namespace seglog::internal

#endif  // SEGLOG_LIB_CODEC_VARINT_H_

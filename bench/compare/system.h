// The workload every system of seglog-compare runs, and the interface each system implements.
//
//   seglog_compare::Dataset data(/*records=*/1000000, /*value_size=*/100, /*batch=*/1000);
//   std::unique_ptr<System> s = ...;                       // systems.h
//   RETURN_IF_ERROR(s->Open(dir));                         // untimed
//   for (int64_t i = 0; i < data.records(); i += data.batch()) RETURN_IF_ERROR(s->AppendBatch(i, n));  // timed
//   RETURN_IF_ERROR(s->FinishAppend());                    // timed
//   ReadVerifier verifier(data);
//   RETURN_IF_ERROR(s->ReadAll(&verifier));                // timed: keys exact, values by digest
//   RETURN_IF_ERROR(verifier.Finish());                    // wrong data is an error
//   ReadVerifier full(data, ReadVerifier::kEveryByte);
//   RETURN_IF_ERROR(s->ReadAll(&full));                    // untimed (round 1, durable): values memcmp'd
//   RETURN_IF_ERROR(full.Finish());
//   RETURN_IF_ERROR(s->Close());                           // untimed
//
// Record i has the 8-byte big-endian key i (so keys sort in append order, as MDB_APPEND and a B-tree's
// rightmost insert want) and a value of value_size bytes cut from a 1 MiB pool of random capital letters
// (kafka-producer-perf-test's payload alphabet) at an offset that depends on i. Values are views into the
// pool: no system pays for producing them.
//
// Thread safety: a Dataset is immutable after construction and may be shared. A System and a ReadVerifier are
// used by one thread at a time.
#ifndef SEGLOG_BENCH_COMPARE_SYSTEM_H_
#define SEGLOG_BENCH_COMPARE_SYSTEM_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace seglog_compare {

inline constexpr size_t kKeySize = 8;

class Dataset {
 public:
  Dataset(int64_t records, size_t value_size, int batch);

  int64_t records() const { return records_; }
  size_t value_size() const { return value_size_; }
  int batch() const { return batch_; }
  // Key and value bytes of all records (what MB/s counts).
  uint64_t payload_bytes() const { return static_cast<uint64_t>(records_) * (kKeySize + value_size_); }
  // An upper bound on the bytes of one batch of records as a Kafka RecordBatch v2 (61-byte header; per record
  // at most 32 bytes of varints and attributes besides key and value).
  uint64_t max_batch_bytes() const { return 61 + static_cast<uint64_t>(batch_) * (kKeySize + value_size_ + 32); }

  std::string_view Value(int64_t i) const {
    return std::string_view(pool_.data() + ((static_cast<uint64_t>(i) * kStride) & (kPoolSpan - 1)), value_size_);
  }
  static void EncodeKey(int64_t i, char* out) {
    const uint64_t v = static_cast<uint64_t>(i);
    for (size_t b = 0; b < kKeySize; ++b) out[b] = static_cast<char>(v >> (8 * (kKeySize - 1 - b)));
  }
  // The record index in an 8-byte big-endian key; -1 when the key is not 8 bytes.
  static int64_t DecodeKey(std::string_view key) {
    if (key.size() != kKeySize) return -1;
    uint64_t v = 0;
    for (size_t b = 0; b < kKeySize; ++b) v = (v << 8) | static_cast<unsigned char>(key[b]);
    return static_cast<int64_t>(v);
  }

  // The digest a ReadVerifier ends with after seeing every record, in order.
  uint64_t expected_digest() const { return expected_digest_; }

  // The digest after record (key, value) was added to `digest`: every key byte and the value's size, first
  // and last 8 bytes (hashing whole values would cost more than the fastest read being measured).
  static uint64_t Mix(uint64_t digest, int64_t key, std::string_view value) {
    uint64_t head = 0, tail = 0;
    const size_t n = value.size() < 8 ? value.size() : 8;
    if (n > 0) {  // an empty value may have a null data()
      std::memcpy(&head, value.data(), n);
      std::memcpy(&tail, value.data() + value.size() - n, n);
    }
    uint64_t h = digest ^ (static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ULL);
    h += head + ((tail << 17) | (tail >> 47)) + value.size();
    h *= 0xFF51AFD7ED558CCDULL;
    return h ^ (h >> 29);
  }

 private:
  static constexpr uint64_t kPoolSpan = 1 << 20;  // value offsets wrap here (a power of two)
  static constexpr uint64_t kStride = 4099;       // odd: offsets cycle through the whole span

  int64_t records_;
  size_t value_size_;
  int batch_;
  std::string pool_;  // kPoolSpan + value_size bytes
  uint64_t expected_digest_ = 0;
};

// Checks a read: exactly the records written, in key order (every key byte is checked), with the values
// written. kDigest (for timed reads) checks each value's size and first and last 8 bytes through the digest;
// kEveryByte (for untimed reads) also compares every value byte for byte with Dataset::Value.
class ReadVerifier {
 public:
  enum Mode { kDigest, kEveryByte };
  explicit ReadVerifier(const Dataset& data, Mode mode = kDigest) : data_(data), every_byte_(mode == kEveryByte) {}
  ReadVerifier(const ReadVerifier&) = delete;
  ReadVerifier& operator=(const ReadVerifier&) = delete;

  // Called once per record read, in the order read.
  void Add(std::string_view key, std::string_view value) {
    const int64_t k = Dataset::DecodeKey(key);
    if (k != next_ && first_bad_ < 0) {
      first_bad_ = next_;
      bad_key_ = k;
    }
    if (every_byte_ && k == next_ && first_bad_value_ < 0 && value != data_.Value(k)) first_bad_value_ = k;
    digest_ = Dataset::Mix(digest_, k, value);
    ++next_;
  }
  int64_t count() const { return next_; }

  // OK when every record came back once, in order, with its value; kDataLoss describing the first
  // difference otherwise.
  absl::Status Finish() const;

 private:
  const Dataset& data_;
  const bool every_byte_;
  int64_t next_ = 0;
  uint64_t digest_ = 0;
  int64_t first_bad_ = -1;  // the position of the first record whose key was not its index
  int64_t bad_key_ = 0;
  int64_t first_bad_value_ = -1;  // kEveryByte: the first record whose value differs
};

// One system under test, holding one store in one directory. Appends arrive in order, in batches that
// cover [0, records) exactly; ReadAll comes after FinishAppend, on the same open store.
class System {
 public:
  virtual ~System() = default;

  // Untimed. Creates the system's store in `dir` (an empty directory). Work done here (such as the raw
  // writer's pre-encoding) is not part of any figure.
  virtual absl::Status Open(const std::string& dir) = 0;
  // Timed. Appends records [first, first + n) as one batch (one transaction, one write); with durability
  // on, returns only once they are on stable storage.
  virtual absl::Status AppendBatch(int64_t first, int n) = 0;
  // Timed, after the last AppendBatch: whatever makes the appends readable (a producer's Flush).
  virtual absl::Status FinishAppend() { return absl::OkStatus(); }
  // Timed. Reads every record from the first, in key order, handing each to `verifier`.
  virtual absl::Status ReadAll(ReadVerifier* verifier) = 0;
  // Untimed. Closes the store (its directory is deleted afterwards).
  virtual absl::Status Close() = 0;
};

}  // namespace seglog_compare

#endif  // SEGLOG_BENCH_COMPARE_SYSTEM_H_

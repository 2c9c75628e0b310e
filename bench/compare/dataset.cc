// The records of the workload and the check of a read (see system.h).
#include <random>

#include "absl/strings/str_cat.h"
#include "system.h"

namespace seglog_compare {

Dataset::Dataset(int64_t records, size_t value_size, int batch)
    : records_(records), value_size_(value_size), batch_(batch) {
  std::mt19937_64 rng(20140427);
  std::uniform_int_distribution<int> letter('A', 'Z');
  pool_.resize(kPoolSpan + value_size_);
  for (char& c : pool_) c = static_cast<char>(letter(rng));
  uint64_t digest = 0;
  for (int64_t i = 0; i < records_; ++i) digest = Mix(digest, i, Value(i));
  expected_digest_ = digest;
}

absl::Status ReadVerifier::Finish() const {
  if (first_bad_ >= 0) {
    return absl::DataLossError(
        bad_key_ < 0
            ? absl::StrCat("record #", first_bad_, " read back has a key that is not 8 bytes")
            : absl::StrCat("record #", first_bad_, " read back has key ", bad_key_, ", expected ", first_bad_));
  }
  if (first_bad_value_ >= 0) {
    return absl::DataLossError(
        absl::StrCat("record #", first_bad_value_, " read back has a value that differs from the one written"));
  }
  if (next_ != data_.records()) {
    return absl::DataLossError(absl::StrCat("read back ", next_, " records, ", data_.records(), " were written"));
  }
  if (digest_ != data_.expected_digest()) {
    return absl::DataLossError("the values read back differ from those written (checksum mismatch)");
  }
  return absl::OkStatus();
}

}  // namespace seglog_compare

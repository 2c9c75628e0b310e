#include "support/partition_model.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace seglog::test {

PartitionModel::PartitionModel(int64_t start)
    : base_(start), log_start_(start), durable_end_(start), durable_log_start_(start) {}

const OwnedRecord* PartitionModel::Find(int64_t offset) const {
  if (offset < base_ || offset >= log_end()) return nullptr;
  return &records_[static_cast<size_t>(offset - base_)];
}

int64_t PartitionModel::Append(std::vector<std::vector<OwnedRecord>> batches) {
  const int64_t first = log_end();
  for (std::vector<OwnedRecord>& batch : batches) {
    const int64_t base = log_end();
    for (OwnedRecord& r : batch) {
      r.offset = log_end();
      records_.push_back(std::move(r));
      batch_bases_.push_back(base);
    }
  }
  return first;
}

int64_t PartitionModel::BatchBase(int64_t offset) const { return batch_bases_[static_cast<size_t>(offset - base_)]; }

void PartitionModel::MarkDurable(int64_t end) { durable_end_ = std::max(durable_end_, std::min(end, log_end())); }

int64_t PartitionModel::TruncateTo(int64_t offset) {
  if (offset >= log_end()) return log_end();
  const int64_t end = offset >= base_ ? BatchBase(offset) : offset;
  if (end < log_start_) {
    const int64_t restart = std::min(offset, log_start_);
    base_ = restart;
    records_.clear();
    batch_bases_.clear();
    log_start_ = restart;
    durable_log_start_ = restart;
    durable_end_ = restart;
    return restart;
  }
  records_.resize(static_cast<size_t>(end - base_));
  batch_bases_.resize(records_.size());
  durable_end_ = std::min(durable_end_, end);
  return end;
}

void PartitionModel::MayHaveTruncatedTo(int64_t offset) {
  if (offset >= log_end()) return;
  int64_t end = offset >= base_ ? BatchBase(offset) : offset;
  if (end < log_start_) end = std::min(offset, log_start_);  // the log would restart there
  durable_end_ = std::min(durable_end_, end);
  durable_log_start_ = std::min(durable_log_start_, end);
}

absl::Status PartitionModel::DeleteRecordsBefore(int64_t offset) {
  if (offset > high_watermark()) {
    return absl::OutOfRangeError(absl::StrCat("model: ", offset, " is past the high watermark ", high_watermark()));
  }
  if (offset > log_start_) {
    log_start_ = offset;
    durable_log_start_ = offset;
  }
  return absl::OkStatus();
}

void PartitionModel::SetLogStart(int64_t offset) { log_start_ = offset; }

std::string DescribeRecord(const OwnedRecord& r) {
  std::string out =
      absl::StrCat("{offset ", r.offset, ", ts ", r.timestamp, ", key ",
                   r.key ? absl::StrCat("'", r.key->substr(0, 24), "' (", r.key->size(), " B)") : "null", ", value ",
                   r.value ? absl::StrCat("'", r.value->substr(0, 24), "' (", r.value->size(), " B)") : "null", ", ",
                   r.headers.size(), " headers");
  for (const auto& [key, value] : r.headers) {
    absl::StrAppend(&out, " [", key, "=", value ? *value : "null", "]");
  }
  return out + "}";
}

std::string PartitionModel::CompareRecord(const OwnedRecord& record) const {
  const OwnedRecord* expected = Find(record.offset);
  if (expected == nullptr) {
    return absl::StrCat("record at offset ", record.offset, " is not in the model [", base_, ", ", log_end(),
                        "): ", DescribeRecord(record));
  }
  if (!(*expected == record)) {
    return absl::StrCat("record at offset ", record.offset, " differs: got ", DescribeRecord(record), ", expected ",
                        DescribeRecord(*expected));
  }
  return "";
}

std::string PartitionModel::CheckRecovered(int64_t start, int64_t end,
                                           const std::vector<OwnedRecord>& survivors) const {
  const std::string model = absl::StrCat(" (model: log start ", log_start_, ", durable log start ", durable_log_start_,
                                         ", durable end ", durable_end_, ", log end ", log_end(), ")");
  if (start > end) return absl::StrCat("recovered log start ", start, " is past its end ", end, model);
  if (start < durable_log_start_ || start > log_start_) {
    return absl::StrCat("recovered log start ", start, " is outside [durable log start, log start]", model);
  }
  if (end < durable_end_) {
    return absl::StrCat("recovered log end ", end, " lost durable records ", end, "..", durable_end_ - 1, model);
  }
  if (end > log_end()) return absl::StrCat("recovered log end ", end, " is past everything appended", model);
  for (size_t i = 0; i < survivors.size(); ++i) {
    const int64_t want = start + static_cast<int64_t>(i);
    if (survivors[i].offset != want) {
      return absl::StrCat("recovered records are not contiguous: record ", i, " has offset ", survivors[i].offset,
                          ", expected ", want, model);
    }
    if (std::string problem = CompareRecord(survivors[i]); !problem.empty()) return problem + model;
  }
  if (static_cast<int64_t>(survivors.size()) != end - start) {
    return absl::StrCat("read ", survivors.size(), " records from the recovered log [", start, ", ", end, ")", model);
  }
  return "";
}

void PartitionModel::AdoptRecovered(int64_t start, int64_t end) {
  if (end < base_) {  // cannot happen after a passing CheckRecovered; keeps the model consistent anyway
    base_ = end;
    records_.clear();
  } else {
    records_.resize(static_cast<size_t>(end - base_));
  }
  batch_bases_.resize(records_.size());
  log_start_ = start;
  durable_end_ = end;
}

std::optional<TimestampAndOffset> PartitionModel::OffsetForTimestamp(int64_t timestamp, int64_t bound) const {
  for (int64_t o = std::max(log_start_, base_); o < std::min(bound, log_end()); ++o) {
    const OwnedRecord& r = records_[static_cast<size_t>(o - base_)];
    if (r.timestamp >= timestamp) return TimestampAndOffset{r.timestamp, r.offset};
  }
  return std::nullopt;
}

}  // namespace seglog::test

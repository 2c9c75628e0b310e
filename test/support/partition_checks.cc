#include "support/partition_checks.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "seglog/batch_builder.h"
#include "seglog/record_batch.h"

namespace seglog::test {

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::strtoull(value, nullptr, 0) : fallback;
}

uint64_t DeriveSeed(uint64_t base, uint64_t n) {
  uint64_t z = base + (n + 1) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int64_t Uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

namespace {

// `size` bytes that differ from record to record (a random stem, then a repeating pattern).
std::string RandomBytes(std::mt19937_64& rng, size_t size) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out(size, '\0');
  const uint64_t stem = rng();
  for (size_t i = 0; i < size; ++i) {
    const uint64_t x = i < 8 ? stem >> (i * 8) : stem + i * 0x9e3779b97f4a7c15ULL;
    out[i] = kAlphabet[(x ^ (x >> 29)) % (sizeof(kAlphabet) - 1)];
  }
  return out;
}

std::optional<std::string_view> View(const std::optional<std::string>& s) {
  return s ? std::optional<std::string_view>(*s) : std::nullopt;
}

std::vector<RecordHeader> Headers(const OwnedRecord& r) {
  std::vector<RecordHeader> headers;
  for (const auto& [key, value] : r.headers) headers.push_back({key, View(value)});
  return headers;
}

}  // namespace

std::vector<OwnedRecord> RandomRecords(std::mt19937_64& rng, int count, int64_t now_ms, size_t max_value_bytes) {
  std::vector<OwnedRecord> records(static_cast<size_t>(count));
  for (OwnedRecord& r : records) {
    r.timestamp = now_ms + Uniform(rng, -3000, 3000);
    if (Uniform(rng, 0, 4) != 0) r.key = absl::StrCat("k", Uniform(rng, 0, 999), RandomBytes(rng, Uniform(rng, 0, 8)));
    const int64_t kind = Uniform(rng, 0, 19);
    if (kind == 0) {
      r.value = std::nullopt;
    } else if (kind == 1) {
      r.value = "";
    } else {
      r.value = RandomBytes(rng, static_cast<size_t>(Uniform(rng, 1, static_cast<int64_t>(max_value_bytes))));
    }
    const int64_t headers = Uniform(rng, 0, 5) < 4 ? 0 : Uniform(rng, 1, 2);
    for (int64_t h = 0; h < headers; ++h) {
      std::optional<std::string> value;
      if (Uniform(rng, 0, 3) != 0) value = RandomBytes(rng, Uniform(rng, 0, 12));
      r.headers.emplace_back(absl::StrCat("h", h), std::move(value));
    }
  }
  return records;
}

absl::StatusOr<AppendResult> AppendRecords(Partition* p, const std::vector<std::vector<OwnedRecord>>& batches,
                                           const AppendPlan& plan) {
  if (!plan.append_batches) {
    if (batches.size() != 1) return absl::InvalidArgumentError("Partition::Append takes exactly one batch");
    const std::vector<OwnedRecord>& records = batches.front();
    std::vector<std::vector<RecordHeader>> headers;
    std::vector<Record> in;
    headers.reserve(records.size());
    for (const OwnedRecord& r : records) {
      headers.push_back(Headers(r));
      in.push_back({.key = View(r.key), .value = View(r.value), .timestamp = r.timestamp, .headers = headers.back()});
    }
    return p->Append(in, {.durable = plan.durable});
  }
  std::string bytes;
  BatchBuilder builder;
  for (const std::vector<OwnedRecord>& records : batches) {
    builder.Reset({.base_offset = 0, .compression = plan.compression});
    for (const OwnedRecord& r : records) {
      const std::vector<RecordHeader> headers = Headers(r);
      if (absl::Status s = builder.Append(r.timestamp, View(r.key), View(r.value), headers); !s.ok()) return s;
    }
    absl::StatusOr<std::string_view> built = builder.Build();
    if (!built.ok()) return built.status();
    bytes.append(built->data(), built->size());
  }
  return p->AppendBatches(bytes, {.durable = plan.durable});
}

absl::StatusOr<std::vector<OwnedRecord>> ReadRecords(const Partition& p, int64_t from, size_t max_bytes) {
  std::vector<OwnedRecord> out;
  int64_t offset = from;
  while (true) {
    absl::StatusOr<ReadResult> read = p.Read(offset, {.max_bytes = max_bytes, .up_to_log_end = true});
    if (!read.ok()) return read.status();
    if (read->bytes.empty()) return out;
    absl::StatusOr<std::vector<DecodedBatch>> batches = DecodeLog(read->bytes);
    if (!batches.ok()) return batches.status();
    for (const DecodedBatch& b : *batches) {
      for (const OwnedRecord& r : b.records) {
        if (r.offset >= offset) out.push_back(r);
      }
    }
    if (read->next_offset <= offset) {
      return absl::DataLossError(
          absl::StrCat("read at ", offset, " made no progress (next offset ", read->next_offset, ")"));
    }
    offset = read->next_offset;
  }
}

std::string CompareWithModel(const Partition& p, const PartitionModel& model) {
  const int64_t start = p.log_start_offset();
  const int64_t hw = p.high_watermark();
  const int64_t end = p.log_end_offset();
  const int64_t rp = p.recovery_point();
  if (start != model.log_start() || hw != model.high_watermark() || end != model.log_end()) {
    return absl::StrCat("offsets (log start, high watermark, log end) are (", start, ", ", hw, ", ", end,
                        "), the model's (", model.log_start(), ", ", model.high_watermark(), ", ", model.log_end(),
                        ")");
  }
  if (rp > end) return absl::StrCat("recovery point ", rp, " is past the log end ", end);
  absl::StatusOr<std::vector<OwnedRecord>> records = ReadRecords(p, start);
  if (!records.ok()) return absl::StrCat("reading from the log start ", start, ": ", records.status().ToString());
  for (size_t i = 0; i < records->size(); ++i) {
    const int64_t want = start + static_cast<int64_t>(i);
    if ((*records)[i].offset != want) {
      return absl::StrCat("record ", i, " read from the log start has offset ", (*records)[i].offset, ", expected ",
                          want);
    }
    if (std::string problem = model.CompareRecord((*records)[i]); !problem.empty()) return problem;
  }
  if (static_cast<int64_t>(records->size()) != end - start) {
    return absl::StrCat("read ", records->size(), " records from [", start, ", ", end, ")");
  }
  return "";
}

std::string CheckRead(const Partition& p, const PartitionModel& model, int64_t offset, const ReadOptions& options) {
  const std::string what = absl::StrCat("Read(", offset, ", max_bytes ", options.max_bytes, ", min_one_batch ",
                                        options.min_one_batch, ", up_to_log_end ", options.up_to_log_end, ") of [",
                                        model.log_start(), ", ", model.log_end(), "]: ");
  absl::StatusOr<ReadResult> read = p.Read(offset, options);
  if (offset < model.log_start() || offset > model.log_end()) {
    if (read.status().code() != absl::StatusCode::kOutOfRange) {
      return absl::StrCat(what, "expected kOutOfRange, got ", read.status().ToString());
    }
    return "";
  }
  if (!read.ok()) return absl::StrCat(what, read.status().ToString());
  if (read->log_start_offset != model.log_start() || read->high_watermark != model.high_watermark() ||
      read->log_end_offset != model.log_end()) {
    return absl::StrCat(what, "result offsets (", read->log_start_offset, ", ", read->high_watermark, ", ",
                        read->log_end_offset, ") differ from the model's");
  }
  const int64_t bound = options.up_to_log_end ? model.log_end() : model.high_watermark();
  if (offset >= bound) {
    if (!read->bytes.empty() || read->next_offset != offset) {
      return absl::StrCat(what, "expected nothing at the bound ", bound, ", got ", read->bytes.size(),
                          " bytes, next offset ", read->next_offset);
    }
    return "";
  }
  if (read->bytes.empty()) {
    if (options.min_one_batch) return absl::StrCat(what, "empty below the bound ", bound);
    // Only allowed when the first batch alone is larger than max_bytes.
    ReadOptions whole = options;
    whole.min_one_batch = true;
    absl::StatusOr<ReadResult> one = p.Read(offset, whole);
    if (!one.ok() || one->bytes.empty()) return absl::StrCat(what, "empty, and a min_one_batch read fails too");
    absl::StatusOr<BatchHeader> h = DecodeBatchHeader(one->bytes);
    if (!h.ok()) return absl::StrCat(what, h.status().ToString());
    if (h->size_in_bytes() <= options.max_bytes) {
      return absl::StrCat(what, "empty although the first batch (", h->size_in_bytes(), " bytes) fits");
    }
    return "";
  }
  if (read->file.length != read->bytes.size()) return absl::StrCat(what, "file slice length differs from bytes");
  absl::StatusOr<std::vector<DecodedBatch>> batches = DecodeLog(read->bytes);
  if (!batches.ok()) return absl::StrCat(what, "bytes do not decode: ", batches.status().ToString());
  const BatchHeader& first = batches->front().header;
  if (first.base_offset > offset || first.last_offset() < offset) {
    return absl::StrCat(what, "first batch holds ", first.base_offset, "..", first.last_offset());
  }
  if (read->bytes.size() > options.max_bytes && !(options.min_one_batch && batches->size() == 1)) {
    return absl::StrCat(what, read->bytes.size(), " bytes in ", batches->size(), " batches");
  }
  int64_t expect_base = first.base_offset;
  for (const DecodedBatch& b : *batches) {
    if (b.header.base_offset != expect_base) {
      return absl::StrCat(what, "batch at ", b.header.base_offset, " follows one ending at ", expect_base - 1);
    }
    if (b.header.last_offset() >= bound) {
      return absl::StrCat(what, "batch ", b.header.base_offset, "..", b.header.last_offset(), " passes the bound ",
                          bound);
    }
    int64_t expect_offset = b.header.base_offset;
    for (const OwnedRecord& r : b.records) {
      if (r.offset != expect_offset++) return absl::StrCat(what, "record offsets in batch are not contiguous");
      if (std::string problem = model.CompareRecord(r); !problem.empty()) return absl::StrCat(what, problem);
    }
    if (expect_offset != b.header.last_offset() + 1) return absl::StrCat(what, "batch record count mismatch");
    expect_base = b.header.last_offset() + 1;
  }
  if (read->next_offset != expect_base) {
    return absl::StrCat(what, "next offset ", read->next_offset, " but the last batch ends at ", expect_base - 1);
  }
  return "";
}

std::string CheckEveryOffsetReads(const Partition& p) {
  const int64_t end = p.log_end_offset();
  for (int64_t o = p.log_start_offset(); o < end; ++o) {
    absl::StatusOr<ReadResult> read = p.Read(o, {.max_bytes = 1, .up_to_log_end = true});
    if (!read.ok()) return absl::StrCat("Read(", o, "): ", read.status().ToString());
    absl::StatusOr<BatchHeader> h = DecodeBatchHeader(read->bytes);
    if (!h.ok()) return absl::StrCat("Read(", o, ") returned ", read->bytes.size(), " bytes: ", h.status().ToString());
    if (h->base_offset > o || h->last_offset() < o) {
      return absl::StrCat("Read(", o, ") starts with batch ", h->base_offset, "..", h->last_offset());
    }
  }
  return "";
}

std::string CheckOffsetForTimestamp(const Partition& p, const PartitionModel& model, std::mt19937_64& rng, int probes) {
  const int64_t hw = p.high_watermark();
  std::vector<int64_t> timestamps;
  for (int64_t o = model.log_start(); o < hw; ++o) {
    if (const OwnedRecord* r = model.Find(o)) timestamps.push_back(r->timestamp);
  }
  std::vector<int64_t> targets;
  if (!timestamps.empty()) {
    const auto [lo, hi] = std::minmax_element(timestamps.begin(), timestamps.end());
    targets = {*lo - 1, *hi + 1};
  }
  for (int i = 0; i < probes; ++i) {
    const int64_t base =
        timestamps.empty() ? 1'700'000'000'000 : timestamps[static_cast<size_t>(rng() % timestamps.size())];
    targets.push_back(base + Uniform(rng, -1, 1));
  }
  for (const int64_t t : targets) {
    absl::StatusOr<std::optional<TimestampAndOffset>> got = p.OffsetForTimestamp(t);
    if (!got.ok()) return absl::StrCat("OffsetForTimestamp(", t, "): ", got.status().ToString());
    const std::optional<TimestampAndOffset> want = model.OffsetForTimestamp(t, hw);
    if (*got != want) {
      return absl::StrCat("OffsetForTimestamp(", t,
                          ") = ", *got ? absl::StrCat("{", (*got)->timestamp, ", ", (*got)->offset, "}") : "none",
                          ", a scan of the log says ",
                          want ? absl::StrCat("{", want->timestamp, ", ", want->offset, "}") : "none");
    }
  }
  return "";
}

}  // namespace seglog::test

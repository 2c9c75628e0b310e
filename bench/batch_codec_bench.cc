// Encoding and decoding a 1,000-record batch of 100-byte values (16-byte keys), per codec. Records/s and
// bytes/s (of uncompressed record data) are reported; BM_CopyRecords is the memcpy reference for the same
// bytes in the same run.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "seglog/batch_builder.h"
#include "seglog/batch_view.h"

namespace {

constexpr int kRecords = 1000;
constexpr size_t kValueSize = 100;

struct Payload {
  std::vector<std::string> keys;
  std::vector<std::string> values;
  size_t bytes = 0;
};

Payload MakePayload() {
  Payload p;
  for (int i = 0; i < kRecords; ++i) {
    char key[17];
    std::snprintf(key, sizeof(key), "key-%012d", i);
    p.keys.emplace_back(key);
    std::string v(kValueSize, '\0');
    for (size_t j = 0; j < kValueSize; ++j) v[j] = static_cast<char>('a' + (i * 7 + j * 13) % 26);
    p.values.push_back(std::move(v));
    p.bytes += p.keys.back().size() + kValueSize;
  }
  return p;
}

const Payload& GetPayload() {
  static const Payload payload = MakePayload();
  return payload;
}

seglog::CompressionType Codec(const benchmark::State& state) {
  return static_cast<seglog::CompressionType>(state.range(0));
}

void Label(benchmark::State& state) { state.SetLabel(std::string(seglog::CompressionTypeName(Codec(state)))); }

void BM_EncodeBatch(benchmark::State& state) {
  const Payload& p = GetPayload();
  seglog::BatchBuilder builder;
  size_t batch_bytes = 0;
  for (auto _ : state) {
    builder.Reset({.compression = Codec(state)});
    for (int i = 0; i < kRecords; ++i) {
      if (!builder.Append(1700000000000 + i, p.keys[i], p.values[i]).ok()) state.SkipWithError("append failed");
    }
    auto bytes = builder.Build();
    if (!bytes.ok()) state.SkipWithError("build failed");
    batch_bytes = bytes->size();
    benchmark::DoNotOptimize(bytes->data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kRecords);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * p.bytes));
  state.counters["batch_bytes"] = static_cast<double>(batch_bytes);
  Label(state);
}

void BM_DecodeBatch(benchmark::State& state) {
  const Payload& p = GetPayload();
  seglog::BatchBuilder builder({.compression = Codec(state)});
  for (int i = 0; i < kRecords; ++i) (void)builder.Append(1700000000000 + i, p.keys[i], p.values[i]);
  const std::string bytes(*builder.Build());
  seglog::RecordReader reader;
  for (auto _ : state) {
    auto batch = seglog::BatchView::Parse(bytes);  // includes the CRC-32C check
    if (!batch.ok() || !reader.Reset(*batch).ok()) state.SkipWithError("decode failed");
    seglog::RecordView r;
    size_t sum = 0;
    while (reader.Next(&r)) sum += r.value->size();
    if (!reader.status().ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kRecords);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * p.bytes));
  Label(state);
}

void BM_CopyRecords(benchmark::State& state) {
  const Payload& p = GetPayload();
  std::string out(p.bytes, '\0');
  for (auto _ : state) {
    char* d = out.data();
    for (int i = 0; i < kRecords; ++i) {
      std::memcpy(d, p.keys[i].data(), p.keys[i].size());
      d += p.keys[i].size();
      std::memcpy(d, p.values[i].data(), kValueSize);
      d += kValueSize;
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kRecords);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * p.bytes));
}

BENCHMARK(BM_EncodeBatch)->DenseRange(0, 4);
BENCHMARK(BM_DecodeBatch)->DenseRange(0, 4);
BENCHMARK(BM_CopyRecords);

}  // namespace

// Producer and Consumer throughput (seglog_client_bench), each beside the partition-level path it is built
// on, measured in the same run in alternating phases (5 rounds) so page-cache and CPU drift hit both alike.
//
// Producer (target: >= 0.7x the partition's own batched append): 100-byte values, null keys or 16-byte keys,
// each codec, one partition, acks=1, linger.ms=5 (the default). One phase sends kPhaseRecords records and Flush()es.
//   producer_rps       Producer::Send of every record + Flush
//   append_rps         reference: Partition::AppendBatches of the same records pre-built into batch.size
//                      (16 KiB) batches with the same codec (no encoding or compression in the loop)
//   encode_append_rps  reference: BatchBuilder encode (+ compression) of 16 KiB batches and AppendBatches,
//                      on one thread (what any writer of these records must do)
//   ratio_append, ratio_encode_append: producer_rps over each reference
// Consumer: 1,000,000 such records in 16 KiB batches, page cache warm; one phase reads them all.
// max.poll.records is 20,000 (Kafka's default 500 would cut every 1 MiB read into ~18 polls).
//   poll_rps           Consumer::Poll from offset 0 to the end, touching each key and value
//   read_rps           reference: Partition::Read + BatchView::Parse + RecordReader over every record
//   poll_batches_rps   Consumer::PollBatches (zero-copy batches), counting records
//   parse_rps          reference: Partition::Read + BatchView::Parse, counting records
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench_util.h"
#include "seglog/seglog.h"

namespace seglog_bench {
namespace {

constexpr int kPhaseRecords = 200'000;
constexpr int kRounds = 5;
constexpr int kConsumeRecords = 1'000'000;
constexpr int kBatchBytes = 16384;

const seglog::ConfigMap kTopicConfig = {{"segment.bytes", "268435456"}};

struct Records {
  std::vector<std::string> keys, values;
};

const Records& TestRecords() {
  static const Records* records = [] {
    auto* r = new Records;
    for (int i = 0; i < kPhaseRecords; ++i) {
      r->keys.push_back(absl::StrCat("key-", 100000000000LL + i % 1000));  // 16 bytes
      r->values.push_back(MakeValue(static_cast<size_t>(i), kValueSize));
    }
    return r;
  }();
  return *records;
}

seglog::CompressionType Codec(int64_t arg) { return static_cast<seglog::CompressionType>(arg); }

// Encodes the records into batch.size batches, as the producer would cut them.
bool EncodeBatches(seglog::BatchBuilder* builder, seglog::CompressionType codec, bool keyed, int64_t now,
                   const std::function<bool(std::string_view)>& emit) {
  const Records& r = TestRecords();
  builder->Reset({.compression = codec});
  for (int i = 0; i < kPhaseRecords; ++i) {
    std::optional<std::string_view> key;
    if (keyed) key = r.keys[static_cast<size_t>(i)];
    if (!builder->Append(now, key, r.values[static_cast<size_t>(i)]).ok()) return false;
    if (builder->uncompressed_size() >= kBatchBytes || i + 1 == kPhaseRecords) {
      auto built = builder->Build();
      if (!built.ok() || !emit(*built)) return false;
      builder->Reset({.compression = codec});
    }
  }
  return true;
}

std::unique_ptr<seglog::Store> OpenStore(benchmark::State& state, const std::string& dir) {
  auto store = seglog::Store::Open(dir, {.fs = PosixFs()});
  if (!store.ok()) {
    state.SkipWithError(store.status().ToString().c_str());
    return nullptr;
  }
  return std::move(*store);
}

double PerSecond(int64_t count, int64_t nanos) { return nanos > 0 ? static_cast<double>(count) * 1e9 / nanos : 0; }

// Args: codec, keyed.
void BM_Producer(benchmark::State& state) {
  const seglog::CompressionType codec = Codec(state.range(0));
  const bool keyed = state.range(1) != 0;
  const Records& r = TestRecords();
  ScratchDir dir("producer");
  std::unique_ptr<seglog::Store> store = OpenStore(state, dir.path());
  if (store == nullptr) return;
  auto produced = store->CreateTopic("produced", 1, kTopicConfig);
  auto appended = store->CreateTopic("appended", 1, kTopicConfig);
  auto encoded = store->CreateTopic("encoded", 1, kTopicConfig);
  if (!produced.ok() || !appended.ok() || !encoded.ok()) return state.SkipWithError("CreateTopic failed");
  auto producer = seglog::Producer::Create(store.get(), {.acks = 1, .compression = codec});  // linger.ms 5
  if (!producer.ok()) return state.SkipWithError(producer.status().ToString().c_str());
  std::shared_ptr<seglog::Partition> append_partition = (*appended)->partition(0);
  std::shared_ptr<seglog::Partition> encode_partition = (*encoded)->partition(0);

  // The pre-built batches the AppendBatches reference appends.
  seglog::BatchBuilder builder;
  std::vector<std::string> prebuilt;
  EncodeBatches(&builder, codec, keyed, 1700000000000, [&](std::string_view b) {
    prebuilt.emplace_back(b);
    return true;
  });

  int64_t t_produce = 0, t_append = 0, t_encode = 0;
  bool ok = true;
  for (auto _ : state) {
    const int64_t iteration_start = NowNanos();
    for (int round = 0; round < kRounds && ok; ++round) {
      int64_t start = NowNanos();
      for (int i = 0; i < kPhaseRecords && ok; ++i) {
        seglog::ProducerRecord record{.topic = "produced", .value = r.values[static_cast<size_t>(i)]};
        if (keyed) record.key = r.keys[static_cast<size_t>(i)];
        ok = (*producer)->Send(record).ok();
      }
      ok = ok && (*producer)->Flush().ok();
      t_produce += NowNanos() - start;

      start = NowNanos();
      for (const std::string& b : prebuilt) ok = ok && append_partition->AppendBatches(b).ok();
      t_append += NowNanos() - start;

      start = NowNanos();
      ok = ok && EncodeBatches(&builder, codec, keyed, 1700000000000,
                               [&](std::string_view b) { return encode_partition->AppendBatches(b).ok(); });
      t_encode += NowNanos() - start;
    }
    state.SetIterationTime(static_cast<double>(NowNanos() - iteration_start) / 1e9);
  }
  if (!ok) state.SkipWithError("a send, append or flush failed");
  const int64_t records = state.iterations() * kRounds * kPhaseRecords;
  const double produce = PerSecond(records, t_produce), append = PerSecond(records, t_append),
               encode = PerSecond(records, t_encode);
  state.counters["producer_rps"] = produce;
  state.counters["append_rps"] = append;
  state.counters["encode_append_rps"] = encode;
  state.counters["ratio_append"] = append > 0 ? produce / append : 0;
  state.counters["ratio_encode_append"] = encode > 0 ? produce / encode : 0;
  state.SetLabel(std::string(seglog::CompressionTypeName(codec)) + (keyed ? ", 16-byte keys" : ", null keys"));
  (void)(*producer)->Close();
  (void)store->Close();
}

// ---------------------------------------------------------------------------------------------------------

// Arg: codec. A topic of kConsumeRecords records in 16 KiB batches, built once per codec.
void BM_Consumer(benchmark::State& state) {
  const seglog::CompressionType codec = Codec(state.range(0));
  ScratchDir dir("consumer");
  std::unique_ptr<seglog::Store> store = OpenStore(state, dir.path());
  if (store == nullptr) return;
  auto topic = store->CreateTopic("data", 1, kTopicConfig);
  if (!topic.ok()) return state.SkipWithError("CreateTopic failed");
  std::shared_ptr<seglog::Partition> partition = (*topic)->partition(0);
  seglog::BatchBuilder builder;
  for (int n = 0; n < kConsumeRecords / kPhaseRecords; ++n) {
    EncodeBatches(&builder, codec, /*keyed=*/true, 1700000000000,
                  [&](std::string_view b) { return partition->AppendBatches(b).ok(); });
  }
  // max.poll.records well above a 1 MiB read's ~9,000 records, so a poll is bounded by bytes as the reference is.
  auto consumer = seglog::Consumer::Create(
      store.get(), {.auto_offset_reset = seglog::OffsetReset::kEarliest, .max_poll_records = 20000});
  if (!consumer.ok() || !(*consumer)->Assign({{"data", 0}}).ok()) return state.SkipWithError("consumer failed");

  int64_t t_poll = 0, t_read = 0, t_batches = 0, t_parse = 0;
  int64_t sink = 0;
  bool ok = true;
  seglog::RecordReader reader;
  // Reads every record (or, with decode=false, only every batch) through Partition::Read.
  auto read_all = [&](bool decode) {
    int64_t offset = 0, records = 0;
    while (offset < partition->high_watermark()) {
      auto read = partition->Read(offset, {.max_bytes = 1024 * 1024});
      if (!read.ok()) return false;
      std::string_view bytes = read->bytes;
      while (!bytes.empty()) {
        auto batch = seglog::BatchView::Parse(bytes);
        if (!batch.ok()) return false;
        if (decode) {
          if (!reader.Reset(*batch).ok()) return false;
          seglog::RecordView record;
          while (reader.Next(&record)) sink += static_cast<int64_t>(record.key->size() + record.value->size());
          if (!reader.status().ok()) return false;
        }
        records += batch->records_count();
        bytes.remove_prefix(batch->size_in_bytes());
      }
      offset = read->next_offset;
    }
    return records == kConsumeRecords;
  };
  for (auto _ : state) {
    const int64_t iteration_start = NowNanos();
    for (int round = 0; round < kRounds && ok; ++round) {
      int64_t start = NowNanos();
      ok = (*consumer)->Seek({"data", 0}, 0).ok();
      for (int64_t got = 0; ok && got < kConsumeRecords;) {
        auto records = (*consumer)->Poll(absl::ZeroDuration());
        ok = records.ok() && !records->empty();
        if (!ok) break;
        for (const seglog::ConsumerRecord& rec : *records) sink += static_cast<int64_t>(rec.key->size() + rec.value->size());
        got += static_cast<int64_t>(records->size());
      }
      t_poll += NowNanos() - start;

      start = NowNanos();
      ok = ok && read_all(true);
      t_read += NowNanos() - start;

      start = NowNanos();
      ok = ok && (*consumer)->Seek({"data", 0}, 0).ok();
      for (int64_t got = 0; ok && got < kConsumeRecords;) {
        auto batches = (*consumer)->PollBatches(absl::ZeroDuration());
        ok = batches.ok() && !batches->empty();
        if (!ok) break;
        for (const seglog::PartitionBatches& p : batches->partitions()) {
          for (const seglog::BatchView& b : p.batches) got += b.records_count();
        }
      }
      t_batches += NowNanos() - start;

      start = NowNanos();
      ok = ok && read_all(false);
      t_parse += NowNanos() - start;
    }
    state.SetIterationTime(static_cast<double>(NowNanos() - iteration_start) / 1e9);
  }
  benchmark::DoNotOptimize(sink);
  if (!ok) state.SkipWithError("a poll or read failed");
  const int64_t records = state.iterations() * kRounds * kConsumeRecords;
  const double poll = PerSecond(records, t_poll), read = PerSecond(records, t_read);
  const double batches = PerSecond(records, t_batches), parse = PerSecond(records, t_parse);
  state.counters["poll_rps"] = poll;
  state.counters["read_rps"] = read;
  state.counters["ratio_poll_read"] = read > 0 ? poll / read : 0;
  state.counters["poll_batches_rps"] = batches;
  state.counters["parse_rps"] = parse;
  state.counters["ratio_batches_parse"] = parse > 0 ? batches / parse : 0;
  state.SetLabel(std::string(seglog::CompressionTypeName(codec)) + ", 16-byte keys");
  (void)(*consumer)->Close();
  (void)store->Close();
}

void ProducerArgs(benchmark::internal::Benchmark* b) {
  for (int codec = 0; codec <= 4; ++codec) {
    for (int keyed = 0; keyed <= 1; ++keyed) b->Args({codec, keyed});
  }
}

BENCHMARK(BM_Producer)->Apply(ProducerArgs)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Consumer)->Arg(0)->Arg(3)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace seglog_bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  seglog_bench::InstallCleanup();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  seglog_bench::RemoveScratchRoot();
  return 0;
}

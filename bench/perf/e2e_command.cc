// `seglog-perf e2e`: end-to-end latency, the figure of Kafka's EndToEndLatency tool, with a producer and a
// consumer running together in one process on one Store. A producer thread sends --records records at
// --throughput records/s (default 10,000: a latency test, not a saturation test), each value stamped in its
// first 8 bytes with the steady_clock time just before Producer::Send. A consumer thread long-polls every
// partition from the end the topic had at the start; when a Poll returns, each record's latency is the time
// then minus its stamp (append, high watermark, wake-up and decode included). The run's time ends at the
// poll that delivered the last record.
#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/time/time.h"
#include "commands.h"
#include "fmt/format.h"
#include "perf_report.h"
#include "perf_util.h"
#include "producer_flags.h"
#include "seglog/consumer.h"
#include "seglog/producer.h"

namespace seglog_perf {
namespace {

// How long the consumer waits for the rest once the producer has finished.
constexpr int64_t kDrainTimeoutNs = 10'000'000'000;

struct E2eState {
  std::atomic<bool> producer_done{false};
  std::atomic<bool> failed{false};
  std::atomic<int64_t> sent{0};
  Recorder errors;                  // AddError only (any thread)
  int64_t last_receive_ns = 0;      // written by the consumer thread, read after it is joined
};

void Produce(seglog::Producer* producer, const ProducerFlags& flags, const ValueSource& values, const KeySource& keys,
             int64_t start_ns, E2eState* state) {
  const Throttler throttle(flags.throughput, start_ns);
  SplitMix64 rng(0x653265);
  std::string value(static_cast<size_t>(flags.record_size), '\0');
  seglog::ProducerRecord record{.topic = flags.topic, .value = value};
  for (int64_t i = 0; i < flags.records; ++i) {
    if (Interrupted() || state->failed.load(std::memory_order_relaxed)) break;
    throttle.Wait(i);
    if (Interrupted()) break;  // Wait returns early on Ctrl-C: send nothing more
    if (!keys.null_keys()) record.key = keys.Get(static_cast<uint64_t>(i));
    const std::string_view body = values.Get(rng.Next());
    std::memcpy(value.data() + 8, body.data() + 8, value.size() - 8);
    const int64_t stamp = NowNanos();
    std::memcpy(value.data(), &stamp, sizeof(stamp));
    if (absl::Status st = producer->Send(record); !st.ok()) {
      state->errors.AddError(st);
      state->failed.store(true);
      break;
    }
    state->sent.store(i + 1, std::memory_order_relaxed);
  }
  // Records without callbacks: an append error shows here.
  if (absl::Status st = producer->Flush(); !st.ok()) {
    state->errors.AddError(st);
    state->failed.store(true);
  }
  state->producer_done.store(true);
}

void Consume(seglog::Consumer* consumer, int64_t records, Recorder* recorder, E2eState* state) {
  int64_t received = 0;
  int64_t idle_since = -1;  // when the producer was done and nothing came since
  while (received < records && !Interrupted() && !state->failed.load()) {
    absl::StatusOr<seglog::ConsumerRecords> got = consumer->Poll(absl::Milliseconds(100));
    const int64_t now = NowNanos();
    if (!got.ok()) {
      state->errors.AddError(got.status());
      state->failed.store(true);
      return;
    }
    if (got->empty()) {
      if (!state->producer_done.load()) continue;
      if (idle_since < 0) idle_since = now;
      if (now - idle_since > kDrainTimeoutNs) {
        state->errors.AddError(absl::DeadlineExceededError(fmt::format(
            "the consumer saw {} of the {} records sent within {} s after the producer finished", received,
            state->sent.load(), kDrainTimeoutNs / 1'000'000'000)));
        state->failed.store(true);
        return;
      }
      continue;
    }
    idle_since = -1;
    for (const seglog::ConsumerRecord& r : *got) {
      if (!r.value || r.value->size() < 8) {
        state->errors.AddError(absl::DataLossError(fmt::format("record {}-{} has no 8-byte send time", r.partition,
                                                               r.offset)));
        state->failed.store(true);
        return;
      }
      int64_t stamp;
      std::memcpy(&stamp, r.value->data(), sizeof(stamp));
      recorder->Add(now - stamp, 1, static_cast<int64_t>(r.value->size()));
    }
    received += static_cast<int64_t>(got->size());
    state->last_receive_ns = now;
  }
}

// The consumer, assigned every partition of the topic at its current end (so it sees only this run's records).
absl::StatusOr<std::unique_ptr<seglog::Consumer>> MakeConsumer(seglog::Store* store, const seglog::Topic& topic) {
  absl::StatusOr<std::unique_ptr<seglog::Consumer>> consumer =
      seglog::Consumer::Create(store, {.auto_offset_reset = seglog::OffsetReset::kLatest});
  if (!consumer.ok()) return consumer.status();
  std::vector<seglog::TopicPartition> tps;
  for (int32_t p = 0; p < topic.num_partitions(); ++p) tps.push_back({topic.name(), p});
  if (absl::Status st = (*consumer)->Assign(tps); !st.ok()) return st;
  if (absl::Status st = (*consumer)->SeekToEnd(); !st.ok()) return st;
  for (const seglog::TopicPartition& tp : tps) {
    if (absl::StatusOr<int64_t> position = (*consumer)->Position(tp); !position.ok()) return position.status();
  }
  return consumer;
}

int RunE2e(const ProducerFlags& flags) {
  const ValueSource values = ValueSource::Random(static_cast<size_t>(flags.record_size));
  const KeySource keys(static_cast<size_t>(flags.key_size));
  RunStore run;
  if (absl::Status st = OpenRunStore(flags, &run); !st.ok()) return Fail(st);
  absl::StatusOr<std::unique_ptr<seglog::Consumer>> consumer = MakeConsumer(run.store.get(), *run.topic);
  if (!consumer.ok()) return Fail(consumer.status());
  Recorder recorder;  // written by the consumer thread
  E2eState state;
  absl::StatusOr<std::unique_ptr<seglog::Producer>> producer =
      seglog::Producer::Create(run.store.get(), ToProducerOptions(flags, flags.record_size));
  if (!producer.ok()) return Fail(producer.status());
  Progress progress({&recorder}, "received", "end-to-end latency", flags.progress_interval_ms,
                    ProgressStream(flags.json));

  const int64_t start = NowNanos();
  std::thread consumer_thread;
  std::thread producer_thread;
  try {
    consumer_thread = std::thread([&] { Consume(consumer->get(), flags.records, &recorder, &state); });
    producer_thread = std::thread([&] { Produce(producer->get(), flags, values, keys, start, &state); });
  } catch (const std::system_error& e) {  // e.g. a pids limit: joinable threads must not be destroyed
    state.failed.store(true);
    const bool consumer_started = consumer_thread.joinable();
    if (consumer_started) consumer_thread.join();
    return Fail(fmt::format("cannot start the {} thread: {}", consumer_started ? "producer" : "consumer", e.what()));
  }
  AcceptInterrupts();
  progress.Reset();
  while (!state.producer_done.load() || recorder.totals().records < state.sent.load()) {
    if (state.failed.load() || Interrupted()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    progress.MaybePrint();
  }
  producer_thread.join();
  consumer_thread.join();
  const int64_t end = state.last_receive_ns > 0 ? state.last_receive_ns : NowNanos();

  if (absl::Status st = (*producer)->Close(); !st.ok()) state.errors.AddError(st);
  if (absl::Status st = (*consumer)->Close(); !st.ok()) state.errors.AddError(st);
  if (state.errors.errors() > 0) return Fail(state.errors.first_error());
  RunResult result;
  result.mode = "e2e";
  result.verb = "received";
  result.latency_label = "end-to-end latency";
  result.latency_of = "per record: steady_clock stamp before Producer::Send to the return of the "
                                 "consumer's Poll that delivered it";
  result.records = recorder.totals().records;
  result.bytes = recorder.totals().bytes;
  result.seconds = static_cast<double>(end - start) / 1e9;
  result.latency.Merge(recorder.histogram());
  result.interrupted = Interrupted();
  result.config = ConfigJson(flags);
  result.config["partitions"] = run.topic->num_partitions();
  result.config["recordSize"] = flags.record_size;
  result.extra["sent"] = state.sent.load();
  producer->reset();
  consumer->reset();
  if (absl::Status st = run.Close(); !st.ok()) return Fail(fmt::format("closing the store: {}", Message(st)));
  PrintResult(result, flags.json);
  return result.interrupted ? kExitInterrupted : kExitOk;
}

}  // namespace

void AddE2eCommand(CLI::App* app, Action* action) {
  auto flags = std::make_shared<ProducerFlags>();
  flags->linger_ms = 0;  // as Kafka's EndToEndLatency: no lingering
  flags->throughput = 10000;
  CLI::App* cmd = app->add_subcommand(
      "e2e",
      "End-to-end latency (Send to the consumer's Poll returning the record) with a producer and a consumer in "
      "one process, as Kafka's EndToEndLatency tool. For context only: Kafka's 2014 benchmark, over a network "
      "on 2014 hardware, reported 2 ms median and 3 ms p99");
  AddProducerFlags(cmd, flags.get(), /*for_e2e=*/true);
  cmd->callback([=] { *action = [=] { return RunE2e(*flags); }; });
}

}  // namespace seglog_perf

// `seglog-perf produce`: kafka-producer-perf-test for seglog. --producers N threads each send their share of
// --records (as N copies of Kafka's tool would, each with its own Producer, or through one shared Producer
// with --shared-producer), at most --throughput records/s in all. A record's latency runs from just before
// Producer::Send to its callback on the producer's sender thread (the acknowledgement: appended, plus fsynced
// with acks=all). The run's time runs from the first Send to the return of the last Flush, so every record
// counted is acknowledged.
#include <atomic>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "commands.h"
#include "fmt/format.h"
#include "perf_report.h"
#include "perf_util.h"
#include "producer_flags.h"
#include "seglog/producer.h"

namespace seglog_perf {
namespace {

struct ProduceOptions {
  ProducerFlags flags;
  int producers = 1;
  bool shared_producer = false;
};

// What a record's callback needs, alive for the whole run. Callbacks capture a pointer to it and the send time
// (16 bytes: std::function keeps them without allocating).
struct AckContext {
  Recorder* recorder = nullptr;
  int64_t value_bytes = 0;            // fixed-size values; --payload-file passes each record's size
  std::atomic<bool>* failed = nullptr;
};

void OnAck(const AckContext* ctx, int64_t sent_ns, int64_t bytes, const absl::StatusOr<seglog::RecordMetadata>& r) {
  if (r.ok()) {
    ctx->recorder->Add(NowNanos() - sent_ns, 1, bytes);
  } else {
    ctx->recorder->AddError(r.status());
    ctx->failed->store(true, std::memory_order_relaxed);
  }
}

// The work of sending thread `t` of `n`: records t, t + n, t + 2n, ... of the run (their keys rotate over
// the whole run as with one thread).
struct SendJob {
  seglog::Producer* producer;
  const AckContext* ack;
  const ProducerFlags* flags;
  const ValueSource* values;
  const KeySource* keys;
  std::atomic<bool>* failed;
  std::atomic<int64_t>* last_flush_ns;  // the latest return of a job's Flush: the run's end
  int t, n;
  int64_t start_ns;
};

void RunSendJob(const SendJob& job) {
  const int64_t share = job.flags->records / job.n + (job.t < job.flags->records % job.n ? 1 : 0);
  const Throttler throttle(job.flags->throughput > 0 ? job.flags->throughput / job.n : -1, job.start_ns);
  SplitMix64 rng(0x70726f64ULL + static_cast<uint64_t>(job.t));
  seglog::ProducerRecord record{.topic = job.flags->topic};
  const bool from_file = job.values->from_file();
  const AckContext* ack = job.ack;
  for (int64_t i = 0; i < share; ++i) {
    if (Interrupted() || job.failed->load(std::memory_order_relaxed)) break;
    throttle.Wait(i);
    if (Interrupted()) break;  // Wait returns early on Ctrl-C: send nothing more
    if (!job.keys->null_keys()) record.key = job.keys->Get(static_cast<uint64_t>(i * job.n + job.t));
    const std::string_view value = job.values->Get(rng.Next());
    record.value = value;
    const int64_t sent = NowNanos();
    absl::Status st;
    if (from_file) {
      const auto bytes = static_cast<int64_t>(value.size());
      st = job.producer->Send(record, [ack, sent, bytes](const auto& r) { OnAck(ack, sent, bytes, r); });
    } else {
      st = job.producer->Send(record, [ack, sent](const auto& r) { OnAck(ack, sent, ack->value_bytes, r); });
    }
    if (!st.ok()) {
      ack->recorder->AddError(st);
      job.failed->store(true, std::memory_order_relaxed);
      break;
    }
  }
  absl::Status flushed = job.producer->Flush();
  const int64_t now = NowNanos();
  int64_t prev = job.last_flush_ns->load();
  while (prev < now && !job.last_flush_ns->compare_exchange_weak(prev, now)) {
  }
  if (!flushed.ok()) {
    ack->recorder->AddError(flushed);
    job.failed->store(true, std::memory_order_relaxed);
  }
}

int RunProduce(const ProduceOptions& options) {
  const ProducerFlags& flags = options.flags;
  absl::StatusOr<ValueSource> values =
      flags.payload_file.empty() ? ValueSource::Random(static_cast<size_t>(flags.record_size))
                                 : ValueSource::FromFile(flags.payload_file);
  if (!values.ok()) return UsageError(Message(values.status()));
  const KeySource keys(static_cast<size_t>(flags.key_size));

  RunStore run;
  if (absl::Status st = OpenRunStore(flags, &run); !st.ok()) return Fail(st);
  const int num_producers = options.shared_producer ? 1 : options.producers;
  // Declared before the producers, which may still run callbacks when destroyed.
  std::vector<std::unique_ptr<Recorder>> recorders;
  std::vector<AckContext> acks(static_cast<size_t>(num_producers));
  std::atomic<bool> failed{false};
  std::vector<std::unique_ptr<seglog::Producer>> producers;
  for (int i = 0; i < num_producers; ++i) {
    absl::StatusOr<std::unique_ptr<seglog::Producer>> p = seglog::Producer::Create(run.store.get(), ToProducerOptions(flags, static_cast<int64_t>(values->max_size())));
    if (!p.ok()) return Fail(p.status());
    producers.push_back(*std::move(p));
    recorders.push_back(std::make_unique<Recorder>());
    acks[static_cast<size_t>(i)] = {recorders.back().get(), flags.record_size, &failed};
  }
  std::vector<Recorder*> recorder_ptrs;
  for (const auto& r : recorders) recorder_ptrs.push_back(r.get());
  Progress progress(recorder_ptrs, "sent", "latency", flags.progress_interval_ms, ProgressStream(flags.json));

  std::atomic<int> running{options.producers};
  std::atomic<int64_t> last_flush_ns{0};
  std::vector<std::thread> threads;
  const int64_t start = NowNanos();
  for (int t = 0; t < options.producers; ++t) {
    const size_t p = options.shared_producer ? 0 : static_cast<size_t>(t);
    const SendJob job{producers[p].get(), &acks[p],      &flags, &*values,          &keys,
                      &failed,            &last_flush_ns, t,      options.producers, start};
    try {
      threads.emplace_back([job, &running] {
        RunSendJob(job);
        running.fetch_sub(1);
      });
    } catch (const std::system_error& e) {  // e.g. a pids limit: joinable threads must not be destroyed
      failed.store(true);
      for (std::thread& thread : threads) thread.join();
      return Fail(fmt::format("cannot start sending thread {} of {}: {}", t + 1, options.producers, e.what()));
    }
  }
  AcceptInterrupts();
  progress.Reset();
  while (running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    progress.MaybePrint();
  }
  for (std::thread& thread : threads) thread.join();
  // The last Flush's return, not the end of the 20 ms polling above.
  const int64_t end = last_flush_ns.load() > 0 ? last_flush_ns.load() : NowNanos();

  RunResult result;
  result.mode = "produce";
  result.verb = "sent";
  result.latency_label = "latency";
  result.latency_of = "per record: Producer::Send call to its acknowledgement callback";
  for (size_t i = 0; i < producers.size(); ++i) {
    if (absl::Status st = producers[i]->Close(); !st.ok()) recorders[i]->AddError(st);
  }
  for (const auto& r : recorders) {
    if (r->errors() > 0) {
      return Fail(fmt::format("{} record{} or call{} failed; the first: {}", r->errors(), r->errors() == 1 ? "" : "s",
                              r->errors() == 1 ? "" : "s", r->first_error()));
    }
    result.records += r->totals().records;
    result.bytes += r->totals().bytes;
    result.latency.Merge(r->histogram());
  }
  result.seconds = static_cast<double>(end - start) / 1e9;
  result.interrupted = Interrupted();
  result.config = ConfigJson(flags);
  result.config["partitions"] = run.topic->num_partitions();
  result.config["producers"] = options.producers;
  result.config["sharedProducer"] = options.shared_producer;
  if (values->from_file()) result.extra["payloadLines"] = values->lines();
  producers.clear();
  if (absl::Status st = run.Close(); !st.ok()) return Fail(fmt::format("closing the store: {}", Message(st)));
  PrintResult(result, flags.json);
  return result.interrupted ? kExitInterrupted : kExitOk;
}

}  // namespace

void AddProduceCommand(CLI::App* app, Action* action) {
  auto options = std::make_shared<ProduceOptions>();
  CLI::App* cmd = app->add_subcommand(
      "produce",
      "Producer throughput and send-to-acknowledgement latency, as kafka-producer-perf-test (latency: from "
      "Producer::Send to the record's callback; MB/s counts value bytes, MB = 2^20 bytes)");
  AddProducerFlags(cmd, &options->flags, /*for_e2e=*/false);
  cmd->add_option("--producers", options->producers,
                  "Sending threads, each with its own Producer (like running N copies of Kafka's tool), each "
                  "sending an equal share of --records")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_flag("--shared-producer", options->shared_producer,
                "The --producers threads share one Producer (Kafka's thread-safe KafkaProducer use) instead");
  cmd->callback([=] { *action = [=] { return RunProduce(*options); }; });
}

}  // namespace seglog_perf

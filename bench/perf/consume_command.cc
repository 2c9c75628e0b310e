// `seglog-perf consume`: kafka-consumer-perf-test for seglog. Opens an existing data directory read-only (a
// snapshot; a writer may keep it open meanwhile), assigns every partition of the topic from its log start,
// and polls with no wait until --records records (default: all there are) were read. Latency here is the
// duration of each Poll (or PollBatches) call that returned records; MB/s counts key + value bytes (Kafka's
// tool's count) or, with --batches, the batches' encoded bytes.
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/time/time.h"
#include "commands.h"
#include "fmt/format.h"
#include "perf_report.h"
#include "perf_util.h"
#include "seglog/consumer.h"
#include "seglog/store.h"
#include "seglog/topic.h"

namespace seglog_perf {
namespace {

struct ConsumeOptions {
  std::string dir;
  std::string topic = "perf-test";
  std::optional<int64_t> records;
  int max_poll_records = 500;
  bool batches = false;
  bool json = false;
  int64_t progress_interval_ms = 5000;
};

// Records and bytes one poll returned.
struct PollCount {
  int64_t records = 0;
  int64_t bytes = 0;
};

// One Poll: counts at most `limit` records (key + value bytes), touching each one's sizes.
absl::StatusOr<PollCount> PollRecords(seglog::Consumer* consumer, absl::Duration timeout, int64_t limit) {
  absl::StatusOr<seglog::ConsumerRecords> records = consumer->Poll(timeout);
  if (!records.ok()) return records.status();
  PollCount count;
  for (const seglog::ConsumerRecord& r : *records) {
    if (count.records == limit) break;
    ++count.records;
    count.bytes += static_cast<int64_t>((r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0));
  }
  return count;
}

// One PollBatches: whole batches (records below a partition's fetch offset are not counted again).
absl::StatusOr<PollCount> PollBatches(seglog::Consumer* consumer, absl::Duration timeout) {
  absl::StatusOr<seglog::ConsumerBatches> batches = consumer->PollBatches(timeout);
  if (!batches.ok()) return batches.status();
  PollCount count;
  for (const seglog::PartitionBatches& p : batches->partitions()) {
    for (const seglog::BatchView& b : p.batches) {
      count.records += std::max<int64_t>(0, b.last_offset() + 1 - std::max(b.base_offset(), p.fetch_offset));
      count.bytes += static_cast<int64_t>(b.size_in_bytes());
    }
  }
  return count;
}

int RunConsume(const ConsumeOptions& options) {
  if (access(options.dir.c_str(), F_OK) != 0) {
    return Fail(fmt::format("data directory {} does not exist (run `seglog-perf produce --dir {}` first)", options.dir,
                            options.dir));
  }
  seglog::StoreOptions store_options;
  store_options.read_only = true;
  store_options.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<seglog::Store>> store = seglog::Store::Open(options.dir, store_options);
  if (!store.ok()) return Fail(fmt::format("opening {}: {}", options.dir, Message(store.status())));
  absl::StatusOr<std::shared_ptr<seglog::Topic>> topic = (*store)->GetTopic(options.topic);
  if (!topic.ok()) return Fail(fmt::format("no topic {} in {}", options.topic, options.dir));
  const int32_t partitions = (*topic)->num_partitions();

  seglog::ConsumerOptions consumer_options;
  consumer_options.auto_offset_reset = seglog::OffsetReset::kEarliest;
  consumer_options.max_poll_records = options.max_poll_records;
  absl::StatusOr<std::unique_ptr<seglog::Consumer>> consumer = seglog::Consumer::Create(store->get(), consumer_options);
  if (!consumer.ok()) return Fail(consumer.status());
  std::vector<seglog::TopicPartition> tps;
  for (int32_t p = 0; p < partitions; ++p) tps.push_back({options.topic, p});
  if (absl::Status st = (*consumer)->Assign(tps); !st.ok()) return Fail(st);
  if (absl::Status st = (*consumer)->SeekToBeginning(); !st.ok()) return Fail(st);
  int64_t available = 0;
  for (const seglog::TopicPartition& tp : tps) {
    absl::StatusOr<int64_t> begin = (*consumer)->BeginningOffset(tp);
    absl::StatusOr<int64_t> end = (*consumer)->EndOffset(tp);
    if (!begin.ok()) return Fail(begin.status());
    if (!end.ok()) return Fail(end.status());
    available += *end - *begin;
  }
  if (available == 0) return Fail(fmt::format("topic {} in {} has no records", options.topic, options.dir));
  const int64_t target = std::min(options.records.value_or(available), available);
  if (options.records && *options.records > available) {
    fmt::print(stderr, "seglog-perf: topic {} has only {} records; reading those\n", options.topic, available);
  }

  Recorder recorder;
  Progress progress({&recorder}, "consumed", "poll latency", options.progress_interval_ms, ProgressStream(options.json));
  AcceptInterrupts();
  int64_t consumed = 0;
  int empty_polls = 0;
  const int64_t start = NowNanos();
  progress.Reset();
  while (consumed < target && !Interrupted()) {
    // The data is all there: poll without waiting; after an empty poll (only control batches, say) wait a
    // little, and give up after a few.
    const absl::Duration timeout = empty_polls == 0 ? absl::ZeroDuration() : absl::Milliseconds(100);
    const int64_t t0 = NowNanos();
    absl::StatusOr<PollCount> got =
        options.batches ? PollBatches(consumer->get(), timeout) : PollRecords(consumer->get(), timeout, target - consumed);
    const int64_t t1 = NowNanos();
    if (!got.ok()) return Fail(got.status());
    if (got->records == 0) {
      if (++empty_polls == 10) {
        return Fail(fmt::format("polls return nothing after {} of {} records", consumed, target));
      }
      continue;
    }
    empty_polls = 0;
    recorder.Add(t1 - t0, got->records, got->bytes);
    consumed += got->records;
    progress.MaybePrint();
  }
  const int64_t end = NowNanos();

  RunResult result;
  result.mode = "consume";
  result.verb = "consumed";
  result.latency_label = "poll latency";
  result.latency_of = options.batches ? "per PollBatches call that returned batches"
                                                 : "per Poll call that returned records";
  result.records = recorder.totals().records;
  result.bytes = recorder.totals().bytes;
  result.seconds = static_cast<double>(end - start) / 1e9;
  result.latency.Merge(recorder.histogram());
  result.interrupted = Interrupted();
  result.config = {{"dir", options.dir},           {"topic", options.topic},
                   {"partitions", partitions},     {"maxPollRecords", options.max_poll_records},
                   {"batches", options.batches}};
  result.extra["polls"] = recorder.totals().latencies;
  result.extra["bytesOf"] = options.batches ? "encoded batches" : "keys and values";
  if (absl::Status st = (*consumer)->Close(); !st.ok()) return Fail(st);
  consumer->reset();
  if (absl::Status st = (*store)->Close(); !st.ok()) return Fail(st);
  PrintResult(result, options.json);
  return result.interrupted ? kExitInterrupted : kExitOk;
}

}  // namespace

void AddConsumeCommand(CLI::App* app, Action* action) {
  auto options = std::make_shared<ConsumeOptions>();
  CLI::App* cmd = app->add_subcommand(
      "consume",
      "Consumer throughput, as kafka-consumer-perf-test, reading a topic written by `produce --dir` from its start "
      "(latency: the duration of each Poll call that returned records; MB = 2^20 bytes)");
  cmd->add_option("--dir", options->dir, "Existing data directory (opened read-only)")->required();
  cmd->add_option("--topic", options->topic, "Topic name")->capture_default_str();
  cmd->add_option("--records", options->records, "Stop after this many records (default: all there are)")
      ->check(CLI::Range(int64_t{1}, INT64_MAX));
  cmd->add_option("--max-poll-records", options->max_poll_records, "max.poll.records: most records per poll")
      ->check(CLI::Range(1, 1 << 30))
      ->capture_default_str();
  cmd->add_flag("--batches", options->batches,
                "Use PollBatches (zero-copy whole batches, not decoded; counts whole batches, so it may read past "
                "--records to the end of a batch)");
  AddOutputFlags(cmd, &options->json, &options->progress_interval_ms);
  cmd->callback([=] { *action = [=] { return RunConsume(*options); }; });
}

}  // namespace seglog_perf

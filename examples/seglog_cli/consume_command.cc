// `seglog consume TOPIC`: prints records with kcat's format placeholders until --num, the end of the data
// (--exit-at-end) or SIGINT/SIGTERM. It reads a read-only snapshot of the directory: records another
// process appends after it started are not seen.
#include <charconv>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/time/time.h"
#include "cli_common.h"
#include "commands.h"
#include "fmt/format.h"
#include "seglog/consumer.h"
#include "seglog/store.h"
#include "seglog/topic.h"
#include "signal_watcher.h"
#include "text_format.h"

namespace seglog_cli {
namespace {

struct ConsumeOptions {
  std::string topic;
  bool from_beginning = false;
  std::optional<int32_t> partition;
  std::optional<std::string> offset;
  std::optional<int64_t> num;
  bool exit_at_end = false;
  std::string format = "%v\\n";
  bool base64 = false;
};

// --offset: "beginning", "end", N (absolute) or -N (N before the end).
struct OffsetSpec {
  enum Kind { kBeginning, kEnd, kAbsolute, kFromEnd } kind = kBeginning;
  int64_t value = 0;
};

std::optional<OffsetSpec> ParseOffset(const std::string& text) {
  if (text == "beginning") return OffsetSpec{OffsetSpec::kBeginning, 0};
  if (text == "end") return OffsetSpec{OffsetSpec::kEnd, 0};
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  if (v < 0) return OffsetSpec{OffsetSpec::kFromEnd, -v};
  return OffsetSpec{OffsetSpec::kAbsolute, v};
}

// Sets the starting positions. Returns an exit code.
int PlacePositions(seglog::Consumer* consumer, const std::vector<seglog::TopicPartition>& tps,
                   const ConsumeOptions& options, const std::optional<OffsetSpec>& offset) {
  for (const seglog::TopicPartition& tp : tps) {
    absl::Status st;
    if (!offset) {
      st = options.from_beginning ? consumer->SeekToBeginning({&tp, 1}) : consumer->SeekToEnd({&tp, 1});
    } else if (offset->kind == OffsetSpec::kBeginning) {
      st = consumer->SeekToBeginning({&tp, 1});
    } else if (offset->kind == OffsetSpec::kEnd) {
      st = consumer->SeekToEnd({&tp, 1});
    } else {
      absl::StatusOr<int64_t> begin = consumer->BeginningOffset(tp);
      absl::StatusOr<int64_t> end = consumer->EndOffset(tp);
      if (!begin.ok()) return Fail(begin.status());
      if (!end.ok()) return Fail(end.status());
      int64_t at = offset->kind == OffsetSpec::kAbsolute ? offset->value : *end - offset->value;
      if (at < *begin) at = *begin;  // below the log start (or N before the end reaches past it)
      if (at > *end) at = *end;      // past the end: start at the end and wait for data
      st = consumer->Seek(tp, at);
    }
    if (!st.ok()) return Fail(st, fmt::format("{}-{}", tp.topic, tp.partition));
  }
  return kExitOk;
}

int RunConsume(const GlobalOptions& globals, const ConsumeOptions& options) {
  std::optional<OffsetSpec> offset;
  if (options.offset) {
    offset = ParseOffset(*options.offset);
    if (!offset) {
      return UsageError(fmt::format("--offset {} is not beginning, end, an offset or -N (N before the end)",
                                    *options.offset));
    }
  }
  absl::StatusOr<RecordFormatter> formatter = RecordFormatter::Parse(options.format, options.base64);
  if (!formatter.ok()) return UsageError(Message(formatter.status()));

  SignalWatcher signals;  // before any thread starts
  absl::StatusOr<std::unique_ptr<seglog::Store>> store = OpenStore(globals, {.read_only = true});
  if (!store.ok()) return Fail(store.status());
  int exit_code = kExitOk;
  std::shared_ptr<seglog::Topic> topic = FindTopic(store->get(), options.topic, options.partition, &exit_code);
  if (topic == nullptr) return CloseStore(store->get(), exit_code);
  const int32_t count = topic->num_partitions();
  std::vector<seglog::TopicPartition> tps;
  for (int32_t p = 0; p < count; ++p) {
    if (!options.partition || p == *options.partition) tps.push_back({options.topic, p});
  }

  seglog::ConsumerOptions consumer_options;
  consumer_options.auto_offset_reset =
      options.from_beginning ? seglog::OffsetReset::kEarliest : seglog::OffsetReset::kLatest;
  absl::StatusOr<std::unique_ptr<seglog::Consumer>> created = seglog::Consumer::Create(store->get(), consumer_options);
  if (!created.ok()) return CloseStore(store->get(), Fail(created.status()));
  seglog::Consumer* consumer = created->get();
  int code = kExitOk;
  if (absl::Status st = consumer->Assign(tps); !st.ok()) code = Fail(st);
  if (code == kExitOk) code = PlacePositions(consumer, tps, options, offset);

  // The end of the data for --exit-at-end: each partition's high watermark now.
  std::vector<int64_t> ends;
  for (const seglog::TopicPartition& tp : tps) {
    absl::StatusOr<int64_t> end = consumer->EndOffset(tp);
    ends.push_back(end.ok() ? *end : 0);
  }
  const auto at_end = [&]() -> bool {
    for (size_t i = 0; i < tps.size(); ++i) {
      absl::StatusOr<int64_t> position = consumer->Position(tps[i]);
      if (!position.ok() || *position < ends[i]) return false;
    }
    return true;
  };

  if (code == kExitOk && !options.exit_at_end && !options.num && StderrIsTerminal()) {
    // Someone at a terminal may wait for records that never come: this is a snapshot (doc/cli.md).
    std::fflush(stdout);
    fmt::print(stderr,
               "seglog consume: reading the data as of now (records appended later by another process are not "
               "shown); Ctrl-C stops (or use --exit-at-end / --num)\n");
  }
  signals.SetCallback([consumer] { consumer->Wakeup(); });
  int64_t printed = 0;
  std::string out;
  while (code == kExitOk && !signals.interrupted()) {
    if (options.num && printed >= *options.num) break;
    if (options.exit_at_end && at_end()) break;
    // With --exit-at-end the data below the ends is there already: a poll that finds nothing means the
    // rest was control batches or a closed pipe's worth of nothing, so it is the end. Otherwise wait (Wakeup
    // on a signal ends the wait).
    absl::StatusOr<seglog::ConsumerRecords> records =
        consumer->Poll(options.exit_at_end ? absl::ZeroDuration() : absl::Hours(1));
    if (!records.ok()) {
      code = Fail(records.status());
      break;
    }
    if (records->empty() && options.exit_at_end) break;
    out.clear();
    for (const seglog::ConsumerRecord& record : *records) {
      if (options.num && printed >= *options.num) break;
      formatter->Append(record, &out);
      ++printed;
    }
    if (!Out(out) || !FlushOut()) break;  // the reader closed the pipe
  }
  signals.SetCallback(nullptr);
  if (absl::Status st = consumer->Close(); !st.ok() && code == kExitOk) code = Fail(st);
  created->reset();
  return CloseStore(store->get(), code);
}

}  // namespace

void AddConsumeCommand(CLI::App* app, const GlobalOptions* globals, Action* action) {
  auto options = std::make_shared<ConsumeOptions>();
  CLI::App* consume = app->add_subcommand("consume", "Print a topic's records (until Ctrl-C, --num or --exit-at-end)");
  consume->add_option("topic", options->topic, "Topic name")->required();
  CLI::Option* from_beginning =
      consume->add_flag("-b,--from-beginning", options->from_beginning, "Start at the log start offset (default: the end)");
  consume->add_option("-p,--partition", options->partition, "Only this partition (default: all)")
      ->check(CLI::NonNegativeNumber);
  consume->add_option("-o,--offset", options->offset, "Start at: beginning, end, an offset, or -N (N before the end)")
      ->excludes(from_beginning);
  consume->add_option("-n,--num", options->num, "Exit after this many records")->check(CLI::PositiveNumber);
  consume->add_flag("-e,--exit-at-end", options->exit_at_end, "Exit once every partition reaches its end");
  consume->add_option("-f,--format", options->format,
                      "Output format: %k key, %v value, %p partition, %o offset, %T timestamp, %h headers "
                      "(k=v,k=v), %t topic, %K/%S key/value length, %%; escapes \\n \\t \\r \\\\")
      ->capture_default_str();
  consume->add_flag("--base64", options->base64, "Print keys, values and header values as base64");
  consume->callback([=] { *action = [=] { return RunConsume(*globals, *options); }; });
}

}  // namespace seglog_cli

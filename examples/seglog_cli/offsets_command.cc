// `seglog offsets TOPIC`: offsets per partition like Kafka's GetOffsetShell, `topic:partition:offset`.
#include <charconv>
#include <memory>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "cli_common.h"
#include "commands.h"
#include "fmt/format.h"
#include "seglog/partition.h"
#include "seglog/store.h"
#include "seglog/topic.h"

namespace seglog_cli {
namespace {

struct OffsetsOptions {
  std::string topic;
  std::string time = "latest";
  std::optional<int32_t> partition;
};

// --time: "earliest" (or -2), "latest" (or -1), or a timestamp in ms (>= 0).
enum class TimeSpec { kEarliest, kLatest, kTimestamp };

int RunOffsets(const GlobalOptions& globals, const OffsetsOptions& options) {
  TimeSpec spec;
  int64_t timestamp = -1;
  if (options.time == "earliest" || options.time == "-2") {
    spec = TimeSpec::kEarliest;
  } else if (options.time == "latest" || options.time == "-1") {
    spec = TimeSpec::kLatest;
  } else {
    const char* begin = options.time.data();
    const char* end = begin + options.time.size();
    auto [ptr, ec] = std::from_chars(begin, end, timestamp);
    if (ec != std::errc() || ptr != end || timestamp < 0) {
      return UsageError(
          fmt::format("--time {} is not earliest, latest or a timestamp in milliseconds", options.time));
    }
    spec = TimeSpec::kTimestamp;
  }

  absl::StatusOr<std::unique_ptr<seglog::Store>> store = OpenStore(globals, {.read_only = true});
  if (!store.ok()) return Fail(store.status());
  int exit_code = kExitOk;
  std::shared_ptr<seglog::Topic> topic = FindTopic(store->get(), options.topic, options.partition, &exit_code);
  if (topic == nullptr) return CloseStore(store->get(), exit_code);
  const int32_t count = topic->num_partitions();
  std::string out;
  for (int32_t p = 0; p < count; ++p) {
    if (options.partition && p != *options.partition) continue;
    std::shared_ptr<seglog::Partition> partition = topic->partition(p);
    int64_t offset;
    switch (spec) {
      case TimeSpec::kEarliest: offset = partition->log_start_offset(); break;
      case TimeSpec::kLatest: offset = partition->high_watermark(); break;
      case TimeSpec::kTimestamp: {
        absl::StatusOr<std::optional<seglog::TimestampAndOffset>> found = partition->OffsetForTimestamp(timestamp);
        if (!found.ok()) return CloseStore(store->get(), Fail(found.status(), fmt::format("{}-{}", options.topic, p)));
        offset = found->has_value() ? (*found)->offset : -1;
        break;
      }
    }
    out += fmt::format("{}:{}:{}\n", options.topic, p, offset);
  }
  Out(out);
  return CloseStore(store->get(), kExitOk);
}

}  // namespace

void AddOffsetsCommand(CLI::App* app, const GlobalOptions* globals, Action* action) {
  auto options = std::make_shared<OffsetsOptions>();
  CLI::App* offsets = app->add_subcommand(
      "offsets", "Print each partition's offset as topic:partition:offset (Kafka's GetOffsetShell)");
  offsets->add_option("topic", options->topic, "Topic name")->required();
  offsets->add_option("--time", options->time,
                      "earliest (-2): the log start offset; latest (-1): the high watermark; or a timestamp in ms: "
                      "the first offset whose timestamp is at or after it (-1 when there is none)")
      ->capture_default_str();
  offsets->add_option("-p,--partition", options->partition, "Only this partition")->check(CLI::NonNegativeNumber);
  offsets->callback([=] { *action = [=] { return RunOffsets(*globals, *options); }; });
}

}  // namespace seglog_cli

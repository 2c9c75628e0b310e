// Producer-side flags shared by `produce` and `e2e` (see producer_flags.h).
#include "producer_flags.h"

#include <algorithm>
#include <climits>
#include <exception>
#include <string>

#include "commands.h"
#include "fmt/format.h"
#include "seglog/compression.h"

namespace seglog_perf {

void AddProducerFlags(CLI::App* cmd, ProducerFlags* flags, bool for_e2e) {
  cmd->add_option("--records", flags->records, "Number of records to send (Kafka's --num-records)")
      ->required()
      ->check(CLI::Range(int64_t{1}, INT64_MAX));
  CLI::Option* size = cmd->add_option("--record-size", flags->record_size,
                                      for_e2e ? "Value size in bytes (>= 8: the send time is stamped in the first 8)"
                                              : "Value size in bytes (values: random uppercase letters)")
                          ->check(CLI::Range(for_e2e ? 8 : 1, 1000000))
                          ->capture_default_str();
  if (!for_e2e) {
    cmd->add_option("--payload-file", flags->payload_file,
                    "Values drawn at random from this file's lines (split on newline, empty lines dropped), as "
                    "Kafka's --payload-file")
        ->excludes(size);
  }
  cmd->add_option("--key-size", flags->key_size,
                  "Key size in bytes; 0: null keys (the partitioner spreads batches), else 1,024 distinct keys in turn")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  cmd->add_option_function<int32_t>(
         "--partitions",
         [flags](const int32_t& n) {
           flags->partitions = n;
           flags->partitions_given = true;
         },
         "Partitions of the topic, created when missing (an existing topic must have this many) [default: 1]")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--topic", flags->topic, "Topic name")->capture_default_str();
  cmd->add_option("--batch-size", flags->batch_size, "batch.size: most uncompressed bytes per batch")
      ->check(CLI::Range(1, 1 << 30))
      ->capture_default_str();
  cmd->add_option("--linger-ms", flags->linger_ms, "linger.ms: how long a batch that is not full waits for more")
      ->check(CLI::Range(int64_t{0}, int64_t{3600000}))
      ->capture_default_str();
  cmd->add_option("--compression", flags->compression, "compression.type: none, gzip, snappy, lz4, zstd")
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}))
      ->capture_default_str();
  cmd->add_option("--acks", flags->acks,
                  "0 or 1: a record is acknowledged once appended (page cache); -1 or all: once appended and "
                  "fsynced (Kafka's acks=all waits for replicas' memory, not a disk, so 1 is the comparable "
                  "setting)")
      ->check(CLI::IsMember({"0", "1", "-1", "all"}))
      ->capture_default_str();
  cmd->add_option("--throughput", flags->throughput,
                  "Records/s limit over all threads (the average since the start, as Kafka's), >= 0.001; -1: no limit")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            try {
              const double v = std::stod(text);
              if (v == -1 || v >= 0.001) return "";
            } catch (const std::exception&) {
            }
            return "--throughput must be -1 (no limit) or at least 0.001 records/s, not " + text;
          },
          "RATE"))
      ->capture_default_str();
  cmd->add_option("--dir", flags->dir,
                  "Data directory to write (created if missing, kept); default: a temporary directory under "
                  "$TMPDIR (or /tmp), removed at exit");
  AddOutputFlags(cmd, &flags->json, &flags->progress_interval_ms);
}

int AcksValue(const std::string& acks) { return acks == "all" ? -1 : std::stoi(acks); }

seglog::ProducerOptions ToProducerOptions(const ProducerFlags& flags, int64_t max_value_size) {
  seglog::ProducerOptions options;
  options.acks = AcksValue(flags.acks);
  options.linger_ms = flags.linger_ms;
  options.batch_size = flags.batch_size;
  options.compression = *seglog::ParseCompressionType(flags.compression);
  // A record (key + value + headers) with the longest value must fit max.request.size.
  const int64_t needed = std::min<int64_t>(max_value_size + flags.key_size + 1024, INT32_MAX);
  options.max_request_size = std::max<int32_t>(options.max_request_size, static_cast<int32_t>(needed));
  return options;
}

nlohmann::json ConfigJson(const ProducerFlags& flags) {
  nlohmann::json config = {
      {"topic", flags.topic},
      {"partitions", flags.partitions},
      {"keySize", flags.key_size},
      {"batchSize", flags.batch_size},
      {"lingerMs", flags.linger_ms},
      {"compression", flags.compression},
      {"acks", AcksValue(flags.acks)},
      {"throughput", flags.throughput},
      {"dir", flags.dir.empty() ? nlohmann::json(nullptr) : nlohmann::json(flags.dir)},
  };
  if (flags.payload_file.empty()) {
    config["recordSize"] = flags.record_size;
  } else {
    config["payloadFile"] = flags.payload_file;
  }
  return config;
}

absl::Status RunStore::Close() {
  if (store == nullptr) return absl::OkStatus();
  absl::Status st = store->Close();
  topic.reset();
  store.reset();
  return st;
}

absl::Status OpenRunStore(const ProducerFlags& flags, RunStore* run) {
  std::string dir = flags.dir;
  if (dir.empty()) {
    if (absl::Status st = run->temp.Create(); !st.ok()) return st;
    dir = run->temp.path();
  }
  absl::StatusOr<std::unique_ptr<seglog::Store>> store = OpenWritableStore(dir);
  if (!store.ok()) {
    return absl::Status(store.status().code(), fmt::format("opening {}: {}", dir, Message(store.status())));
  }
  run->store = *std::move(store);
  absl::StatusOr<std::shared_ptr<seglog::Topic>> topic =
      EnsureTopic(run->store.get(), flags.topic, flags.partitions, flags.partitions_given);
  if (!topic.ok()) return topic.status();
  run->topic = *std::move(topic);
  return absl::OkStatus();
}

}  // namespace seglog_perf

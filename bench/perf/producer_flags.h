// The producer-side flags `seglog-perf produce` and `seglog-perf e2e` share (kafka-producer-perf-test's
// vocabulary), their checks, and what they turn into: ProducerOptions, the run's Store and topic, and the
// "config" object of the JSON summary.
//
//   auto flags = std::make_shared<ProducerFlags>();
//   AddProducerFlags(cmd, flags.get(), /*for_e2e=*/false);
//   ...after parsing...
//   RunStore run;
//   if (absl::Status st = OpenRunStore(*flags, &run); !st.ok()) return Fail(st);
//   seglog::ProducerOptions options = ToProducerOptions(*flags, flags->record_size);
//
// Thread safety: plain values and functions used by one thread.
#ifndef SEGLOG_BENCH_PERF_PRODUCER_FLAGS_H_
#define SEGLOG_BENCH_PERF_PRODUCER_FLAGS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "perf_util.h"
#include "seglog/producer.h"
#include "seglog/store.h"
#include "seglog/topic.h"

namespace seglog_perf {

struct ProducerFlags {
  int64_t records = 0;           // --records (required)
  int32_t record_size = 100;     // --record-size
  std::string payload_file;      // --payload-file (produce only; excludes --record-size)
  int32_t key_size = 0;          // --key-size (0: null keys)
  int32_t partitions = 1;        // --partitions
  bool partitions_given = false; // --partitions was on the command line
  std::string topic = "perf-test";
  int32_t batch_size = 16384;    // --batch-size (batch.size)
  int64_t linger_ms = 5;         // --linger-ms (linger.ms)
  std::string compression = "none";
  std::string acks = "1";
  double throughput = -1;        // records/s over all threads; -1: no limit
  std::string dir;               // empty: a temporary directory removed at exit
  bool json = false;
  int64_t progress_interval_ms = 5000;
};

// Adds the flags to `cmd` (their defaults are the values in *flags when called). With `for_e2e`, no
// --payload-file and --record-size must be at least 8 (the send time is stamped in the first 8 bytes).
void AddProducerFlags(CLI::App* cmd, ProducerFlags* flags, bool for_e2e);

// acks "all" is -1.
int AcksValue(const std::string& acks);
// `max_value_size`: the longest value the run sends (--record-size, or the longest --payload-file line), so
// that max.request.size fits any record.
seglog::ProducerOptions ToProducerOptions(const ProducerFlags& flags, int64_t max_value_size);
// The settings of the run, for the JSON summary's "config".
nlohmann::json ConfigJson(const ProducerFlags& flags);

// The Store a run writes to: --dir (kept) or a temporary directory (removed when this is destroyed, after the
// Store closes). Members are destroyed in reverse order: store before temp.
struct RunStore {
  TempDir temp;
  std::unique_ptr<seglog::Store> store;
  std::shared_ptr<seglog::Topic> topic;
  // Closes the store (once; later calls return OK).
  absl::Status Close();
};
// Opens the Store (--dir or a new temporary directory) and finds or creates the topic (EnsureTopic).
absl::Status OpenRunStore(const ProducerFlags& flags, RunStore* run);

}  // namespace seglog_perf

#endif  // SEGLOG_BENCH_PERF_PRODUCER_FLAGS_H_

// seglog-perf: Kafka's perf-test tools for seglog, built only on the public API (bench/perf/README.md).
//
//   seglog-perf produce --records 5000000 --record-size 100                  # kafka-producer-perf-test
//   seglog-perf produce --records 2000000 --dir /tmp/perf --partitions 4 --key-size 8 --compression lz4
//   seglog-perf consume --dir /tmp/perf                                      # kafka-consumer-perf-test
//   seglog-perf e2e --records 100000 --throughput 10000                      # EndToEndLatency
//   seglog-perf produce --records 1000000 --json                             # one JSON object on stdout
//
// Design.
// - produce: --producers threads, each with its own Producer (or one shared, --shared-producer), send
//   their share of --records, throttled to --throughput records/s in all (Kafka's average-rate throttle).
//   Values are prepared once (windows of a random-letter buffer, or --payload-file lines); keys rotate over
//   1,024 prepared keys. A record's latency is Send → its callback (on the producer's sender thread, which
//   only reads the clock and bumps single-writer counters and a histogram). Progress every 5 s on a terminal.
// - consume: a read-only Store, every partition from its start, Poll (or PollBatches) with no wait; the
//   latency is each poll call's duration.
// - e2e: one producer thread and one consumer thread on one Store; each value carries its send time in its
//   first 8 bytes and the consumer records (poll return - stamp) for each record.
// - Latencies go into LatencyHistogram (log-linear, ~0.4% error, mergeable). Throughput units are Kafka's
//   (MB = 2^20 bytes); time is steady_clock wall time. Data goes to --dir or a temporary directory under
//   $TMPDIR that is removed at exit, also after Ctrl-C, which stops the run and prints what was measured
//   (exit 130; a second Ctrl-C kills).
//
// Exit codes: 0 success, 1 runtime error, 2 usage error, 130 interrupted. Errors go to stderr as
// "seglog-perf: <message>"; stdout carries only the results.
#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>

#include "CLI/CLI.hpp"
#include "commands.h"
#include "fmt/format.h"
#include "perf_util.h"
#include "seglog/version.h"

namespace seglog_perf {

void AddOutputFlags(CLI::App* cmd, bool* json, int64_t* progress_interval_ms) {
  cmd->add_flag("--json", *json, "Print the summary as one JSON object on stdout (and nothing else there)");
  cmd->add_option("--progress-interval-ms", *progress_interval_ms,
                  "Progress line interval when the output is a terminal; 0: none")
      ->check(CLI::Range(int64_t{0}, INT64_MAX / 1'000'000))
      ->capture_default_str();
}

}  // namespace seglog_perf

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  seglog_perf::InstallInterruptHandler();  // before any thread starts: threads inherit the blocked signals

  CLI::App app("seglog-perf: producer, consumer and end-to-end benchmarks for seglog, after Kafka's perf-test tools",
               "seglog-perf");
  app.set_version_flag("--version", std::string(seglog::kVersionString));
  app.require_subcommand(1);
  seglog_perf::Action action;
  seglog_perf::AddProduceCommand(&app, &action);
  seglog_perf::AddConsumeCommand(&app, &action);
  seglog_perf::AddE2eCommand(&app, &action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fflush(stdout);
    fmt::print(stderr, "seglog-perf: {}\nRun 'seglog-perf --help' (or 'seglog-perf <command> --help') for usage.\n",
               e.what());
    return seglog_perf::kExitUsage;
  }
  if (!action) return seglog_perf::UsageError("no command given (run 'seglog-perf --help')");
  try {
    return action();
  } catch (const std::exception& e) {
    // A bug's last line of defence (commands report errors by status): a message and exit 1, not an abort.
    return seglog_perf::Fail(e.what());
  }
}

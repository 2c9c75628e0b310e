// The seglog-perf subcommands: each adds itself to the command line and, when chosen, sets the action that
// runs it (returning the exit code). Thread safety: called once, from main().
#ifndef SEGLOG_BENCH_PERF_COMMANDS_H_
#define SEGLOG_BENCH_PERF_COMMANDS_H_

#include <cstdint>
#include <functional>

#include "CLI/CLI.hpp"

namespace seglog_perf {

using Action = std::function<int()>;

void AddProduceCommand(CLI::App* app, Action* action);
void AddConsumeCommand(CLI::App* app, Action* action);
void AddE2eCommand(CLI::App* app, Action* action);

// The output flags every command has: --json and --progress-interval-ms (main.cc).
void AddOutputFlags(CLI::App* cmd, bool* json, int64_t* progress_interval_ms);

}  // namespace seglog_perf

#endif  // SEGLOG_BENCH_PERF_COMMANDS_H_

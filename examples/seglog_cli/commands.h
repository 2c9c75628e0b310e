// The `seglog` subcommands: each Add*Command registers its CLI11 subcommand on `app`; when the command line
// selects it, its callback stores in *action what to run (after parsing finished without errors).
//
// Thread safety: called once from main().
#ifndef SEGLOG_CLI_COMMANDS_H_
#define SEGLOG_CLI_COMMANDS_H_

#include "cli_common.h"

namespace CLI {
class App;
}

namespace seglog_cli {

// `topic create|list|describe|delete|add-partitions` (topic_command.cc).
void AddTopicCommand(CLI::App* app, const GlobalOptions* globals, Action* action);
// `produce TOPIC` (produce_command.cc).
void AddProduceCommand(CLI::App* app, const GlobalOptions* globals, Action* action);
// `consume TOPIC` (consume_command.cc).
void AddConsumeCommand(CLI::App* app, const GlobalOptions* globals, Action* action);
// `offsets TOPIC` (offsets_command.cc).
void AddOffsetsCommand(CLI::App* app, const GlobalOptions* globals, Action* action);
// `dump FILE...` (dump_command.cc; needs no data directory).
void AddDumpCommand(CLI::App* app, Action* action);

}  // namespace seglog_cli

#endif  // SEGLOG_CLI_COMMANDS_H_

// seglog: the command-line tool for seglog data directories and segment files (doc/cli.md).
//
//   seglog topic create orders -p 3 -c retention.ms=86400000
//   printf 'k1|hello\nk2|world\n' | seglog produce orders --key-separator '|'
//   seglog consume orders --from-beginning --exit-at-end --format '%p:%o %k=%v\n'
//   seglog offsets orders --time earliest
//   seglog dump --print-data-log seglog-data/orders-0/00000000000000000000.log
//
// Exit codes: 0 success, 1 runtime error, 2 usage error. Errors go to stderr as "seglog: <message>".
#include <signal.h>

#include <cstdio>
#include <exception>
#include <string>

#include "CLI/CLI.hpp"
#include "cli_common.h"
#include "commands.h"
#include "fmt/format.h"
#include "seglog/version.h"

int main(int argc, char** argv) {
  using seglog_cli::kExitUsage;
  // A reader that closes the pipe ends the output quietly (Out() sees EPIPE) instead of killing us mid-write.
  signal(SIGPIPE, SIG_IGN);

  CLI::App app("seglog: topics, producing, consuming and segment dumps for seglog data directories", "seglog");
  app.set_version_flag("--version", std::string(seglog::kVersionString));
  app.require_subcommand(1);
  app.fallthrough();  // --dir is accepted after the subcommand too

  seglog_cli::GlobalOptions globals;
  app.add_option("--dir", globals.dir, "Data directory (default ./seglog-data)")
      ->envname("SEGLOG_DIR")
      ->capture_default_str();

  seglog_cli::Action action;
  seglog_cli::AddTopicCommand(&app, &globals, &action);
  seglog_cli::AddProduceCommand(&app, &globals, &action);
  seglog_cli::AddConsumeCommand(&app, &globals, &action);
  seglog_cli::AddOffsetsCommand(&app, &globals, &action);
  seglog_cli::AddDumpCommand(&app, &action);

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
    fmt::print(stderr, "seglog: {}\nRun 'seglog --help' (or 'seglog <command> --help') for usage.\n", e.what());
    return kExitUsage;
  }
  if (!action) return seglog_cli::UsageError("no command given (run 'seglog --help')");
  int code;
  try {
    code = action();
  } catch (const std::exception& e) {
    // A bug's last line of defence (the commands report errors by status, not by throwing): a message and
    // exit 1 instead of std::terminate's abort.
    seglog_cli::FlushOut();
    return seglog_cli::Fail(e.what());
  }
  seglog_cli::FlushOut();  // a reader that went away is not our failure: the code stands
  return code;
}

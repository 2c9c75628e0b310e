// What every `seglog` subcommand shares: global options, exit codes, error reporting, opening the Store,
// and the output helpers (a stdout that stops quietly on a closed pipe, tables, escaping, base64).
//
//   int RunSomething(const GlobalOptions& globals) {
//     absl::StatusOr<std::unique_ptr<seglog::Store>> store = OpenStore(globals, {.read_only = true});
//     if (!store.ok()) return Fail(store.status());
//     ...
//     return kExitOk;
//   }
//
// Thread safety: Fail/Out may be called from any thread; the rest are pure functions.
#ifndef SEGLOG_CLI_CLI_COMMON_H_
#define SEGLOG_CLI_CLI_COMMON_H_

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "seglog/store.h"

namespace seglog_cli {

// Exit codes (doc/cli.md): success, runtime error (including data errors found by dump), usage error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// Options every subcommand sees.
struct GlobalOptions {
  std::string dir = "./seglog-data";  // --dir, or $SEGLOG_DIR
};

// What a subcommand does once the command line parsed; returns the exit code.
using Action = std::function<int()>;

// Prints "seglog: <message>" to stderr and returns `code`.
int Fail(std::string_view message, int code = kExitError);
// The status's message (without the code name) prefixed by `context` and ": " when given; returns 1.
int Fail(const absl::Status& status, std::string_view context = {});
// A usage error (exit code 2).
inline int UsageError(std::string_view message) { return Fail(message, kExitUsage); }

// The status's message as a std::string (absl::string_view is not std::string_view on Debian 12).
std::string Message(const absl::Status& status);

struct StoreMode {
  bool read_only = false;
  bool background_housekeeping = false;
};
// Opens the data directory at globals.dir. Read-only opens never create it (kNotFound names it); a write
// open creates it. A directory locked by another process gives kFailedPrecondition with the Store's message.
absl::StatusOr<std::unique_ptr<seglog::Store>> OpenStore(const GlobalOptions& globals, StoreMode mode);

// Closes the store, turning an error into the exit code (`code` unchanged when it closes cleanly).
int CloseStore(seglog::Store* store, int code);

// The topic `name`, checking that `partition` (when given) is one of its partitions. On failure prints the
// error ("unknown topic ...", "topic ... has no partition ...") and sets *exit_code to kExitError.
std::shared_ptr<seglog::Topic> FindTopic(seglog::Store* store, const std::string& name,
                                         std::optional<int32_t> partition, int* exit_code);

// Writes to stdout. Returns false once stdout is gone (EPIPE: the reader closed the pipe) or failed, after
// which callers stop producing output; SIGPIPE is ignored by main().
bool Out(std::string_view text);
// Flushes stdout; false as for Out.
bool FlushOut();

// Rows of cells printed with each column left-aligned to its widest cell, two spaces apart, the last column
// unpadded. The first row is usually the header.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows);

// Standard base64 (RFC 4648, with padding).
std::string Base64(std::string_view bytes);

// Text for a one-line display: valid UTF-8 is kept, except that backslash, control characters and DEL are
// escaped (\\, \n, \t, \r, \xNN); bytes that are not valid UTF-8 become \xNN.
std::string EscapeForLine(std::string_view bytes);
// For JSON strings: valid UTF-8 is kept as is (JSON escapes what it must); each byte that is not part of
// valid UTF-8 becomes the four characters \xNN (so "\xff" reads "\\xff" in the JSON text). Use base64
// output for exact bytes.
std::string Utf8OrEscaped(std::string_view bytes);

// Whether stderr is a terminal (progress may be shown then, never when piped).
bool StderrIsTerminal();

}  // namespace seglog_cli

#endif  // SEGLOG_CLI_CLI_COMMON_H_

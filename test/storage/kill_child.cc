// seglog_kill_child: the process partition_kill_test.cc kills. It opens a partition on the POSIX file system
// and appends to it forever, writing a Message (kill_child_protocol.h) to stdout, unbuffered, after each
// durable append or Flush that returned OK, until the parent kills it with SIGKILL.
//
//   seglog_kill_child <partition dir> <seed> <mode 0|1|2>
//
// The record at each offset is ExpectedRecord(offset), whichever run writes it. Batches of 1..16 records;
// in the mixed and buffered modes some appends are not durable and some cycles end with an explicit Flush.
// Exit status: 2 for bad arguments, 1 when an operation fails (the status on stderr); never 0.
#include <errno.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "seglog/file_system.h"
#include "seglog/partition.h"
#include "storage/kill_child_protocol.h"

namespace seglog::test::kill {
namespace {

[[noreturn]] void Die(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "seglog_kill_child: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

// One write(2) of a message smaller than PIPE_BUF: the parent reads it whole or not at all.
void Send(MessageType type, int64_t a, int64_t b) {
  const Message m{.type = type, .a = a, .b = b};
  ssize_t n;
  do {
    n = write(STDOUT_FILENO, &m, sizeof(m));
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof(m))) {
    std::fprintf(stderr, "seglog_kill_child: writing to the parent: %zd of %zu bytes\n", n, sizeof(m));
    std::exit(1);
  }
}

int Run(const std::string& dir, uint64_t seed, Mode mode) {
  std::mt19937_64 rng(seed);
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  Send(kStarted, 0, 0);
  RecoveryReport report;
  absl::StatusOr<std::unique_ptr<Partition>> opened =
      Partition::Open(dir, {.fs = fs.get(), .create_if_missing = true, .config = KillTestConfig(mode)}, &report);
  if (!opened.ok()) Die("opening " + dir, opened.status());
  Partition& p = **opened;
  Send(kOpened, p.log_end_offset(), report.clean_shutdown ? 1 : 0);

  std::vector<ExpectedRecord> expected;
  std::vector<Record> records;
  int64_t next = p.log_end_offset();
  while (true) {
    const int n = rng() % 4 == 0 ? 1 + static_cast<int>(rng() % 16) : 1;
    expected.clear();
    records.clear();
    expected.reserve(n);  // ToRecord points into these: no reallocation after it
    for (int i = 0; i < n; ++i) expected.emplace_back(next + i);
    for (const ExpectedRecord& e : expected) records.push_back(e.ToRecord());
    const bool durable = mode == Mode::kDurable || rng() % 3 != 0;
    absl::StatusOr<AppendResult> r = p.Append(records, {.durable = durable});
    if (!r.ok()) Die(absl::StrCat("append at offset ", next), r.status());
    if (r->base_offset != next || r->last_offset != next + n - 1) {
      Die("append", absl::InternalError(absl::StrCat("expected offsets ", next, "..", next + n - 1, ", got ",
                                                     r->base_offset, "..", r->last_offset)));
    }
    next += n;
    if (durable) {
      Send(kAck, r->base_offset, r->last_offset);
    } else if (rng() % 8 == 0) {
      if (absl::Status s = p.Flush(); !s.ok()) Die("flush", s);
      Send(kAck, -1, next - 1);
    }
  }
}

}  // namespace
}  // namespace seglog::test::kill

int main(int argc, char* argv[]) {
  using seglog::test::kill::Mode;
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <partition dir> <seed> <mode 0|1|2>\n", argv[0]);
    return 2;
  }
  char* end = nullptr;
  const uint64_t seed = std::strtoull(argv[2], &end, 10);
  if (*end != '\0') return 2;
  const long mode = std::strtol(argv[3], &end, 10);
  if (*end != '\0' || mode < 0 || mode >= seglog::test::kill::kNumModes) return 2;
  return seglog::test::kill::Run(argv[1], seed, static_cast<Mode>(mode));
}

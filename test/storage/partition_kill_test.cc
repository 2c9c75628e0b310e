// Partition under real process crashes: a child process (seglog_kill_child) appends durably and is killed
// with SIGKILL at a random moment; the parent then opens the partition and finds every acknowledged record,
// every record it finds holds exactly the bytes the child wrote, and the offsets run contiguously from 0 to
// the log end. Round after round on one directory, so recovery after SIGKILL meets many segments.
//
// SIGKILL ends the process but not the kernel: the page cache survives, so appends that were written but
// never fsynced are found too. What the test holds the partition to is that nothing acknowledged (a durable
// append or a Flush that returned OK) is lost, and that whatever is found is valid and contiguous.
//
// The choices of each round (mode, where to kill, the child's seed) come from one seed, printed with INFO
// and taken from $SEGLOG_KILL_TEST_SEED when set; the moment the SIGKILL lands is up to the scheduler. It
// runs 12 to 40 rounds, as many as fit in about 8 seconds (fdatasync latency here varies tenfold).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "seglog/log_files.h"
#include "seglog/partition.h"
#include "storage/kill_child_protocol.h"
#include "support/test_util.h"

extern char** environ;

namespace seglog {
namespace {

using test::kill::ExpectedRecord;
using test::kill::Message;
using test::kill::Mode;

// A running seglog_kill_child with its stdout piped to us. Destruction kills and reaps it, so no child
// outlives a failed REQUIRE.
class Child {
 public:
  Child(const std::string& dir, uint64_t seed, Mode mode) {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    fd_ = fds[0];
    posix_spawn_file_actions_t actions;
    REQUIRE(posix_spawn_file_actions_init(&actions) == 0);
    REQUIRE(posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO) == 0);  // clears FD_CLOEXEC
    const std::string path = SEGLOG_KILL_CHILD_PATH;
    const std::string seed_arg = std::to_string(seed);
    const std::string mode_arg = std::to_string(static_cast<int>(mode));
    std::string dir_arg = dir;
    char* argv[] = {const_cast<char*>(path.c_str()), dir_arg.data(), const_cast<char*>(seed_arg.c_str()),
                    const_cast<char*>(mode_arg.c_str()), nullptr};
    const int spawned = posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    INFO("posix_spawn " << path << ": " << std::strerror(spawned));
    REQUIRE(spawned == 0);
  }
  ~Child() {
    if (pid_ > 0) (void)Kill();
    if (fd_ >= 0) close(fd_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // The next message, or std::nullopt at end of file (the child exited). A child silent for a minute is a
  // hang and fails the test.
  std::optional<Message> Next() {
    Message m;
    size_t got = 0;
    while (got < sizeof(m)) {
      pollfd pfd{.fd = fd_, .events = POLLIN, .revents = 0};
      const int ready = poll(&pfd, 1, 60'000);
      if (ready < 0 && errno == EINTR) continue;
      INFO("waiting for the child: " << (ready < 0 ? std::strerror(errno) : "silent for 60 s"));
      REQUIRE(ready > 0);
      const ssize_t n = read(fd_, reinterpret_cast<char*>(&m) + got, sizeof(m) - got);
      if (n < 0 && errno == EINTR) continue;
      REQUIRE(n >= 0);
      if (n == 0) {
        REQUIRE(got == 0);  // one write(2) per message: never half of one
        return std::nullopt;
      }
      got += static_cast<size_t>(n);
    }
    return m;
  }

  // SIGKILLs the child and reaps it; returns its wait status.
  int Kill() {
    ::kill(pid_, SIGKILL);
    return Wait();
  }
  // Reaps the child (it exited or was killed); returns its wait status.
  int Wait() {
    int status = 0;
    pid_t r;
    do {
      r = waitpid(pid_, &status, 0);
    } while (r < 0 && errno == EINTR);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
};

std::string Describe(const RecoveryReport& r) {
  std::ostringstream out;
  out << "RecoveryReport{clean_shutdown=" << r.clean_shutdown << " recovery_point=" << r.recovery_point
      << " segments=" << r.segments << " segments_recovered=" << r.segments_recovered
      << " bytes_recovered=" << r.bytes_recovered << " bytes_truncated=" << r.bytes_truncated
      << " segments_deleted=" << r.segments_deleted << " log_end_offset=" << r.log_end_offset
      << " dropped_up_to_offset=" << r.dropped_up_to_offset << " first_invalid_batch=" << r.first_invalid_batch << "}";
  return out.str();
}

// Whether `found` is exactly ExpectedRecord(offset); what differs otherwise.
std::string Mismatch(const test::OwnedRecord& found, int64_t offset) {
  const ExpectedRecord want(offset);
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  if (want.header_value) headers.emplace_back("trace", *want.header_value);
  if (found.offset != offset) return absl::StrCat("offset ", found.offset);
  if (found.key != want.key) return "key";
  if (found.value != want.value) return absl::StrCat("value of ", found.value ? found.value->size() : 0, " bytes");
  if (found.timestamp != want.timestamp) return absl::StrCat("timestamp ", found.timestamp);
  if (found.headers != headers) return "headers";
  return "";
}

// Reads every record from offset 0 to the log end and checks each against ExpectedRecord. Returns an empty
// string, or what is wrong.
std::string CheckAllRecords(const Partition& p) {
  int64_t next = 0;
  while (true) {
    absl::StatusOr<ReadResult> read = p.Read(next, {.max_bytes = 1 << 20});
    if (!read.ok()) return absl::StrCat("read at ", next, ": ", read.status().ToString());
    if (read->bytes.empty()) break;
    absl::StatusOr<std::vector<test::DecodedBatch>> batches = test::DecodeLog(read->bytes);
    if (!batches.ok()) return absl::StrCat("decoding at ", next, ": ", batches.status().ToString());
    for (const test::DecodedBatch& batch : *batches) {
      if (batch.header.base_offset != next) {
        return absl::StrCat("batch at offset ", batch.header.base_offset, ", expected ", next);
      }
      for (const test::OwnedRecord& r : batch.records) {
        if (std::string what = Mismatch(r, next); !what.empty()) {
          return absl::StrCat("record at offset ", next, " differs: ", what);
        }
        ++next;
      }
    }
    if (read->next_offset != next) {
      return absl::StrCat("read's next offset ", read->next_offset, ", records end at ", next);
    }
  }
  if (next != p.log_end_offset()) {
    return absl::StrCat("records end at ", next, " but the log end offset is ", p.log_end_offset());
  }
  return "";
}

uint64_t TestSeed() {
  if (const char* s = std::getenv("SEGLOG_KILL_TEST_SEED"); s != nullptr && *s != '\0') {
    return std::strtoull(s, nullptr, 10);
  }
  return std::random_device()();
}

TEST_CASE("SigkilledChildLosesNoAcknowledgedAppend", "[partition][kill]") {
  // Rounds until the time budget is spent (fdatasync latency on a shared disk varies tenfold), within bounds.
  constexpr int kMinRounds = 12;
  constexpr int kMaxRounds = 40;
  const absl::Duration budget = absl::Seconds(8);
  constexpr int kMaxAcksBeforeKill = 200;
  const absl::Time start = absl::Now();
  const uint64_t seed = TestSeed();
  INFO("seed " << seed << " (rerun with SEGLOG_KILL_TEST_SEED=" << seed << ")");
  std::mt19937_64 rng(seed);
  test::TempDir tmp;
  const std::string dir = JoinPath(tmp.path(), std::string(test::kill::kPartitionDirName));
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();

  int64_t max_acked = -1;       // every offset <= max_acked was acknowledged durable by some child
  int64_t end_after_check = 0;  // the log end the parent left behind after the last round
  const std::string marker = JoinPath(dir, std::string(kCleanShutdownFile));
  auto marker_exists = [&] {
    absl::StatusOr<bool> exists = fs->Exists(marker);
    REQUIRE_OK(exists);
    return *exists;
  };
  int64_t total_acks = 0;
  int kills_in_open = 0;
  int max_segments = 0;
  int recoveries_that_cut = 0;
  int round = 0;
  for (; round < kMaxRounds && (round < kMinRounds || absl::Now() - start < budget); ++round) {
    const auto mode = static_cast<Mode>(rng() % test::kill::kNumModes);
    const uint64_t child_seed = rng();
    // Where to kill: while the child opens (recovers) the partition, as soon as it has opened it (during its
    // first appends), or once it has acknowledged k appends.
    const int kill_choice = static_cast<int>(rng() % 10);
    const bool kill_in_open = kill_choice == 0;
    const int kill_after_acks = kill_choice == 1 ? 0 : 1 + static_cast<int>(rng() % kMaxAcksBeforeKill);
    INFO("round " << round << ": mode " << static_cast<int>(mode) << ", child seed " << child_seed << ", kill "
                  << (kill_in_open ? "while opening" : absl::StrCat("after acks: ", kill_after_acks)));

    // The marker is there after the parent closed cleanly, and also after a child killed before its Open
    // removed it (nothing was written meanwhile, so the log is still as the parent left it).
    const bool marker_before = marker_exists();
    bool opened = false;
    {
      Child child(dir, child_seed, mode);
      int acks = 0;
      while (true) {
        std::optional<Message> m = child.Next();
        if (!m) {
          const int status = child.Wait();
          INFO("the child exited by itself: wait status " << status << " (its stderr is above)");
          FAIL();
        }
        if (m->type == test::kill::kStarted) {
          if (kill_in_open) break;
        } else if (m->type == test::kill::kOpened) {
          opened = true;
          // What the parent left behind is exactly what the child finds.
          REQUIRE(m->a == end_after_check);
          REQUIRE((m->b == 1) == marker_before);
          if (kill_after_acks == 0) break;
        } else {
          REQUIRE(m->type == test::kill::kAck);
          REQUIRE(opened);
          REQUIRE(m->b >= end_after_check);
          REQUIRE(m->b > max_acked);
          max_acked = m->b;
          if (++acks == kill_after_acks) break;
        }
      }
      // The child runs on while this reads the last acknowledgement: the SIGKILL lands wherever it is.
      const int status = child.Kill();
      REQUIRE(WIFSIGNALED(status));
      REQUIRE(WTERMSIG(status) == SIGKILL);
      total_acks += acks;
      if (kill_in_open) ++kills_in_open;
    }
    const bool marker_after = marker_exists();
    if (opened || !marker_before) REQUIRE_FALSE(marker_after);

    // Alternately the partition manages its own checkpoints (recovering from the checkpointed recovery
    // point, then closing cleanly so the next child finds the marker), or an owner hands it an unclean
    // checkpoint at offset 0 (every segment validated; no marker or checkpoint written, no Close called, so
    // the next child recovers from the SIGKILLed child's state again).
    const bool self_managed = round % 2 == 0;
    // (Created if missing: the first child may die before it creates the directory.)
    PartitionOptions options{
        .fs = fs.get(), .create_if_missing = true, .config = test::kill::KillTestConfig(Mode::kDurable)};
    if (!self_managed) options.checkpoint = PartitionCheckpoint{.clean_shutdown = false};
    RecoveryReport report;
    absl::StatusOr<std::unique_ptr<Partition>> p = Partition::Open(dir, options, &report);
    INFO(Describe(report));
    REQUIRE_OK(p);
    INFO("acknowledged up to offset " << max_acked << ", log end offset " << (*p)->log_end_offset() << ", "
                                      << (*p)->num_segments() << " segments");
    REQUIRE(report.clean_shutdown == (self_managed && marker_after));
    REQUIRE((*p)->log_start_offset() == 0);
    REQUIRE((*p)->log_end_offset() > max_acked);
    REQUIRE((*p)->log_end_offset() >= end_after_check);
    REQUIRE((*p)->high_watermark() == (*p)->log_end_offset());
    REQUIRE(CheckAllRecords(**p) == "");
    end_after_check = (*p)->log_end_offset();
    max_segments = std::max(max_segments, (*p)->num_segments());
    if (report.bytes_truncated > 0 || report.segments_deleted > 0) ++recoveries_that_cut;
    if (self_managed) REQUIRE_OK((*p)->Close());
  }
  INFO(round << " rounds in " << absl::FormatDuration(absl::Now() - start) << ", " << total_acks
             << " acknowledgements read, " << kills_in_open << " kills while opening, " << recoveries_that_cut
             << " recoveries cut a tail, up to " << max_segments << " segments, log end offset " << end_after_check);
  REQUIRE(max_segments > 10);  // rolls happened, and recovery met many segments
  SUCCEED("kill test summary");
}

}  // namespace
}  // namespace seglog

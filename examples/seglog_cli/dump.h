// `seglog dump FILE...`: prints segment files (.log, .index, .timeindex) like Kafka's kafka-dump-log.sh,
// as text or one JSON object per line, and with --verify checks index entries against the .log beside them.
// Works on files alone (no data directory, no lock), so it also reads Kafka-written segments.
//
//   seglog dump --print-data-log orders-0/00000000000000000000.log
//   seglog dump --verify --json orders-0/00000000000000000000.index
//
// Thread safety: single-threaded.
#ifndef SEGLOG_CLI_DUMP_H_
#define SEGLOG_CLI_DUMP_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli_common.h"
#include "seglog/record_batch.h"

namespace CLI {
class App;
}

namespace seglog_cli {

struct DumpOptions {
  std::vector<std::string> files;
  bool print_data_log = false;  // records too
  bool verify = false;          // index files: check each entry against the .log; logs: offsets and CRCs
  bool json = false;            // one JSON object per batch (or index entry) per line
  bool base64 = false;          // keys, values and header values as base64 (header keys stay text)
};

void AddDumpCommand(CLI::App* app, Action* action);
int RunDump(const DumpOptions& options);

// A .log file read batch by batch with pread (the file may be large, and may grow while it is read).
class LogFileReader {
 public:
  struct Batch {
    uint64_t position = 0;
    seglog::BatchHeader header;
    bool crc_valid = false;
    std::string bytes;  // the whole batch, when read with bytes
  };

  static absl::StatusOr<std::unique_ptr<LogFileReader>> Open(const std::string& path);
  ~LogFileReader();
  LogFileReader(const LogFileReader&) = delete;
  LogFileReader& operator=(const LogFileReader&) = delete;

  // The next batch, std::nullopt at a clean end of the file. `with_bytes`: read and CRC-check the whole batch
  // (else only its header). kDataLoss naming the position for a truncated or malformed batch; reading stops
  // there.
  absl::StatusOr<std::optional<Batch>> Next(bool with_bytes);
  uint64_t file_size() const { return size_; }
  uint64_t position() const { return position_; }

 private:
  LogFileReader(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  absl::Status ReadFully(uint64_t at, size_t n, std::string* out) const;

  std::string path_;
  int fd_;
  uint64_t size_;
  uint64_t position_ = 0;
};

// Dumps one .index or .timeindex file (dump_index.cc). Returns the exit code for this file.
int DumpIndexFile(const std::string& path, bool time_index, const DumpOptions& options);

}  // namespace seglog_cli

#endif  // SEGLOG_CLI_DUMP_H_

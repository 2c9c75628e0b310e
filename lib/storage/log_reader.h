// LogReader: reads a .log file's batches in order through a large buffer (recovery scans, dumps), so a
// scan costs one read per MiB rather than two per batch.
//
//   internal::LogReader reader(file, file_size);
//   while (true) {
//     ASSIGN_OR_RETURN(std::optional<BatchView> batch, reader.Next());   // error: where and why it stops
//     if (!batch) break;                                                  // a clean end of the file
//     ...
//   }
//
// Each batch is fully validated (BatchView::Parse: size, magic, CRC-32C). A returned BatchView points into
// the reader's buffer and is valid until the next call. Errors name the file and byte position: kDataLoss
// for an incomplete or zero-filled tail and CRC mismatches, kInvalidArgument for malformed headers.
// Thread safety: one thread at a time; `file` is borrowed and must outlive the reader.
#ifndef SEGLOG_LIB_STORAGE_LOG_READER_H_
#define SEGLOG_LIB_STORAGE_LOG_READER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "seglog/batch_view.h"
#include "seglog/file_system.h"

namespace seglog::internal {

class LogReader {
 public:
  // Reads `file` from `start` up to `end` (usually its size).
  LogReader(const File* file, uint64_t end, uint64_t start = 0) : file_(file), end_(end), position_(start) {}
  LogReader(const LogReader&) = delete;
  LogReader& operator=(const LogReader&) = delete;

  // The next valid batch, std::nullopt exactly at `end`, or why the bytes at position() are not a batch.
  absl::StatusOr<std::optional<BatchView>> Next();

  // Byte position of the next batch (after the last one returned).
  uint64_t position() const { return position_; }

 private:
  // Makes [position, position + n) available in buffer_ (n <= end_ - position).
  absl::Status Ensure(uint64_t position, uint64_t n);
  const char* At(uint64_t position) const { return buffer_.data() + (position - buffer_start_); }

  const File* const file_;
  const uint64_t end_;
  uint64_t position_;
  std::string buffer_;
  uint64_t buffer_start_ = 0;
};

}  // namespace seglog::internal

#endif  // SEGLOG_LIB_STORAGE_LOG_READER_H_

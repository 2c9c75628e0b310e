// raw-write: the raw-I/O bound. A plain file written with write(2) and read with read(2).
//
// Open (untimed) encodes every batch into the Kafka RecordBatch v2 bytes seglog writes for it (the same
// keys, values and batch boundaries; a fixed timestamp) and keeps them in memory: about N * (V + 20) bytes.
// Append: one write(2) of the batch's pre-encoded bytes to the file (O_APPEND), so nothing but the system
// call is timed; durable: write(2) + fdatasync(2) per batch.
// Read: read(2) of the file in 1 MiB chunks from the start, walking every record of every whole batch
// (BatchView::ParseWithoutCrc + RecordReader: no CRC check, no index, no partition): the least any reader
// of these bytes does.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kafka_batches.h"
#include "systems.h"
#include "util/status_macros.h"

namespace seglog_compare {
namespace {

constexpr size_t kReadChunk = 1024 * 1024;

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

class RawWriteSystem : public System {
 public:
  RawWriteSystem(const Dataset& data, bool durable) : data_(data), durable_(durable) {}
  ~RawWriteSystem() override { (void)CloseFd(); }

  absl::Status Open(const std::string& dir) override {
    RETURN_IF_ERROR(batches_.Encode(data_));
    path_ = dir + "/00000000000000000000.log";
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) return Errno("open", path_);
    return absl::OkStatus();
  }

  absl::Status AppendBatch(int64_t first, int n) override {
    ASSIGN_OR_RETURN(std::string_view batch, batches_.Batch(first));
    const char* p = batch.data();
    size_t left = batch.size();
    (void)n;  // the batch boundaries were fixed at Open
    while (left > 0) {
      const ssize_t w = ::write(fd_, p, left);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return Errno("write", path_);
      p += w;
      left -= static_cast<size_t>(w);
    }
    if (durable_ && ::fdatasync(fd_) != 0) return Errno("fdatasync", path_);
    return absl::OkStatus();
  }

  absl::Status ReadAll(ReadVerifier* verifier) override {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno("open", path_);
    absl::Status status = ReadFd(fd, verifier);
    ::close(fd);
    return status;
  }

  absl::Status Close() override {
    batches_.Release();
    return CloseFd();
  }

 private:
  absl::Status ReadFd(int fd, ReadVerifier* verifier) {
    seglog::RecordReader reader;
    std::string buffer(kReadChunk, '\0');
    size_t have = 0;  // bytes of a partial batch kept at the buffer's start
    for (;;) {
      if (have == buffer.size()) buffer.resize(buffer.size() * 2);  // a batch larger than the buffer
      const ssize_t r = ::read(fd, buffer.data() + have, buffer.size() - have);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return Errno("read", path_);
      if (r == 0) break;
      have += static_cast<size_t>(r);
      ASSIGN_OR_RETURN(size_t used,
                       WalkBatches(std::string_view(buffer.data(), have), /*check_crc=*/false, &reader, verifier));
      std::memmove(buffer.data(), buffer.data() + used, have - used);
      have -= used;
    }
    if (have != 0) return absl::DataLossError(absl::StrCat(path_, " ends inside a batch (", have, " bytes)"));
    return absl::OkStatus();
  }

  absl::Status CloseFd() {
    if (fd_ < 0) return absl::OkStatus();
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? absl::OkStatus() : Errno("close", path_);
  }

  const Dataset& data_;
  const bool durable_;
  PreEncodedBatches batches_;  // encoded at Open, released at Close
  std::string path_;
  int fd_ = -1;
};

}  // namespace

std::unique_ptr<System> NewRawWriteSystem(const Dataset& data, bool durable) {
  return std::make_unique<RawWriteSystem>(data, durable);
}

}  // namespace seglog_compare

// `seglog dump`: the command, the .log reader and the .log dump (index files: dump_index.cc).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "dump.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "seglog/batch_view.h"
#include "seglog/compression.h"
#include "seglog/log_files.h"
#include "seglog/record_batch.h"

namespace seglog_cli {

namespace bf = seglog::batch_format;
using Json = nlohmann::ordered_json;

void AddDumpCommand(CLI::App* app, Action* action) {
  auto options = std::make_shared<DumpOptions>();
  CLI::App* dump = app->add_subcommand(
      "dump", "Print the batches of .log files and the entries of .index/.timeindex files (kafka-dump-log.sh)");
  dump->add_option("files", options->files, "Segment files: .log, .index or .timeindex")->required();
  dump->add_flag("--print-data-log", options->print_data_log, "Print every record of each batch");
  dump->add_flag("--verify", options->verify,
                 "Check index entries against the .log beside them (and a .log's offsets and CRCs)");
  dump->add_flag("--json", options->json, "One JSON object per batch (or index entry) per line");
  dump->add_flag("--base64", options->base64,
                 "Print keys, values and header values as base64 (header keys, Kafka strings, stay text)");
  dump->callback([options, action] { *action = [options] { return RunDump(*options); }; });
}

// ---- LogFileReader ----

absl::StatusOr<std::unique_ptr<LogFileReader>> LogFileReader::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(fmt::format("{} is not a regular file", path));
  }
  return std::unique_ptr<LogFileReader>(new LogFileReader(path, fd, static_cast<uint64_t>(st.st_size)));
}

LogFileReader::~LogFileReader() { ::close(fd_); }

absl::Status LogFileReader::ReadFully(uint64_t at, size_t n, std::string* out) const {
  out->resize(n);
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd_, out->data() + done, n - done, static_cast<off_t>(at + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return absl::InternalError(fmt::format("reading {} at byte {}: {}", path_, at + done, std::strerror(errno)));
    if (r == 0) {
      return absl::DataLossError(fmt::format("{}: unexpected end of file at byte {}", path_, at + done));
    }
    done += static_cast<size_t>(r);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<LogFileReader::Batch>> LogFileReader::Next(bool with_bytes) {
  if (position_ >= size_) return std::nullopt;
  const uint64_t remaining = size_ - position_;
  if (remaining < bf::kHeaderSize) {
    return absl::DataLossError(fmt::format("position {}: {} trailing bytes, too few for a batch header ({} bytes)",
                                           position_, remaining, bf::kHeaderSize));
  }
  std::string header_bytes;
  if (absl::Status st = ReadFully(position_, bf::kHeaderSize, &header_bytes); !st.ok()) return st;
  absl::StatusOr<seglog::BatchHeader> header = seglog::DecodeBatchHeader(header_bytes);
  if (!header.ok()) return absl::DataLossError(fmt::format("position {}: {}", position_, Message(header.status())));
  if (header->length < static_cast<int32_t>(bf::kHeaderSize - bf::kLogOverhead) ||
      header->size_in_bytes() > remaining) {
    return absl::DataLossError(fmt::format(
        "position {}: batch at offset {} has length {} (a {}-byte batch) but {} bytes remain in the file", position_,
        header->base_offset, header->length, header->size_in_bytes(), remaining));
  }
  Batch batch;
  batch.position = position_;
  batch.header = *header;
  batch.crc_valid = false;
  if (with_bytes) {
    if (absl::Status st = ReadFully(position_, header->size_in_bytes(), &batch.bytes); !st.ok()) return st;
    absl::StatusOr<seglog::BatchView> view = seglog::BatchView::Parse(batch.bytes);
    if (view.ok()) {
      batch.crc_valid = true;
    } else if (absl::IsDataLoss(view.status())) {
      // The CRC does not match: still print the header, marked invalid, if it is otherwise well formed.
      absl::StatusOr<seglog::BatchView> unchecked = seglog::BatchView::ParseWithoutCrc(batch.bytes);
      if (!unchecked.ok()) {
        return absl::DataLossError(fmt::format("position {}: {}", position_, Message(unchecked.status())));
      }
    } else {
      return absl::DataLossError(fmt::format("position {}: {}", position_, Message(view.status())));
    }
  }
  position_ += header->size_in_bytes();
  return batch;
}

namespace {

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string TimestampLabel(const seglog::BatchHeader& h) {
  return h.timestamp_type() == seglog::TimestampType::kLogAppendTime ? "LogAppendTime" : "CreateTime";
}

Json BytesJson(const std::optional<std::string_view>& bytes, bool base64) {
  if (!bytes) return nullptr;
  return base64 ? Base64(*bytes) : Utf8OrEscaped(*bytes);
}

std::string BytesText(const std::optional<std::string_view>& bytes, bool base64) {
  if (!bytes) return "null";
  return base64 ? Base64(*bytes) : EscapeForLine(*bytes);
}

int32_t RecordSequence(const seglog::BatchHeader& h, int64_t offset) {
  if (h.base_sequence < 0) return -1;
  return seglog::IncrementSequence(h.base_sequence, static_cast<int32_t>(offset - h.base_offset));
}

// Prints (or adds to `json`) the records of `batch`. Returns false after reporting a decoding error.
bool DumpRecords(const std::string& path, const LogFileReader::Batch& batch, const DumpOptions& options, Json* json) {
  absl::StatusOr<seglog::BatchView> view = seglog::BatchView::ParseWithoutCrc(batch.bytes);
  seglog::RecordReader reader;
  absl::Status status = view.ok() ? reader.Reset(*view) : view.status();
  Json records = Json::array();
  if (status.ok()) {
    seglog::RecordView record;
    const seglog::BatchHeader& h = batch.header;
    while (reader.Next(&record)) {
      if (json != nullptr) {
        Json headers = Json::array();
        for (const seglog::RecordHeader& header : record.headers) {
          // A header key is a Kafka string: text even with --base64, which is for the bytes fields.
          headers.push_back(Json{{"key", Utf8OrEscaped(header.key)},
                                 {"value", BytesJson(header.value, options.base64)}});
        }
        records.push_back(Json{{"offset", record.offset},
                               {"timestamp", record.timestamp},
                               {"key", BytesJson(record.key, options.base64)},
                               {"value", BytesJson(record.value, options.base64)},
                               {"headers", std::move(headers)}});
        continue;
      }
      std::string headers;
      for (const seglog::RecordHeader& header : record.headers) {
        if (!headers.empty()) headers += ',';
        headers += EscapeForLine(header.key);  // a Kafka string: text even with --base64
        if (header.value) headers += absl::StrCat("=", BytesText(header.value, options.base64));
      }
      Out(fmt::format("| offset: {} {}: {} keySize: {} valueSize: {} sequence: {} headers: [{}] key: {} payload: {}\n",
                      record.offset, TimestampLabel(h), record.timestamp,
                      record.key ? static_cast<int64_t>(record.key->size()) : -1,
                      record.value ? static_cast<int64_t>(record.value->size()) : -1,
                      RecordSequence(h, record.offset), headers, BytesText(record.key, options.base64),
                      BytesText(record.value, options.base64)));
    }
    status = reader.status();
  }
  if (json != nullptr) {
    (*json)["records"] = std::move(records);
    if (!status.ok()) (*json)["recordsError"] = Utf8OrEscaped(Message(status));
  }
  if (!status.ok()) {
    Fail(fmt::format("{}: position {}: records of the batch at offset {}: {}", path, batch.position,
                     batch.header.base_offset, Message(status)));
    return false;
  }
  return true;
}

int DumpLogFile(const std::string& path, const DumpOptions& options) {
  absl::StatusOr<std::unique_ptr<LogFileReader>> reader = LogFileReader::Open(path);
  if (!reader.ok()) return Fail(reader.status());
  if (!options.json) {
    Out(fmt::format("Dumping {}\n", path));
    if (std::optional<seglog::SegmentFile> name = seglog::ParseSegmentFileName(BaseName(path))) {
      Out(fmt::format("Log starting offset: {}\n", name->base_offset));
    }
  }
  int code = kExitOk;
  int64_t batches = 0, records = 0, next_offset = -1;
  while (true) {
    absl::StatusOr<std::optional<LogFileReader::Batch>> next = (*reader)->Next(/*with_bytes=*/true);
    if (!next.ok()) {
      Fail(next.status(), path);
      code = kExitError;
      break;
    }
    if (!next->has_value()) break;
    const LogFileReader::Batch& batch = **next;
    const seglog::BatchHeader& h = batch.header;
    ++batches;
    records += h.records_count;
    if (!batch.crc_valid) {
      Fail(fmt::format("{}: position {}: CRC mismatch in the batch at offset {} (stored {}, computed {})", path,
                       batch.position, h.base_offset, h.crc, seglog::ComputeBatchCrc(batch.bytes)));
      code = kExitError;
    }
    if (options.verify && h.base_offset < next_offset) {
      Fail(fmt::format("{}: position {}: batch offsets {}-{} overlap the previous batch (which ended before {})", path,
                       batch.position, h.base_offset, h.last_offset(), next_offset));
      code = kExitError;
    }
    next_offset = h.next_offset();
    if (options.json) {
      Json json{{"file", Utf8OrEscaped(path)},  // JSON strings must be UTF-8; file names need not be
                {"baseOffset", h.base_offset},
                {"lastOffset", h.last_offset()},
                {"count", h.records_count},
                {"position", batch.position},
                {"size", h.size_in_bytes()},
                {"codec", std::string(seglog::CompressionTypeName(h.compression()))},
                {"crcValid", batch.crc_valid},
                {"producerId", h.producer_id},
                {"producerEpoch", h.producer_epoch},
                {"baseSequence", h.base_sequence},
                {"lastSequence", h.last_sequence()},
                {"isTransactional", h.is_transactional()},
                {"isControl", h.is_control()},
                {"partitionLeaderEpoch", h.partition_leader_epoch},
                {"timestampType", TimestampLabel(h)},
                {"baseTimestamp", h.base_timestamp},
                {"maxTimestamp", h.max_timestamp},
                {"crc", h.crc}};
      if ((options.print_data_log || options.verify) && !DumpRecords(path, batch, options, &json)) code = kExitError;
      if (!options.print_data_log) json.erase("records");
      if (!Out(json.dump() + "\n")) return code;
      continue;
    }
    Out(fmt::format(
        "baseOffset: {} lastOffset: {} count: {} position: {} size: {} codec: {} crcValid: {} producerId: {} "
        "producerEpoch: {} baseSequence: {} lastSequence: {} isTransactional: {} isControl: {} "
        "partitionLeaderEpoch: {} {}: {} crc: {}\n",
        h.base_offset, h.last_offset(), h.records_count, batch.position, h.size_in_bytes(),
        seglog::CompressionTypeName(h.compression()), batch.crc_valid, h.producer_id, h.producer_epoch,
        h.base_sequence, h.last_sequence(), h.is_transactional(), h.is_control(), h.partition_leader_epoch,
        TimestampLabel(h), h.max_timestamp, h.crc));
    if (options.print_data_log) {
      if (!DumpRecords(path, batch, options, nullptr)) code = kExitError;
    } else if (options.verify) {
      // Decode the records without printing them, to check them.
      DumpOptions quiet = options;
      quiet.json = true;
      Json scratch;
      if (!DumpRecords(path, batch, quiet, &scratch)) code = kExitError;
    }
    if (!Out("")) return code;
  }
  if (options.verify && !options.json) {
    Out(fmt::format("{}: {} batches, {} records: {}\n", path, batches, records,
                    code == kExitOk ? "verified" : "ERRORS (see stderr)"));
  }
  return code;
}

}  // namespace

int RunDump(const DumpOptions& options) {
  int code = kExitOk;
  for (const std::string& path : options.files) {
    int file_code;
    if (EndsWith(path, seglog::kLogSuffix)) {
      file_code = DumpLogFile(path, options);
    } else if (EndsWith(path, seglog::kIndexSuffix)) {
      file_code = DumpIndexFile(path, /*time_index=*/false, options);
    } else if (EndsWith(path, seglog::kTimeIndexSuffix)) {
      file_code = DumpIndexFile(path, /*time_index=*/true, options);
    } else {
      file_code = Fail(fmt::format("{}: not a .log, .index or .timeindex file", path));
    }
    if (file_code != kExitOk) code = file_code;
    if (!FlushOut()) break;
  }
  return code;
}

}  // namespace seglog_cli

// `seglog produce TOPIC`: one record per line of stdin, then a summary of where they went.
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli_common.h"
#include "commands.h"
#include "fmt/format.h"
#include "seglog/compression.h"
#include "seglog/producer.h"
#include "seglog/store.h"
#include "seglog/topic.h"
#include "signal_watcher.h"

namespace seglog_cli {
namespace {

struct ProduceOptions {
  std::string topic;
  std::string key_separator;
  std::optional<int32_t> partition;
  std::string compression = "none";
  std::string acks = "all";
  int64_t linger_ms = 0;
  std::vector<std::string> headers;
};

// Reads stdin line by line with poll(2) beside the signal watcher's descriptor, so Ctrl-C stops the read.
class LineReader {
 public:
  explicit LineReader(const SignalWatcher* signals) : signals_(signals) {}

  // The next line without its '\n' (a last line without one counts too); false at the end of input, on a
  // signal or on a read error (error() says which).
  bool Next(std::string* line) {
    while (true) {
      const size_t nl = buffer_.find('\n', start_);
      if (nl != std::string::npos) {
        line->assign(buffer_, start_, nl - start_);
        start_ = nl + 1;
        return true;
      }
      if (eof_) {
        if (start_ == buffer_.size()) return false;
        line->assign(buffer_, start_);
        start_ = buffer_.size();
        return true;
      }
      buffer_.erase(0, start_);
      start_ = 0;
      if (!Fill()) return false;
    }
  }
  const std::string& error() const { return error_; }

 private:
  bool Fill() {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {signals_->wake_fd(), POLLIN, 0}};
    while (true) {
      if (signals_->interrupted()) return false;
      const int n = poll(fds, signals_->wake_fd() >= 0 ? 2 : 1, -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error_ = fmt::format("waiting for stdin: {}", std::strerror(errno));
        return false;
      }
      if (fds[1].revents != 0) return false;  // interrupted
      if (fds[0].revents != 0) break;
    }
    char chunk[64 * 1024];
    const ssize_t r = read(STDIN_FILENO, chunk, sizeof(chunk));
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) return true;
      error_ = fmt::format("reading stdin: {}", std::strerror(errno));
      return false;
    }
    if (r == 0) {
      eof_ = true;
    } else {
      buffer_.append(chunk, static_cast<size_t>(r));
    }
    return true;
  }

  const SignalWatcher* signals_;
  std::string buffer_;
  size_t start_ = 0;
  bool eof_ = false;
  std::string error_;
};

// What the delivery callbacks (on the producer's sender thread) report.
class Tally {
 public:
  struct PartitionTally {
    int64_t records = 0;
    int64_t first_offset = -1;
    int64_t last_offset = -1;
  };

  void Record(const absl::StatusOr<seglog::RecordMetadata>& result, int64_t line) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!result.ok()) {
      ++failed_;
      if (first_error_.empty()) first_error_ = fmt::format("line {}: {}", line, Message(result.status()));
      return;
    }
    PartitionTally& t = partitions_[result->partition];
    ++t.records;
    if (t.first_offset < 0 || result->offset < t.first_offset) t.first_offset = result->offset;
    if (result->offset > t.last_offset) t.last_offset = result->offset;
  }

  std::string Summary(const std::string& topic) {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t total = 0;
    for (const auto& [p, t] : partitions_) total += t.records;
    std::string out = fmt::format("Produced {} record{} to topic {}", total, total == 1 ? "" : "s", topic);
    out += partitions_.empty() ? ".\n" : ":\n";
    for (const auto& [p, t] : partitions_) {
      out += fmt::format("  partition {}: {} record{}, offsets {}-{}\n", p, t.records, t.records == 1 ? "" : "s",
                         t.first_offset, t.last_offset);
    }
    return out;
  }

  int64_t failed() {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_;
  }
  std::string first_error() {
    std::lock_guard<std::mutex> lock(mu_);
    return first_error_;
  }

 private:
  std::mutex mu_;
  std::map<int32_t, PartitionTally> partitions_;
  int64_t failed_ = 0;
  std::string first_error_;
};

int RunProduce(const GlobalOptions& globals, const ProduceOptions& options) {
  std::vector<std::string> header_storage;
  std::vector<seglog::RecordHeader> headers;
  header_storage.reserve(options.headers.size() * 2);
  for (const std::string& kv : options.headers) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return UsageError(fmt::format("--header \"{}\" is not key=value", kv));
    header_storage.push_back(kv.substr(0, eq));
    header_storage.push_back(kv.substr(eq + 1));
  }
  for (size_t i = 0; i < header_storage.size(); i += 2) {
    headers.push_back({header_storage[i], std::string_view(header_storage[i + 1])});
  }
  seglog::ProducerOptions producer_options;
  producer_options.acks = options.acks == "all" ? -1 : std::stoi(options.acks);
  producer_options.linger_ms = options.linger_ms;
  producer_options.compression = *seglog::ParseCompressionType(options.compression);

  SignalWatcher signals;  // before the Store and the producer start their threads
  absl::StatusOr<std::unique_ptr<seglog::Store>> store = OpenStore(globals, {.background_housekeeping = true});
  if (!store.ok()) return Fail(store.status());
  int exit_code = kExitOk;
  std::shared_ptr<seglog::Topic> topic = FindTopic(store->get(), options.topic, options.partition, &exit_code);
  if (topic == nullptr) return CloseStore(store->get(), exit_code);
  absl::StatusOr<std::unique_ptr<seglog::Producer>> producer = seglog::Producer::Create(store->get(), producer_options);
  if (!producer.ok()) return CloseStore(store->get(), Fail(producer.status()));

  Tally tally;
  LineReader reader(&signals);
  const bool progress = StderrIsTerminal();
  auto last_progress = std::chrono::steady_clock::now();
  int code = kExitOk;
  std::string line;
  int64_t line_number = 0;
  while (reader.Next(&line)) {
    ++line_number;
    seglog::ProducerRecord record;
    record.topic = options.topic;
    record.partition = options.partition;
    record.headers = headers;
    std::string_view value = line;
    if (!options.key_separator.empty()) {
      const size_t at = line.find(options.key_separator);
      if (at == std::string::npos) {
        code = Fail(fmt::format("line {} has no key separator \"{}\"; stopped there (the lines before it were produced)",
                                line_number, options.key_separator));
        break;
      }
      record.key = std::string_view(line).substr(0, at);
      value = std::string_view(line).substr(at + options.key_separator.size());
    }
    record.value = value;
    const int64_t n = line_number;
    if (absl::Status st = (*producer)->Send(record, [&tally, n](const auto& result) { tally.Record(result, n); });
        !st.ok()) {
      code = Fail(st, fmt::format("line {}", line_number));
      break;
    }
    if (progress && (line_number & 1023) == 0) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_progress > std::chrono::milliseconds(500)) {
        fmt::print(stderr, "\rseglog: {} records sent", line_number);
        last_progress = now;
      }
    }
  }
  if (progress && line_number >= 1024) fmt::print(stderr, "\r\033[K");
  if (code == kExitOk && !reader.error().empty()) code = Fail(reader.error());

  if (absl::Status st = (*producer)->Close(); !st.ok() && code == kExitOk) code = Fail(st);
  if (tally.failed() > 0 && code == kExitOk) {
    code = Fail(fmt::format("{} record{} failed; the first: {}", tally.failed(), tally.failed() == 1 ? "" : "s",
                            tally.first_error()));
  }
  Out(tally.Summary(options.topic));
  producer->reset();
  return CloseStore(store->get(), code);
}

}  // namespace

void AddProduceCommand(CLI::App* app, const GlobalOptions* globals, Action* action) {
  auto options = std::make_shared<ProduceOptions>();
  CLI::App* produce = app->add_subcommand("produce", "Produce one record per line of stdin");
  produce->add_option("topic", options->topic, "Topic name")->required();
  produce->add_option("-k,--key-separator", options->key_separator,
                      "Split each line into key and value at the first SEP (a line without it is an error)");
  produce->add_option("-p,--partition", options->partition, "Send every record to this partition")
      ->check(CLI::NonNegativeNumber);
  produce->add_option("-z,--compression", options->compression, "Codec: none, gzip, snappy, lz4, zstd")
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}))
      ->capture_default_str();
  produce->add_option("--acks", options->acks, "0 or 1: appended; all (-1): appended and fsynced")
      ->check(CLI::IsMember({"0", "1", "all", "-1"}))
      ->capture_default_str();
  produce->add_option("--linger-ms", options->linger_ms, "How long a batch waits for more records")
      ->check(CLI::Range(int64_t{0}, int64_t{3600000}))
      ->capture_default_str();
  produce->add_option("-H,--header", options->headers, "Header key=value added to every record (repeatable)")
      ->allow_extra_args(false);
  produce->callback([=] { *action = [=] { return RunProduce(*globals, *options); }; });
}

}  // namespace seglog_cli

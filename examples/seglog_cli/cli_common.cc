#include "cli_common.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "fmt/format.h"

namespace seglog_cli {
namespace {

bool stdout_gone = false;

// Length of the valid UTF-8 sequence starting at s[i] (1..4), or 0 when the byte there does not start one
// (overlong forms, surrogates and code points above U+10FFFF are invalid, as in RFC 3629).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

void AppendHexEscape(std::string* out, unsigned char c) { fmt::format_to(std::back_inserter(*out), "\\x{:02x}", c); }

}  // namespace

int Fail(std::string_view message, int code) {
  std::fflush(stdout);
  fmt::print(stderr, "seglog: {}\n", message);
  return code;
}

int Fail(const absl::Status& status, std::string_view context) {
  if (context.empty()) return Fail(Message(status));
  return Fail(fmt::format("{}: {}", context, Message(status)));
}

std::string Message(const absl::Status& status) {
  if (status.ok()) return "OK";
  std::string message(status.message());
  return message.empty() ? status.ToString() : message;
}

absl::StatusOr<std::unique_ptr<seglog::Store>> OpenStore(const GlobalOptions& globals, StoreMode mode) {
  seglog::StoreOptions options;
  options.read_only = mode.read_only;
  options.create_if_missing = !mode.read_only;
  options.background_housekeeping = mode.background_housekeeping;
  if (mode.read_only && access(globals.dir.c_str(), F_OK) != 0) {
    return absl::NotFoundError(fmt::format("data directory {} does not exist (set --dir or SEGLOG_DIR)", globals.dir));
  }
  return seglog::Store::Open(globals.dir, options);
}

int CloseStore(seglog::Store* store, int code) {
  if (store == nullptr) return code;
  if (absl::Status st = store->Close(); !st.ok()) {
    Fail(st, "closing the data directory");
    return code == kExitOk ? kExitError : code;
  }
  return code;
}

std::shared_ptr<seglog::Topic> FindTopic(seglog::Store* store, const std::string& name,
                                         std::optional<int32_t> partition, int* exit_code) {
  absl::StatusOr<std::shared_ptr<seglog::Topic>> topic = store->GetTopic(name);
  if (!topic.ok()) {
    *exit_code = Fail(fmt::format("unknown topic {}", name));
    return nullptr;
  }
  const int32_t count = (*topic)->num_partitions();
  if (partition && *partition >= count) {
    *exit_code = Fail(fmt::format("topic {} has no partition {} (it has {} partition{})", name, *partition, count,
                                  count == 1 ? "" : "s"));
    return nullptr;
  }
  return *std::move(topic);
}

bool Out(std::string_view text) {
  if (stdout_gone) return false;
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
    stdout_gone = true;
    return false;
  }
  return true;
}

bool FlushOut() {
  if (stdout_gone) return false;
  if (std::fflush(stdout) != 0) stdout_gone = true;
  return !stdout_gone;
}

std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      if (c + 1 < row.size()) out.append(widths[c] - row[c].size() + 2, ' ');
    }
    out += '\n';
  }
  return out;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  const auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = at(i) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const uint32_t v = at(i) << 16 | at(i + 1) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string EscapeForLine(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    const size_t n = Utf8SequenceLength(bytes, i);
    if (n == 0) {
      AppendHexEscape(&out, c);
      ++i;
      continue;
    }
    if (n == 1) {
      switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
          if (c < 0x20 || c == 0x7f) {
            AppendHexEscape(&out, c);
          } else {
            out += static_cast<char>(c);
          }
      }
    } else {
      out.append(bytes.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string Utf8OrEscaped(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const size_t n = Utf8SequenceLength(bytes, i);
    if (n == 0) {
      AppendHexEscape(&out, static_cast<unsigned char>(bytes[i]));
      ++i;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
  }
  return out;
}

bool StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

}  // namespace seglog_cli

#include "text_format.h"

#include <string_view>

#include "absl/status/status.h"
#include "cli_common.h"
#include "fmt/format.h"

namespace seglog_cli {
namespace {

constexpr std::string_view kPlaceholders = "kvpoThtKS";

}  // namespace

absl::StatusOr<RecordFormatter> RecordFormatter::Parse(std::string_view format, bool base64) {
  RecordFormatter f;
  f.base64_ = base64;
  std::string literal;
  const auto flush = [&] {
    if (!literal.empty()) f.pieces_.push_back({0, std::move(literal)});
    literal.clear();
  };
  for (size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c != '%' && c != '\\') {
      literal += c;
      continue;
    }
    if (i + 1 == format.size()) {
      return absl::InvalidArgumentError(
          fmt::format("--format ends with a lone '{}' (write {}{} for the character itself)", c, c, c));
    }
    const char next = format[++i];
    if (c == '%') {
      if (next == '%') {
        literal += '%';
      } else if (kPlaceholders.find(next) != std::string_view::npos) {
        flush();
        f.pieces_.push_back({next, {}});
      } else {
        return absl::InvalidArgumentError(fmt::format(
            "--format has an unknown placeholder %{} at position {} (known: %k %v %p %o %T %h %t %K %S %%)", next, i - 1));
      }
    } else {
      switch (next) {
        case 'n': literal += '\n'; break;
        case 't': literal += '\t'; break;
        case 'r': literal += '\r'; break;
        case '\\': literal += '\\'; break;
        default:
          return absl::InvalidArgumentError(fmt::format(
              "--format has an unknown escape \\{} at position {} (known: \\n \\t \\r \\\\)", next, i - 1));
      }
    }
  }
  flush();
  return f;
}

void RecordFormatter::Append(const seglog::ConsumerRecord& record, std::string* out) const {
  const auto bytes = [&](const std::optional<std::string_view>& b) {
    if (!b) return;
    if (base64_) {
      *out += Base64(*b);
    } else {
      out->append(*b);
    }
  };
  for (const Piece& piece : pieces_) {
    switch (piece.placeholder) {
      case 0: *out += piece.text; break;
      case 'k': bytes(record.key); break;
      case 'v': bytes(record.value); break;
      case 'p': fmt::format_to(std::back_inserter(*out), "{}", record.partition); break;
      case 'o': fmt::format_to(std::back_inserter(*out), "{}", record.offset); break;
      case 'T': fmt::format_to(std::back_inserter(*out), "{}", record.timestamp); break;
      case 't': out->append(record.topic); break;
      case 'K': fmt::format_to(std::back_inserter(*out), "{}", record.key ? static_cast<int64_t>(record.key->size()) : -1); break;
      case 'S':
        fmt::format_to(std::back_inserter(*out), "{}", record.value ? static_cast<int64_t>(record.value->size()) : -1);
        break;
      case 'h': {
        bool first = true;
        for (const seglog::RecordHeader& h : record.headers) {
          if (!first) *out += ',';
          first = false;
          out->append(h.key);
          if (h.value) {
            *out += '=';
            bytes(h.value);
          }
        }
        break;
      }
    }
  }
}

}  // namespace seglog_cli

#include "support/test_util.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/status_macros.h"

namespace seglog::test {

std::string TestdataPath(std::string_view relative) {
  return std::string(SEGLOG_TESTDATA_DIR) + "/" + std::string(relative);
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  INFO("reading " << path);
  REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string ReadTestdata(std::string_view relative) { return ReadWholeFile(TestdataPath(relative)); }

std::string ReadGeneratedTestdata(std::string_view relative) {
  return ReadWholeFile(std::string(SEGLOG_GENERATED_TESTDATA_DIR) + "/" + std::string(relative));
}

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/seglog-test-XXXXXX";
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

TestFs::TestFs(bool posix, const std::string& mem_root) {
  if (posix) {
    dir = std::make_unique<TempDir>();
    fs = NewPosixFileSystem();
    root = dir->path();
  } else {
    fs = NewMemFileSystem();
    root = mem_root;
    const absl::Status s = fs->CreateDirs(root);
    REQUIRE(s.ok());
  }
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string FromHex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return out;
}

OwnedRecord ToOwned(const RecordView& r) {
  OwnedRecord o;
  o.offset = r.offset;
  o.timestamp = r.timestamp;
  if (r.key) o.key = std::string(*r.key);
  if (r.value) o.value = std::string(*r.value);
  for (const RecordHeader& h : r.headers) {
    o.headers.emplace_back(std::string(h.key),
                           h.value ? std::optional<std::string>(std::string(*h.value)) : std::nullopt);
  }
  return o;
}

absl::StatusOr<std::vector<OwnedRecord>> DecodeBatch(std::string_view batch_bytes) {
  ASSIGN_OR_RETURN(BatchView batch, BatchView::Parse(batch_bytes));
  RecordReader reader;
  RETURN_IF_ERROR(reader.Reset(batch));
  std::vector<OwnedRecord> out;
  RecordView r;
  while (reader.Next(&r)) out.push_back(ToOwned(r));
  RETURN_IF_ERROR(reader.status());
  return out;
}

absl::StatusOr<std::vector<DecodedBatch>> DecodeLog(std::string_view log) {
  std::vector<DecodedBatch> out;
  size_t pos = 0;
  while (pos < log.size()) {
    ASSIGN_OR_RETURN(BatchView batch, BatchView::Parse(log.substr(pos)));
    DecodedBatch d;
    d.header = batch.header();
    d.position = pos;
    ASSIGN_OR_RETURN(d.records, DecodeBatch(batch.data()));
    pos += batch.size_in_bytes();
    out.push_back(std::move(d));
  }
  return out;
}

absl::StatusOr<std::string> BuildBatch(const BatchBuilderOptions& options, const std::vector<OwnedRecord>& records) {
  BatchBuilder builder(options);
  std::vector<RecordHeader> headers;
  for (const OwnedRecord& r : records) {
    headers.clear();
    for (const auto& [k, v] : r.headers) {
      headers.push_back({k, v ? std::optional<std::string_view>(*v) : std::nullopt});
    }
    auto opt = [](const std::optional<std::string>& s) {
      return s ? std::optional<std::string_view>(*s) : std::nullopt;
    };
    RETURN_IF_ERROR(builder.AppendWithOffset(r.offset, r.timestamp, opt(r.key), opt(r.value), headers));
  }
  ASSIGN_OR_RETURN(std::string_view bytes, builder.Build());
  return std::string(bytes);
}

}  // namespace seglog::test

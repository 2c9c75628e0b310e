// DecodeIndexFile: Kafka's .index/.timeindex bytes decoded without a SparseIndex (what `seglog dump` prints):
// absolute values, the end of the preallocated space, a partial tail, and offsets out of range refused
// instead of overflowing.
#include "seglog/index_file.h"

#include <catch2/catch.hpp>
#include <climits>
#include <string>

#include "seglog/file_system.h"
#include "seglog/log_files.h"
#include "support/test_util.h"

namespace seglog {
namespace {

std::string Be(uint64_t v, int bytes) {
  std::string out;
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
  return out;
}
std::string OffsetEntry(uint32_t relative, uint32_t position) { return Be(relative, 4) + Be(position, 4); }
std::string TimeEntry(int64_t timestamp, uint32_t relative) {
  return Be(static_cast<uint64_t>(timestamp), 8) + Be(relative, 4);
}

TEST_CASE("DecodeIndexFile gives absolute offsets and stops at the preallocated space", "[index]") {
  const std::string offsets = OffsetEntry(0, 0) + OffsetEntry(7, 4096) + OffsetEntry(20, 8200) + std::string(80, '\0');
  absl::StatusOr<IndexFileContents> decoded = DecodeIndexFile(IndexKind::kOffset, 1000, offsets);
  REQUIRE_OK(decoded);
  CHECK(decoded->entries == std::vector<IndexEntry>{{1000, 0}, {1007, 4096}, {1020, 8200}});
  CHECK(decoded->ignored_bytes == 0);

  const std::string times = TimeEntry(1700000000000, 3) + TimeEntry(1700000000500, 9) + std::string(24, '\0');
  decoded = DecodeIndexFile(IndexKind::kTime, 1000, times);
  REQUIRE_OK(decoded);
  CHECK(decoded->entries == std::vector<IndexEntry>{{1700000000000, 1003}, {1700000000500, 1009}});
}

TEST_CASE("DecodeIndexFile: an all-zero first slot is an entry of an offset index, but no entry of a time index",
          "[index]") {
  absl::StatusOr<IndexFileContents> decoded = DecodeIndexFile(IndexKind::kOffset, 5, std::string(16, '\0'));
  REQUIRE_OK(decoded);
  CHECK(decoded->entries == std::vector<IndexEntry>{{5, 0}});
  decoded = DecodeIndexFile(IndexKind::kTime, 5, std::string(24, '\0'));
  REQUIRE_OK(decoded);
  CHECK(decoded->entries.empty());
  decoded = DecodeIndexFile(IndexKind::kTime, 5, "");
  REQUIRE_OK(decoded);
  CHECK(decoded->entries.empty());
}

TEST_CASE("DecodeIndexFile reports a partial entry at the end", "[index]") {
  absl::StatusOr<IndexFileContents> decoded =
      DecodeIndexFile(IndexKind::kOffset, 0, OffsetEntry(1, 61) + std::string("\x01\x02\x03", 3));
  REQUIRE_OK(decoded);
  CHECK(decoded->entries == std::vector<IndexEntry>{{1, 61}});
  CHECK(decoded->ignored_bytes == 3);
}

// seglog dump computed base + relative in int64_t and overflowed for a file named near INT64_MAX.
TEST_CASE("DecodeIndexFile refuses offsets past INT64_MAX and relative offsets past int32, without overflow",
          "[index]") {
  REQUIRE_CODE(DecodeIndexFile(IndexKind::kOffset, INT64_MAX - 5, OffsetEntry(0, 0) + OffsetEntry(6, 100)),
               absl::StatusCode::kDataLoss);
  REQUIRE_CODE(DecodeIndexFile(IndexKind::kTime, INT64_MAX, TimeEntry(1, 1)), absl::StatusCode::kDataLoss);
  REQUIRE_CODE(DecodeIndexFile(IndexKind::kOffset, 0, OffsetEntry(0x80000000u, 0)), absl::StatusCode::kDataLoss);
  REQUIRE_OK(DecodeIndexFile(IndexKind::kOffset, INT64_MAX - 5, OffsetEntry(0, 0) + OffsetEntry(5, 100)));
  REQUIRE_CODE(DecodeIndexFile(IndexKind::kOffset, -1, OffsetEntry(0, 0)), absl::StatusCode::kInvalidArgument);
}

TEST_CASE("DecodeIndexFile reads what SparseIndex writes", "[index]") {
  std::unique_ptr<FileSystem> fs = NewMemFileSystem();
  REQUIRE_OK(fs->CreateDirs("/idx"));
  for (IndexKind kind : {IndexKind::kOffset, IndexKind::kTime}) {
    const std::string path =
        JoinPath("/idx", SegmentFileName(500, kind == IndexKind::kOffset ? kIndexSuffix : kTimeIndexSuffix));
    absl::StatusOr<std::unique_ptr<SparseIndex>> index = SparseIndex::Open(fs.get(), path, kind, 500, 4096);
    REQUIRE_OK(index);
    for (int i = 1; i <= 40; ++i) {
      if (kind == IndexKind::kOffset) {
        REQUIRE_OK((*index)->Append(500 + 3 * i, 100 * i));
      } else {
        REQUIRE_OK((*index)->MaybeAppendTime(1000 + i, 500 + 3 * i));
      }
    }
    std::vector<IndexEntry> written;
    for (size_t i = 0; i < (*index)->entries(); ++i) written.push_back((*index)->Entry(i));
    // An active segment's index: preallocated to 4096 bytes, so the decoder must find where the entries end.
    REQUIRE_OK((*index)->Sync());
    absl::StatusOr<std::string> bytes = ReadFileToString(fs.get(), path);
    REQUIRE_OK(bytes);
    CHECK(bytes->size() == 4096 / index_format::EntrySize(kind) * index_format::EntrySize(kind));
    absl::StatusOr<IndexFileContents> decoded = DecodeIndexFile(kind, 500, *bytes);
    REQUIRE_OK(decoded);
    CHECK(decoded->entries == written);
    // A closed segment's index: trimmed to its entries.
    REQUIRE_OK((*index)->Close());
    bytes = ReadFileToString(fs.get(), path);
    REQUIRE_OK(bytes);
    decoded = DecodeIndexFile(kind, 500, *bytes);
    REQUIRE_OK(decoded);
    CHECK(decoded->entries == written);
  }
}

}  // namespace
}  // namespace seglog

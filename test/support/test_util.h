// Helpers shared by seglog's tests: paths to the fixtures in test/data, scratch directories, hex, and owned copies of
// decoded records for comparisons.
//
//   seglog::test::TempDir dir;                       // removed with everything in it at scope exit
//   std::string log = seglog::test::ReadTestdata("kafka/real/TestTopicPatient-0/00000000000000000000.log");
//   auto batches = seglog::test::DecodeLog(log);     // every batch validated and decoded
//
// Thread safety: TempDir is not shared between threads; the functions are reentrant.
#ifndef SEGLOG_TEST_SUPPORT_TEST_UTIL_H_
#define SEGLOG_TEST_SUPPORT_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "seglog/batch_builder.h"
#include "seglog/batch_view.h"
#include "seglog/file_system.h"

// REQUIRE_OK(expr) / REQUIRE_CODE(expr, absl::StatusCode::kX) for absl::Status and absl::StatusOr, printing
// the status when they fail.
#define REQUIRE_OK(expr)                                                   \
  do {                                                                     \
    const absl::Status require_ok_status = ::seglog::test::ToStatus(expr); \
    INFO(require_ok_status.ToString());                                    \
    REQUIRE(require_ok_status.ok());                                       \
  } while (0)

#define REQUIRE_CODE(expr, code_value)                                       \
  do {                                                                       \
    const absl::Status require_code_status = ::seglog::test::ToStatus(expr); \
    INFO(require_code_status.ToString());                                    \
    REQUIRE(require_code_status.code() == (code_value));                     \
  } while (0)

namespace seglog::test {

inline absl::Status ToStatus(const absl::Status& status) { return status; }
template <typename T>
absl::Status ToStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

// Absolute path of a fixture under test/data (SEGLOG_TESTDATA_DIR).
std::string TestdataPath(std::string_view relative);
// Contents of a fixture under test/data (fails the test if it cannot be read).
std::string ReadTestdata(std::string_view relative);
// Contents of a fixture generated at build time (test/CMakeLists.txt), e.g. "kafka-python/codecs-0/...".
std::string ReadGeneratedTestdata(std::string_view relative);
// Reads any file (fails the test if it cannot be read).
std::string ReadWholeFile(const std::string& path);

// A fresh directory under $TMPDIR, removed recursively on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A file system for a test that runs on both: POSIX in a fresh TempDir, or in-memory under `mem_root`.
struct TestFs {
  TestFs(bool posix, const std::string& mem_root);
  std::unique_ptr<TempDir> dir;  // POSIX only
  std::unique_ptr<FileSystem> fs;
  std::string root;
};

std::string ToHex(std::string_view bytes);
std::string FromHex(std::string_view hex);

// An owned record (what a test expects, or what it decoded).
struct OwnedRecord {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;

  bool operator==(const OwnedRecord&) const = default;
};

struct DecodedBatch {
  BatchHeader header;
  size_t position = 0;  // byte position in the log
  std::vector<OwnedRecord> records;
};

OwnedRecord ToOwned(const RecordView& r);
// Decodes one batch's records (BatchView::Parse + RecordReader).
absl::StatusOr<std::vector<OwnedRecord>> DecodeBatch(std::string_view batch_bytes);
// Decodes every batch of a log (concatenated batches); fails on the first invalid one.
absl::StatusOr<std::vector<DecodedBatch>> DecodeLog(std::string_view log);
// Builds one batch of `records` (offsets taken from the records) with `options`.
absl::StatusOr<std::string> BuildBatch(const BatchBuilderOptions& options, const std::vector<OwnedRecord>& records);

}  // namespace seglog::test

#endif  // SEGLOG_TEST_SUPPORT_TEST_UTIL_H_

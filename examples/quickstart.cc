// seglog quickstart: encode records into Kafka RecordBatch v2 batches, append them to a segment file,
// read the file back and print every record.
//
// Usage: seglog_quickstart [DATA_DIR]   (default ./seglog-quickstart)
//
// This is the foundation's demo; the full quickstart (Store, Producer, Consumer) arrives with them.
#include <cstdio>
#include <string>
#include <string_view>

#include "seglog/seglog.h"

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "quickstart: %s\n", status.ToString().c_str());
  return 1;
}

std::string Show(const std::optional<std::string_view>& s) {
  return s ? "\"" + std::string(*s) + "\"" : "null";
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "./seglog-quickstart";
  const std::string partition_dir = seglog::JoinPath(dir, "greetings-0");
  const std::string log_path = seglog::JoinPath(partition_dir, "00000000000000000000.log");
  std::unique_ptr<seglog::FileSystem> fs = seglog::NewPosixFileSystem();
  if (absl::Status s = fs->CreateDirs(partition_dir); !s.ok()) return Fail(s);
  auto file = fs->OpenFile(log_path, {.create = true, .truncate = true});
  if (!file.ok()) return Fail(file.status());

  // Two batches, as a producer would send them: one lz4-compressed, one zstd with headers and a null key.
  const int64_t now = seglog::SystemClock()->NowMillis();
  seglog::BatchBuilder builder({.base_offset = 0, .compression = seglog::CompressionType::kLz4});
  for (const char* word : {"hello", "bonjour", "hallo"}) {
    if (absl::Status s = builder.Append(now, "greeting", word); !s.ok()) return Fail(s);
  }
  auto first = builder.Build();
  if (!first.ok()) return Fail(first.status());
  if (absl::Status s = (*file)->Append(*first); !s.ok()) return Fail(s);

  builder.Reset({.base_offset = 3, .compression = seglog::CompressionType::kZstd});
  const seglog::RecordHeader headers[] = {{"lang", "ja"}};
  if (absl::Status s = builder.Append(now, std::nullopt, "konnichiwa", headers); !s.ok()) return Fail(s);
  auto second = builder.Build();
  if (!second.ok()) return Fail(second.status());
  if (absl::Status s = (*file)->Append(*second); !s.ok()) return Fail(s);
  if (absl::Status s = (*file)->Sync(); !s.ok()) return Fail(s);
  if (absl::Status s = (*file)->Close(); !s.ok()) return Fail(s);

  // Read the segment back: validate each batch (size, magic, CRC-32C) and iterate its records.
  auto log = seglog::ReadFileToString(fs.get(), log_path);
  if (!log.ok()) return Fail(log.status());
  std::printf("wrote %zu bytes to %s\n", log->size(), log_path.c_str());
  seglog::RecordReader reader;
  for (size_t pos = 0; pos < log->size();) {
    auto batch = seglog::BatchView::Parse(std::string_view(*log).substr(pos));
    if (!batch.ok()) return Fail(batch.status());
    std::printf("batch at position %zu: offsets %lld-%lld, %d records, codec %s, %zu bytes, CRC ok\n", pos,
                static_cast<long long>(batch->base_offset()), static_cast<long long>(batch->last_offset()),
                batch->records_count(), std::string(seglog::CompressionTypeName(batch->compression())).c_str(),
                batch->size_in_bytes());
    if (absl::Status s = reader.Reset(*batch); !s.ok()) return Fail(s);
    seglog::RecordView r;
    while (reader.Next(&r)) {
      std::printf("  offset %lld  key %s  value %s", static_cast<long long>(r.offset), Show(r.key).c_str(),
                  Show(r.value).c_str());
      for (const seglog::RecordHeader& h : r.headers) {
        std::printf("  header %s=%s", std::string(h.key).c_str(), Show(h.value).c_str());
      }
      std::printf("\n");
    }
    if (!reader.status().ok()) return Fail(reader.status());
    pos += batch->size_in_bytes();
  }
  return 0;
}

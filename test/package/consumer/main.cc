// Encodes a compressed batch with seglog, validates it and reads it back: proof the package links.
#include <cstdio>

#include "seglog/seglog.h"

int main() {
  seglog::BatchBuilder builder({.compression = seglog::CompressionType::kZstd});
  if (!builder.Append(1700000000000, "key", "hello from a seglog consumer").ok()) return 1;
  auto bytes = builder.Build();
  if (!bytes.ok()) return 1;
  auto batch = seglog::BatchView::Parse(*bytes);
  if (!batch.ok()) {
    std::fprintf(stderr, "%s\n", batch.status().ToString().c_str());
    return 1;
  }
  seglog::RecordReader reader;
  if (!reader.Reset(*batch).ok()) return 1;
  seglog::RecordView record;
  if (!reader.Next(&record) || !record.value) return 1;
  std::printf("seglog %s: read back \"%.*s\" at offset %lld\n", seglog::kVersionString,
              static_cast<int>(record.value->size()), record.value->data(), static_cast<long long>(record.offset));
  return 0;
}

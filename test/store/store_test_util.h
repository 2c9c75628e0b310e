// Helpers for the Store tests: open a Store on a file system, append and read back record values.
#ifndef SEGLOG_TEST_STORE_STORE_TEST_UTIL_H_
#define SEGLOG_TEST_STORE_STORE_TEST_UTIL_H_

#include <catch2/catch.hpp>

#include <climits>
#include <memory>
#include <string>
#include <vector>

#include "seglog/partition.h"
#include "seglog/store.h"
#include "support/fault_injection_file_system.h"
#include "support/test_util.h"

namespace seglog::test {

inline std::unique_ptr<Store> OpenStoreOrDie(const std::string& dir, StoreOptions options) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir, options);
  REQUIRE_OK(store);
  return std::move(*store);
}

inline std::shared_ptr<Topic> GetTopicOrDie(Store& store, std::string_view name) {
  absl::StatusOr<std::shared_ptr<Topic>> topic = store.GetTopic(name);
  REQUIRE_OK(topic);
  return *topic;
}

// A Store in /data on a crashable in-memory disk.
struct CrashableStore {
  StoreOptions Options() {
    StoreOptions o;
    o.fs = &fs;
    return o;
  }
  std::unique_ptr<Store> Open() { return OpenStoreOrDie(dir, Options()); }
  // A power cut: everything not durable is lost, and the dead Store can write nothing more while it goes.
  void Crash(std::unique_ptr<Store>* store) {
    REQUIRE_OK(fs.SimulateCrash());
    fs.InjectError(FaultInjectionFileSystem::Op::kAny, absl::UnavailableError("powered off"), "", INT_MAX);
    store->reset();
    fs.ClearErrors();
  }

  const std::string dir = "/data";
  std::unique_ptr<FileSystem> mem = NewMemFileSystem();
  FaultInjectionFileSystem fs{mem.get()};
};

// Appends one batch with one record per value.
inline void AppendValues(Partition& p, const std::vector<std::string>& values, bool durable = false) {
  std::vector<Record> records;
  for (const std::string& v : values) records.push_back(Record{.value = v});
  REQUIRE_OK(p.Append(records, {.durable = durable}));
}

// Every value from the log start to the high watermark.
inline std::vector<std::string> ReadValues(const Partition& p) {
  std::vector<std::string> values;
  int64_t offset = p.log_start_offset();
  while (offset < p.high_watermark()) {
    absl::StatusOr<ReadResult> read = p.Read(offset);
    REQUIRE_OK(read);
    if (read->bytes.empty()) break;
    absl::StatusOr<std::vector<DecodedBatch>> batches = DecodeLog(read->bytes);
    REQUIRE_OK(batches);
    for (const DecodedBatch& b : *batches) {
      for (const OwnedRecord& r : b.records) values.push_back(r.value.value_or("<null>"));
    }
    offset = read->next_offset;
  }
  return values;
}

}  // namespace seglog::test

#endif  // SEGLOG_TEST_STORE_STORE_TEST_UTIL_H_

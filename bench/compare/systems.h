// The systems seglog-compare measures, by name, with what each does and its library's version.
//
//   for (const SystemInfo& info : AllSystems()) {
//     std::unique_ptr<System> s = info.make(data, /*durable=*/false);
//     ...
//   }
//
// Thread safety: AllSystems() is an immutable table; each factory returns a new, independent System.
#ifndef SEGLOG_BENCH_COMPARE_SYSTEMS_H_
#define SEGLOG_BENCH_COMPARE_SYSTEMS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "system.h"

namespace seglog_compare {

// The system every ratio is relative to.
inline constexpr std::string_view kSeglogName = "seglog-partition";

struct SystemInfo {
  std::string_view name;
  std::string_view library;  // what the version is the version of
  std::string (*version)();
  // `durable`: every AppendBatch ends on stable storage (fsync or the system's equivalent).
  std::unique_ptr<System> (*make)(const Dataset& data, bool durable);
};

// Every system, in the order they run in a round (seglog-partition first).
const std::vector<SystemInfo>& AllSystems();
// The system called `name`, or null.
const SystemInfo* FindSystem(std::string_view name);

// The factories (one file each).
std::unique_ptr<System> NewSeglogPartitionSystem(const Dataset& data, bool durable);
std::unique_ptr<System> NewSeglogBatchesSystem(const Dataset& data, bool durable);
std::unique_ptr<System> NewSeglogProducerSystem(const Dataset& data, bool durable);
std::unique_ptr<System> NewRawWriteSystem(const Dataset& data, bool durable);
std::unique_ptr<System> NewRocksDbSystem(const Dataset& data, bool durable);
std::unique_ptr<System> NewLmdbSystem(const Dataset& data, bool durable);
std::unique_ptr<System> NewSqliteSystem(const Dataset& data, bool durable);

// The map size the lmdb system gives LMDB for `records` records of `value_size` bytes (the most its data file
// can grow to); kInvalidArgument when that overflows 64 bits.
absl::StatusOr<uint64_t> LmdbMapSize(int64_t records, size_t value_size);

std::string SeglogVersion();
std::string RocksDbVersion();
std::string LmdbVersion();
std::string SqliteVersion();

}  // namespace seglog_compare

#endif  // SEGLOG_BENCH_COMPARE_SYSTEMS_H_

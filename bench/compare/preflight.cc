// The checks before a run (preflight.h).
#include "preflight.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/status/statusor.h"
#include "fmt/format.h"
#include "systems.h"

namespace seglog_compare {
namespace {

constexpr uint64_t kPerRecordOverhead = 40;  // bytes budgeted per record besides its value

std::string GiB(uint64_t bytes) { return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1 << 30)); }

int64_t LargestRecordCount(const RunConfig& config) { return std::max(config.records, config.durable_records); }

// N * (V + 40) for the larger of the two workloads.
absl::StatusOr<uint64_t> DataBytes(const RunConfig& config) {
  const int64_t n = LargestRecordCount(config);
  uint64_t per_record = 0, bytes = 0;
  if (n < 0 || __builtin_add_overflow(static_cast<uint64_t>(config.value_size), kPerRecordOverhead, &per_record) ||
      __builtin_mul_overflow(per_record, static_cast<uint64_t>(n), &bytes)) {
    return absl::InvalidArgumentError(fmt::format("{} records of {} bytes overflow 64 bits of size; use fewer --records "
                                                  "or a smaller --value-size",
                                                  n, config.value_size));
  }
  return bytes;
}

// MemAvailable from /proc/meminfo in bytes; 0 when unknown.
uint64_t MemAvailable() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib) {
    std::getline(in, unit);
    if (key == "MemAvailable:") return kib * 1024;
  }
  return 0;
}

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

absl::Status Unwritable(std::string_view flag, const std::string& path, std::string_view why) {
  return absl::InvalidArgumentError(fmt::format("{} {}: {}", flag, path, why));
}

}  // namespace

absl::Status CheckOutputFile(std::string_view flag, const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Unwritable(flag, path, "is a directory");
    if (::access(path.c_str(), W_OK) != 0) return Unwritable(flag, path, std::strerror(errno));
    return absl::OkStatus();
  }
  if (errno != ENOENT) return Unwritable(flag, path, std::strerror(errno));
  const std::filesystem::path parent_path = std::filesystem::path(path).parent_path();
  const std::string parent = parent_path.empty() ? std::string(".") : parent_path.string();
  if (!IsDir(parent)) return Unwritable(flag, path, fmt::format("directory {} does not exist", parent));
  if (::access(parent.c_str(), W_OK | X_OK) != 0) {
    return Unwritable(flag, path, fmt::format("cannot create files in {}: {}", parent, std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status CheckOutputDir(std::string_view flag, const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  // The nearest existing ancestor (the directory itself if it exists) must be a directory we may write in.
  std::filesystem::path p(path);
  struct stat st;
  while (::stat(p.c_str(), &st) != 0) {
    if (errno != ENOENT) return Unwritable(flag, path, std::strerror(errno));
    std::filesystem::path parent = p.parent_path();
    if (parent.empty()) parent = ".";
    if (parent == p) break;
    p = parent;
  }
  if (!IsDir(p.string())) return Unwritable(flag, path, fmt::format("{} is not a directory", p.string()));
  if (::access(p.c_str(), W_OK | X_OK) != 0) {
    return Unwritable(flag, path, fmt::format("cannot write in {}: {}", p.string(), std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status CheckMemory(const RunConfig& config) {
  absl::StatusOr<uint64_t> per_copy = DataBytes(config);
  if (!per_copy.ok()) return per_copy.status();
  // raw-write and seglog-batches hold every batch, pre-encoded, while they run. They run one at a time, but
  // both are counted: headroom for the allocator and the page cache the run itself fills.
  uint64_t copies = 0;
  std::string holders;
  for (const SystemInfo* info : config.systems) {
    if (info->name == "raw-write" || info->name == "seglog-batches") {
      ++copies;
      holders += fmt::format("{}{}", holders.empty() ? "" : " and ", info->name);
    }
  }
  if (copies == 0) return absl::OkStatus();
  uint64_t need = 0;
  if (__builtin_mul_overflow(*per_copy, copies, &need)) {
    return absl::InvalidArgumentError("the pre-encoded batches' size overflows 64 bits; use fewer --records");
  }
  const uint64_t available = MemAvailable();
  if (available != 0 && need > available) {
    return absl::ResourceExhaustedError(fmt::format(
        "{} keep the encoded batches in memory: {} records of {} bytes need about {} ({} x {} records x (V + {})), "
        "but MemAvailable is {}; use fewer --records, a smaller --value-size, or --systems without them",
        holders, LargestRecordCount(config), config.value_size, GiB(need), copies, LargestRecordCount(config),
        kPerRecordOverhead, GiB(available)));
  }
  return absl::OkStatus();
}

absl::Status CheckDiskSpace(const RunConfig& config, const std::string& dir) {
  absl::StatusOr<uint64_t> need = DataBytes(config);
  if (!need.ok()) return need.status();
  std::string what = fmt::format("{} records x (V + {})", LargestRecordCount(config), kPerRecordOverhead);
  for (const SystemInfo* info : config.systems) {
    if (info->name != "lmdb") continue;
    absl::StatusOr<uint64_t> map = LmdbMapSize(LargestRecordCount(config), config.value_size);
    if (!map.ok()) return absl::InvalidArgumentError(fmt::format("{}; use fewer --records", std::string(map.status().message())));
    if (*map > *need) {
      *need = *map;
      what = "LMDB's map size";
    }
  }
  struct statvfs st;
  if (::statvfs(dir.c_str(), &st) != 0) return absl::OkStatus();  // unknown: let the run find out
  const uint64_t free_bytes = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  if (*need > free_bytes) {
    return absl::ResourceExhaustedError(
        fmt::format("{} has {} free, but a run of {} records of {} bytes may need {} ({}); use fewer --records, a "
                    "smaller --value-size or another --dir",
                    config.parent_dir.empty() ? dir : config.parent_dir, GiB(free_bytes), LargestRecordCount(config), config.value_size, GiB(*need), what));
  }
  return absl::OkStatus();
}

}  // namespace seglog_compare

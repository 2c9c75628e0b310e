// CPU, memory, kernel and file system of the run (machine_info.h).
#include "machine_info.h"

#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace seglog_compare {

namespace {

// The value of the first "<key> : value" line of a /proc file, trimmed; empty when absent.
std::string ProcField(const char* path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const size_t begin = line.find_first_not_of(" \t", colon + 1);
    if (begin == std::string::npos) return "";
    return line.substr(begin, line.find_last_not_of(" \t") + 1 - begin);
  }
  return "";
}

std::string FileSystemName(int64_t magic) {
  switch (static_cast<uint64_t>(magic) & 0xffffffffULL) {
    case 0xEF53:
      return "ext4";  // ext2/3/4 share the magic
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x01021994:
      return "tmpfs";
    case 0x794C7630:
      return "overlayfs";
    case 0x2FC12FC1:
      return "zfs";
    case 0xF2F52010:
      return "f2fs";
    case 0x6969:
      return "nfs";
    case 0x65735546:
      return "fuse";
    default:
      return absl::StrFormat("unknown (statfs type 0x%x)", static_cast<uint64_t>(magic));
  }
}

}  // namespace

MachineInfo CollectMachineInfo(const std::string& dir) {
  MachineInfo m;
  m.cpu = ProcField("/proc/cpuinfo", "model name");
  if (m.cpu.empty()) m.cpu = "unknown CPU";
  m.cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  const std::string mem = ProcField("/proc/meminfo", "MemTotal");  // "24570532 kB"
  if (!mem.empty()) m.memory = absl::StrFormat("%.1f GiB", std::strtod(mem.c_str(), nullptr) / (1024.0 * 1024.0));
  struct utsname u;
  if (uname(&u) == 0) m.kernel = absl::StrCat(u.sysname, " ", u.release);
  struct statfs st;
  m.filesystem = statfs(dir.c_str(), &st) == 0 ? FileSystemName(static_cast<int64_t>(st.f_type)) : "unknown";
  m.dir = dir;
  return m;
}

std::string MachineLine(const MachineInfo& m) {
  return absl::StrCat(m.cpu, ", ", m.cores, " cores, ", m.memory.empty() ? "" : m.memory + " RAM, ", m.kernel,
                      ", files on ", m.filesystem);
}

}  // namespace seglog_compare

// The machine a seglog-compare run measured on: CPU, cores, memory, kernel and the file system of the
// directory written to, as the report prints them.
//
//   MachineInfo m = CollectMachineInfo("/tmp/seglog-compare.123.abc");
//   fmt::print("{}, {} cores, {}, {}\n", m.cpu, m.cores, m.kernel, m.filesystem);
//
// Thread safety: a plain value; CollectMachineInfo reads /proc and may be called from any thread.
#ifndef SEGLOG_BENCH_COMPARE_MACHINE_INFO_H_
#define SEGLOG_BENCH_COMPARE_MACHINE_INFO_H_

#include <string>

namespace seglog_compare {

struct MachineInfo {
  std::string cpu;         // /proc/cpuinfo's "model name" ("unknown" when absent)
  int cores = 0;           // online processors
  std::string memory;      // MemTotal, e.g. "23.5 GiB"
  std::string kernel;      // uname: "Linux 6.1.0-18-amd64"
  std::string filesystem;  // statfs type of the directory, e.g. "ext4" (ext2/3/4 share one type)
  std::string dir;         // the directory measured
};

MachineInfo CollectMachineInfo(const std::string& dir);

// "AMD EPYC, 2 cores, 23.5 GiB, Linux 6.1.0, ext4 (/tmp)": the report's machine line.
std::string MachineLine(const MachineInfo& machine);

}  // namespace seglog_compare

#endif  // SEGLOG_BENCH_COMPARE_MACHINE_INFO_H_

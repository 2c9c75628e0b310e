// Directory helpers for the Store: recursive removal and the names of partition directories being deleted.
#include <string>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "store/store_impl.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace seglog::internal {

absl::Status RemoveRecursively(FileSystem* fs, const std::string& path) {
  ASSIGN_OR_RETURN(const bool exists, fs->Exists(path));
  if (!exists) return absl::OkStatus();
  absl::StatusOr<std::vector<std::string>> names = fs->ListDir(path);
  if (!names.ok()) return fs->RemoveFile(path);  // not a directory
  for (const std::string& name : *names) {
    const std::string child = JoinPath(path, name);
    absl::Status removed = fs->RemoveFile(child);
    if (!removed.ok()) {
      // A subdirectory (partition directories hold none, but be thorough); else the file's error.
      absl::StatusOr<std::vector<std::string>> sub = fs->ListDir(child);
      if (!sub.ok()) return removed;
      RETURN_IF_ERROR(RemoveRecursively(fs, child));
    }
  }
  return fs->RemoveDir(path);
}

std::string DeleteDirName(std::string_view name) {
  absl::BitGen rng;
  const std::string suffix = absl::StrFormat(".%016x%016x%s", absl::Uniform<uint64_t>(rng),
                                             absl::Uniform<uint64_t>(rng), Sv(kDeleteDirSuffix));
  constexpr size_t kMaxName = 255;
  const size_t keep = std::min(name.size(), kMaxName - suffix.size());
  return absl::StrCat(Sv(name.substr(0, keep)), suffix);
}

bool IsDeleteDirName(std::string_view name) {
  if (!absl::EndsWith(Sv(name), Sv(kDeleteDirSuffix))) return false;
  const std::string_view rest = name.substr(0, name.size() - kDeleteDirSuffix.size());
  // ".<32 hex digits>" before the suffix.
  if (rest.size() < 33 || rest[rest.size() - 33] != '.') return false;
  for (size_t i = rest.size() - 32; i < rest.size(); ++i) {
    const char c = rest[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace seglog::internal

// ErrnoToStatus: the one place where an errno value becomes an absl::Status.
//
//   if (::fsync(fd) != 0) return ErrnoToStatus(errno, "fsync", path);
//   // -> e.g. DataLossError("fsync /data/t-0/00000000000000000000.log: Input/output error")
//
// Mapping (documented for callers in include/seglog/file_system.h): ENOENT -> kNotFound, EEXIST ->
// kAlreadyExists, ENOSPC/EDQUOT -> kResourceExhausted, EACCES/EPERM -> kPermissionDenied, EIO -> kDataLoss,
// anything else -> kInternal. The in-memory file system uses it too, so both report the same codes.
//
// Thread safety: ErrnoToStatus is a pure function, safe from any thread.
#ifndef SEGLOG_LIB_FS_ERRNO_STATUS_H_
#define SEGLOG_LIB_FS_ERRNO_STATUS_H_

#include <string_view>

#include "absl/status/status.h"

namespace seglog::internal {

// The status code for errno value `err`, following the mapping above.
absl::StatusCode ErrnoToCode(int err);

// A status with ErrnoToCode(err) and the message "<op> <path>: <strerror(err)>".
absl::Status ErrnoToStatus(int err, std::string_view op, std::string_view path);

}  // namespace seglog::internal

#endif  // SEGLOG_LIB_FS_ERRNO_STATUS_H_

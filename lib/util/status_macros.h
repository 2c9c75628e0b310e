// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status and absl::StatusOr (Abseil 20220623 has neither).
//
//   RETURN_IF_ERROR(file->Sync());
//   ASSIGN_OR_RETURN(std::unique_ptr<File> f, fs->OpenFile(path, {}));
//
// Internal to seglog (lib/ and test/); not part of the public API. Thread safety: not applicable.
#ifndef SEGLOG_LIB_UTIL_STATUS_MACROS_H_
#define SEGLOG_LIB_UTIL_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SEGLOG_STATUS_CONCAT_INNER_(a, b) a##b
#define SEGLOG_STATUS_CONCAT_(a, b) SEGLOG_STATUS_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                                  \
  do {                                                         \
    ::absl::Status seglog_status_ = (expr);                    \
    if (!seglog_status_.ok()) return seglog_status_;           \
  } while (0)

#define SEGLOG_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()

#define ASSIGN_OR_RETURN(lhs, rexpr) \
  SEGLOG_ASSIGN_OR_RETURN_IMPL_(SEGLOG_STATUS_CONCAT_(seglog_statusor_, __LINE__), lhs, rexpr)

#endif  // SEGLOG_LIB_UTIL_STATUS_MACROS_H_

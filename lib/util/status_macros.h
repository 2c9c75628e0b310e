// RETURN_IF_ERROR / ASSIGN_OR_RETURN: short names, inside seglog (lib/, test/, bench/), for the public
// SEGLOG_RETURN_IF_ERROR / SEGLOG_ASSIGN_OR_RETURN of seglog/status_macros.h, which defines them.
//
//   RETURN_IF_ERROR(file->Sync());
//   ASSIGN_OR_RETURN(std::unique_ptr<File> f, fs->OpenFile(path, {}));
//
// Not installed: applications use the SEGLOG_ names. Thread safety: not applicable.
#ifndef SEGLOG_LIB_UTIL_STATUS_MACROS_H_
#define SEGLOG_LIB_UTIL_STATUS_MACROS_H_

#include "seglog/status_macros.h"

#define RETURN_IF_ERROR(expr) SEGLOG_RETURN_IF_ERROR(expr)
#define ASSIGN_OR_RETURN(lhs, rexpr) SEGLOG_ASSIGN_OR_RETURN(lhs, rexpr)

#endif  // SEGLOG_LIB_UTIL_STATUS_MACROS_H_

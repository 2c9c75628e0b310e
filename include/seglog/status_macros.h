// SEGLOG_RETURN_IF_ERROR and SEGLOG_ASSIGN_OR_RETURN: early returns for absl::Status and absl::StatusOr,
// which Abseil 20220623 does not ship. The examples in seglog's headers and docs use them.
//
//   absl::Status CreateOrders(seglog::Store* store) {
//     SEGLOG_ASSIGN_OR_RETURN(std::shared_ptr<seglog::Topic> topic, store->CreateTopic("orders", 3));
//     SEGLOG_RETURN_IF_ERROR(store->Close());
//     return absl::OkStatus();
//   }
//
// SEGLOG_RETURN_IF_ERROR(expr): `expr` is an absl::Status; if it is not OK, the enclosing function returns
// it. SEGLOG_ASSIGN_OR_RETURN(lhs, expr): `expr` is an absl::StatusOr<T>; if it is not OK, the enclosing
// function returns its status, otherwise its value is moved into `lhs` (a declaration or an existing
// variable). The enclosing function must return absl::Status or an absl::StatusOr. Each is one statement;
// SEGLOG_ASSIGN_OR_RETURN expands to several, so it cannot be the body of an unbraced `if`, and `lhs` may not
// contain an unparenthesised comma. At most one SEGLOG_ASSIGN_OR_RETURN per line.
//
// Thread safety: not applicable (macros).
#ifndef SEGLOG_STATUS_MACROS_H_
#define SEGLOG_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SEGLOG_STATUS_CONCAT_INNER_(a, b) a##b
#define SEGLOG_STATUS_CONCAT_(a, b) SEGLOG_STATUS_CONCAT_INNER_(a, b)

#define SEGLOG_RETURN_IF_ERROR(expr)                           \
  do {                                                         \
    ::absl::Status seglog_status_ = (expr);                    \
    if (!seglog_status_.ok()) return seglog_status_;           \
  } while (0)

#define SEGLOG_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()

#define SEGLOG_ASSIGN_OR_RETURN(lhs, rexpr) \
  SEGLOG_ASSIGN_OR_RETURN_IMPL_(SEGLOG_STATUS_CONCAT_(seglog_statusor_, __LINE__), lhs, rexpr)

#endif  // SEGLOG_STATUS_MACROS_H_

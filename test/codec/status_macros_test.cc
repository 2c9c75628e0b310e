// The public SEGLOG_RETURN_IF_ERROR / SEGLOG_ASSIGN_OR_RETURN (seglog/status_macros.h): early returns with the
// error, moves of the value into a declaration or an existing variable, and the internal short names.
#include "seglog/status_macros.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "util/status_macros.h"

namespace seglog {
namespace {

absl::StatusOr<std::unique_ptr<int>> MakeInt(int v) {  // move-only value
  if (v < 0) return absl::InvalidArgumentError("negative");
  return std::make_unique<int>(v);
}

absl::Status Check(int v) { return v < 0 ? absl::OutOfRangeError("below zero") : absl::OkStatus(); }

absl::StatusOr<int> Sum(int a, int b, int* steps) {
  SEGLOG_RETURN_IF_ERROR(Check(a));
  ++*steps;
  SEGLOG_ASSIGN_OR_RETURN(std::unique_ptr<int> x, MakeInt(a));
  ++*steps;
  std::unique_ptr<int> y;
  SEGLOG_ASSIGN_OR_RETURN(y, MakeInt(b));  // an existing variable
  ++*steps;
  return *x + *y;
}

absl::Status ShortNames(int v) {  // lib/'s aliases expand to the public macros
  RETURN_IF_ERROR(Check(v));
  ASSIGN_OR_RETURN(auto x, MakeInt(v));
  return *x == v ? absl::OkStatus() : absl::InternalError("wrong value");
}

TEST_CASE("StatusMacrosReturnTheValueOrTheFirstError", "[status_macros]") {
  int steps = 0;
  CHECK(Sum(2, 3, &steps).value() == 5);
  CHECK(steps == 3);

  steps = 0;
  absl::StatusOr<int> r = Sum(-1, 3, &steps);
  CHECK(r.status() == absl::OutOfRangeError("below zero"));
  CHECK(steps == 0);

  steps = 0;
  r = Sum(2, -3, &steps);
  CHECK(r.status() == absl::InvalidArgumentError("negative"));
  CHECK(steps == 2);

  CHECK(ShortNames(4).ok());
  CHECK(ShortNames(-4).code() == absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace seglog

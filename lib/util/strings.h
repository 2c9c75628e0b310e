// Bridges std::string_view (seglog's public API) and absl::string_view.
//
// Debian 12's Abseil (20220623) is built with ABSL_OPTION_USE_STD_STRING_VIEW=0, so absl::string_view is
// its own type: absl::StrCat and absl::Status do not accept a std::string_view directly.
//
//   return absl::InvalidArgumentError(absl::StrCat("bad key ", Sv(key)));
//   std::string_view msg = StdSv(status.message());
//
// Thread safety: pure functions.
#ifndef SEGLOG_LIB_UTIL_STRINGS_H_
#define SEGLOG_LIB_UTIL_STRINGS_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace seglog::internal {

inline absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view StdSv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace seglog::internal

#endif  // SEGLOG_LIB_UTIL_STRINGS_H_

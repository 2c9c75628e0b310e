// seglog's version. Thread safety: constants only.
#ifndef SEGLOG_VERSION_H_
#define SEGLOG_VERSION_H_

namespace seglog {
inline constexpr int kVersionMajor = 0;
inline constexpr int kVersionMinor = 1;
inline constexpr int kVersionPatch = 0;
inline constexpr const char* kVersionString = "0.1.0";
}  // namespace seglog

#endif  // SEGLOG_VERSION_H_

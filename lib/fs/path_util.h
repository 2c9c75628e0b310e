// NormalizePath: lexical path clean-up shared by the in-memory file system and the test wrappers.
//
//   NormalizePath("/a//b/./c/../d/") == "/a/b/d"
//   NormalizePath("a/b/..") == "a"        NormalizePath("") == "."        NormalizePath("/..") == "/"
//
// Internal to seglog (lib/ and test/). Thread safety: a pure function, safe from any thread.
#ifndef SEGLOG_LIB_FS_PATH_UTIL_H_
#define SEGLOG_LIB_FS_PATH_UTIL_H_

#include <string>
#include <string_view>

namespace seglog::internal {

// `path` with repeated and trailing slashes dropped and "." and ".." resolved without consulting any file
// system (".." above the top is dropped). Absolute paths stay absolute; an empty relative result is ".".
std::string NormalizePath(std::string_view path);

}  // namespace seglog::internal

#endif  // SEGLOG_LIB_FS_PATH_UTIL_H_

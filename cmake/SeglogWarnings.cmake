# Strict warnings for seglog's own targets only (never forced on a consumer's targets).
# Under clang, -Wthread-safety checks the lock annotations (ABSL_GUARDED_BY and friends; DESIGN.md §4); the
# clang-tsa and tsan presets make every warning an error.
function(seglog_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Werror)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE -Wthread-safety)
  endif()
endfunction()

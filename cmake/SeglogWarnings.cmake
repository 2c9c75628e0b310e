# Strict warnings for seglog's own targets only (never forced on a consumer's targets). -Werror only with
# SEGLOG_WERROR (off unless set; the presets and CI set it). Under clang, -Wthread-safety checks the lock
# annotations (ABSL_GUARDED_BY and friends; doc/design/overview.md, Threading).
function(seglog_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wnon-virtual-dtor)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE -Wthread-safety)
  endif()
  if(SEGLOG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

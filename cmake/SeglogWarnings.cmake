# Strict warnings for seglog's own targets only (never forced on a consumer's targets).
function(seglog_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Werror)
endfunction()

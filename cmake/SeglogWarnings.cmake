# Strict warnings for seglog's own targets only (never forced on a consumer's targets). -Werror only with
# SEGLOG_WERROR (off unless set; the presets and CI set it).
function(seglog_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wnon-virtual-dtor)
  if(SEGLOG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

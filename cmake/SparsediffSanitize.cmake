# SPARSEDIFF_SANITIZE=address,undefined (or thread) instruments everything this
# project compiles; third-party libraries stay uninstrumented.
if(SPARSEDIFF_SANITIZE)
  set(_sd_san_flags -fsanitize=${SPARSEDIFF_SANITIZE} -fno-omit-frame-pointer -g)
  if(SPARSEDIFF_SANITIZE MATCHES "undefined")
    list(APPEND _sd_san_flags -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${_sd_san_flags})
  add_link_options(-fsanitize=${SPARSEDIFF_SANITIZE})
  message(STATUS "sparsediff: sanitizers ${SPARSEDIFF_SANITIZE}")
endif()

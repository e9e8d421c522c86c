# Runs `sparsediff spy` and checks that a PNG (by its 8-byte signature) came out.
file(REMOVE ${OUTPUT})
execute_process(COMMAND ${CLI} spy ${INPUT} -o ${OUTPUT} --colors native --size 64
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT EXISTS ${OUTPUT})
  message(FATAL_ERROR "spy failed (${rc})")
endif()
file(READ ${OUTPUT} signature LIMIT 8 HEX)
if(NOT signature STREQUAL "89504e470d0a1a0a")
  message(FATAL_ERROR "not a PNG: ${signature}")
endif()

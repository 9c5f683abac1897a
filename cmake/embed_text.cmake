# Turns a text asset into a C++ header holding it as one string_view, so that the asset stays a
# real file (readable, reviewable) and the binary serves it without reading files at run time.
# Run as a script: cmake -DINPUT=page.html -DOUTPUT=page.h -DNAME=kPage -DNAMESPACE=ns -P embed_text.cmake
foreach(var INPUT OUTPUT NAME NAMESPACE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed_text.cmake: ${var} is not set")
  endif()
endforeach()
file(READ "${INPUT}" content)
set(delimiter "ibstream_asset")
string(FIND "${content}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "embed_text.cmake: ${INPUT} holds the raw string's end marker")
endif()
# C++ compilers need only accept string literals of 65536 characters (GCC warns beyond).
string(LENGTH "${content}" length)
if(length GREATER 65000)
  message(FATAL_ERROR "embed_text.cmake: ${INPUT} is ${length} bytes, more than 65000")
endif()
get_filename_component(source_name "${INPUT}" NAME)
set(text "// Generated from ${source_name} by cmake/embed_text.cmake: edit that file instead.
#pragma once

#include <string_view>

namespace ${NAMESPACE} {

inline constexpr std::string_view ${NAME} = R\"${delimiter}(${content})${delimiter}\";

}  // namespace ${NAMESPACE}
")
file(WRITE "${OUTPUT}.tmp" "${text}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
file(REMOVE "${OUTPUT}.tmp")

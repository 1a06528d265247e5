# Writes OUT: a C++ file defining civicgrid::shipped::<name> = the contents of each input file.
# Invoked at build time with -DOUT=… -DINPUTS="name=path|name=path" (| since ; would split the argument).
set(body "// Generated from data/ by src/reference/embed.cmake. Do not edit.\n#include \"reference/shipped_data.h\"\nnamespace civicgrid::shipped {\n")
string(REPLACE "|" ";" INPUTS "${INPUTS}")
foreach(pair IN LISTS INPUTS)
  string(REPLACE "=" ";" kv "${pair}")
  list(GET kv 0 name)
  list(GET kv 1 path)
  file(READ "${path}" content)
  string(APPEND body "const std::string_view ${name} = R\"cgdata(${content})cgdata\";\n")
endforeach()
string(APPEND body "}  // namespace civicgrid::shipped\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)

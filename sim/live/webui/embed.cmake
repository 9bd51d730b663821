# Turns the web UI page into a C++ source holding it as a string, so the master binary serves
# it without files to install. Run at build time:
#   cmake -DINPUT=index.html -DOUTPUT=webui_page.cpp -P embed.cmake
file(READ "${INPUT}" content)
string(FIND "${content}" ")mesosim_webui\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )mesosim_webui\"")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from sim/live/webui/index.html by sim/live/webui/embed.cmake. Do not edit.\n"
  "#include \"sim/live/webui/webui_page.hpp\"\n\n"
  "namespace mesosim::live {\n\n"
  "const std::string_view kWebUiPage = R\"mesosim_webui(${content})mesosim_webui\";\n\n"
  "}  // namespace mesosim::live\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")

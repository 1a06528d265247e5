#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"

namespace civicgrid::cli {

int Fail(const Error& e) {
  std::cerr << "error: " << (e.field.empty() ? "" : e.field + ": ") << e.message << "\n";
  return e.code == ErrorCode::kInternal ? 1 : 2;
}

Result<std::unique_ptr<app::App>> OpenApp(const std::string& data_dir, bool durable, const cases::Rules& rules,
                                          const access::HashLimits& hash_limits) {
  app::AppOptions options;
  options.hash_limits = hash_limits;
  options.rules = rules;
  options.data_dir = data_dir;
  options.durable = durable;
  // The personal-data key may live outside the data directory (another disk, a mounted secret).
  if (const char* key = std::getenv("CIVICGRID_KEY_FILE"); key && *key) options.key_file = key;
  return app::App::Open(options);
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid("file", "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += char(c);
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

std::string ReadStdin() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace civicgrid::cli

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"

namespace civicgrid::cli {

int Fail(const Error& e) {
  std::cerr << "error: " << (e.field.empty() ? "" : e.field + ": ") << e.message << "\n";
  return e.code == ErrorCode::kInternal ? 1 : 2;
}

namespace {

// Tests move the calendar's "today" (the 1 October warning, deadlines across a new year) without waiting:
// CIVICGRID_TEST_NOW (RFC 3339) is where the clock stands when the process starts; from there it runs on.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(TimePoint start) : offset_(start - system_.Now()) {}
  TimePoint Now() const override { return system_.Now() + offset_; }

 private:
  SystemClock system_;
  milliseconds offset_;
};

const Clock* TestClock() {
  static const std::unique_ptr<Clock> kClock = []() -> std::unique_ptr<Clock> {
    const char* now = std::getenv("CIVICGRID_TEST_NOW");
    if (!now || !*now) return nullptr;
    auto start = ParseTime(now);
    if (!start) {
      std::cerr << "warning: CIVICGRID_TEST_NOW is not an RFC 3339 time; using the system clock\n";
      return nullptr;
    }
    std::cerr << "warning: CIVICGRID_TEST_NOW is set: this process's clock starts at " << now << "\n";
    return std::make_unique<OffsetClock>(*start);
  }();
  return kClock.get();
}

}  // namespace

Result<std::unique_ptr<app::App>> OpenApp(const std::string& data_dir, bool durable, const cases::Rules& rules,
                                          const access::HashLimits& hash_limits) {
  app::AppOptions options;
  options.clock = TestClock();
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

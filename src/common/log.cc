#include "common/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

#include "common/mutex.h"
#include "common/time.h"

namespace civicgrid::log {
namespace {
std::atomic<Level> g_level{Level::kInfo};
common::Mutex g_mu;  // one whole line at a time on stderr
}  // namespace

void SetLevel(Level level) { g_level = level; }

void Write(Level level, std::string_view message) {
  if (level < g_level.load()) return;
  static const char* const kNames[] = {"debug", "info", "warn", "error"};
  const auto now = std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  std::string line = FormatTime(now) + " " + kNames[int(level)] + " " + std::string(message) + "\n";
  common::MutexLock lock(g_mu);
  std::fputs(line.c_str(), stderr);
}

}  // namespace civicgrid::log

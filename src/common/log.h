// Logging: one line per event on stderr. Kept behind this header so spdlog stays out of most files.
#pragma once

#include <string_view>

namespace civicgrid::log {

enum class Level { kDebug, kInfo, kWarn, kError };
void SetLevel(Level level);
void Write(Level level, std::string_view message);
inline void Info(std::string_view m) { Write(Level::kInfo, m); }
inline void Warn(std::string_view m) { Write(Level::kWarn, m); }
inline void Error(std::string_view m) { Write(Level::kError, m); }

}  // namespace civicgrid::log

#include "reference/types.h"

#include <array>

namespace civicgrid::reference {
namespace {

constexpr std::array<std::string_view, 8> kRegionKinds = {"county",  "town", "street", "community",
                                                          "village", "grid", "estate", "building"};

}  // namespace

std::vector<std::string> PathCodes(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start < path.size()) {
    const size_t end = path.find('/', start);
    if (end == std::string_view::npos) break;
    if (end > start) out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::optional<RegionKind> ParseRegionKind(std::string_view s) {
  for (size_t i = 0; i < kRegionKinds.size(); ++i)
    if (kRegionKinds[i] == s) return static_cast<RegionKind>(i);
  return std::nullopt;
}
std::string_view Name(RegionKind k) { return kRegionKinds[size_t(k)]; }

}  // namespace civicgrid::reference

#include "model/model.h"

#include <array>

namespace civicgrid::model {
namespace {

template <typename E, size_t N>
std::optional<E> Lookup(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

constexpr std::array<std::string_view, 8> kRegionKinds = {"county", "town",  "street", "community",
                                                          "village", "grid", "estate", "building"};
constexpr std::array<std::string_view, 7> kStatuses = {"received", "dispatched", "accepted", "resolved",
                                                       "closed",   "invalid",    "merged"};
constexpr std::array<std::string_view, 3> kRatings = {"satisfied", "basically_satisfied", "dissatisfied"};
constexpr std::array<std::string_view, 25> kEventTypes = {
    "received",    "dispatched",       "accepted",  "contacted",          "returned",
    "extension_requested", "extension_decided", "resolved", "reviewed",   "rated",
    "closed",      "reopened",         "invalidated", "merged",           "reminded",
    "overdue",     "supervision_notice", "check_in_missed", "escalated",  "whistled",
    "checked_in",  "part_reported",    "supervised", "return_decided",    "joined"};
constexpr std::array<std::string_view, 3> kLevels = {"community", "town", "joint"};

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

std::optional<RegionKind> ParseRegionKind(std::string_view s) { return Lookup<RegionKind>(kRegionKinds, s); }
std::string_view Name(RegionKind k) { return kRegionKinds[size_t(k)]; }
std::optional<CaseStatus> ParseCaseStatus(std::string_view s) { return Lookup<CaseStatus>(kStatuses, s); }
std::string_view Name(CaseStatus s) { return kStatuses[size_t(s)]; }
std::optional<Rating> ParseRating(std::string_view s) { return Lookup<Rating>(kRatings, s); }
std::string_view Name(Rating r) { return kRatings[size_t(r)]; }
std::optional<EventType> ParseEventType(std::string_view s) { return Lookup<EventType>(kEventTypes, s); }
std::string_view Name(EventType t) { return kEventTypes[size_t(t)]; }
std::optional<Level> ParseLevel(std::string_view s) { return Lookup<Level>(kLevels, s); }
std::string_view Name(Level l) { return kLevels[size_t(l)]; }

}  // namespace civicgrid::model

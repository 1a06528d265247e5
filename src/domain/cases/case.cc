#include "domain/cases/case.h"

#include <array>
#include <utility>

namespace civicgrid::cases {
namespace {

template <typename E, size_t N>
std::optional<E> Lookup(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

constexpr std::array<std::string_view, 7> kStatuses = {"received", "dispatched", "accepted", "resolved",
                                                       "closed",   "invalid",    "merged"};
constexpr std::array<std::string_view, 3> kRatings = {"satisfied", "basically_satisfied", "dissatisfied"};
constexpr std::array<std::string_view, 25> kEventTypes = {"received",
                                                          "dispatched",
                                                          "accepted",
                                                          "contacted",
                                                          "returned",
                                                          "extension_requested",
                                                          "extension_decided",
                                                          "resolved",
                                                          "reviewed",
                                                          "rated",
                                                          "closed",
                                                          "reopened",
                                                          "invalidated",
                                                          "merged",
                                                          "reminded",
                                                          "overdue",
                                                          "supervision_notice",
                                                          "check_in_missed",
                                                          "escalated",
                                                          "whistled",
                                                          "checked_in",
                                                          "part_reported",
                                                          "supervised",
                                                          "return_decided",
                                                          "joined"};
constexpr std::array<std::string_view, 3> kLevels = {"community", "town", "joint"};

}  // namespace

std::optional<CaseStatus> ParseCaseStatus(std::string_view s) { return Lookup<CaseStatus>(kStatuses, s); }
std::string_view Name(CaseStatus s) { return kStatuses[size_t(s)]; }
std::optional<Rating> ParseRating(std::string_view s) { return Lookup<Rating>(kRatings, s); }
std::string_view Name(Rating r) { return kRatings[size_t(r)]; }
std::optional<EventType> ParseEventType(std::string_view s) { return Lookup<EventType>(kEventTypes, s); }
std::string_view Name(EventType t) { return kEventTypes[size_t(t)]; }
std::optional<Level> ParseLevel(std::string_view s) { return Lookup<Level>(kLevels, s); }
std::string_view Name(Level l) { return kLevels[size_t(l)]; }

}  // namespace civicgrid::cases

namespace civicgrid::cases {
namespace {
template <size_t... I>
CaseEventBody EmptyBodyAt(size_t i, std::index_sequence<I...>) {
  static const CaseEventBody kBodies[] = {// NOLINT(readability-identifier-naming): a constant table
                                          CaseEventBody(std::in_place_index<I>)...};
  return kBodies[i];
}
}  // namespace

CaseEventBody EmptyBody(EventType t) {
  return EmptyBodyAt(size_t(t), std::make_index_sequence<std::variant_size_v<CaseEventBody>>{});
}

}  // namespace civicgrid::cases

#include "domain/cases/anonymity.h"

#include <string>

#include "domain/cases/case_access.h"

namespace civicgrid::cases {

namespace {
constexpr const char* kResidentChannel = "resident";  // where residents file as themselves
}  // namespace

ReporterView ViewOf(const Reporter& r, const access::Subject* who) {
  // The centre keeps the masked values for its follow-up calls (回访); everyone else sees the flag only.
  if (r.anonymous && !(who && CanSeeAnonymousReporter(*who))) return ReporterView::kFlagOnly;
  return ReporterView::kMasked;
}

Result<const Reporter*> ReporterAt(const Case& c, int index) {
  if (index < 0 || index > int(c.joined.size()))
    return Invalid("reporter", "reporter must be 0 (the first) to " + std::to_string(c.joined.size()));
  return index == 0 ? &c.origin.reporter : &c.joined[size_t(index - 1)].reporter;
}

Status MayReveal(const Reporter& r, int index) {
  if (!r.anonymous) return OkStatus();
  const std::string who = index == 0 ? "the reporter" : "joined reporter " + std::to_string(index);
  return Error{ErrorCode::kForbidden,
               who + " asked to stay anonymous: their name, phone and ID number are never revealed",
               "reporter",
               {}};
}

bool HidesActor(const Case& c, const CaseEvent& e) {
  if (e.actor.empty()) return false;
  // The first reporter filed it themselves: the residents' own channel, under their login. (Staff who took an
  // anonymous call in keep their name on the trail: they are not the reporter.)
  const bool first_anonymous =
      c.origin.reporter.anonymous && c.origin.channel == kResidentChannel && e.actor == c.taken_by;
  auto joined_anonymous = [&](size_t i) {
    const auto& j = c.joined[i];
    return j.reporter.anonymous && !j.from && j.by == e.actor;  // joined directly, as themselves
  };
  switch (TypeOf(e)) {
    case EventType::kReceived: return first_anonymous;
    case EventType::kJoined: {
      const auto& b = std::get<events::Joined>(e.body);
      return b.reporter.anonymous && !b.from;
    }
    case EventType::kRated: {
      const auto& b = std::get<events::Rated>(e.body);
      if (!b.reporter || *b.reporter <= 0) return first_anonymous;
      return size_t(*b.reporter) <= c.joined.size() && joined_anonymous(size_t(*b.reporter - 1));
    }
    default: return false;
  }
}

}  // namespace civicgrid::cases

#include "domain/cases/case_kind.h"

#include "domain/cases/case_store.h"

namespace civicgrid::cases {

void CaseKind::Complete(CaseWrite& w) const {
  w.tally = Pack(TallyOf(w.after));
  w.next_alert = NextTimer(w.after);
  // region_path is "/county/…/": its first code is the county (or the root of the imported tree).
  const auto& path = w.after.origin.region_path;
  w.county = path.size() < 2 ? "" : path.substr(1, path.find('/', 1) - 1);  // npos - 1: to the end
  w.whistle_orgs.clear();
  if (w.after.whistle)
    for (const auto& p : w.after.whistle->parts) w.whistle_orgs.push_back(p.org);
  w.missed_check_ins.clear();
  for (const auto& e : w.events)
    if (const auto* missed = std::get_if<events::CheckInMissed>(&e.body)) w.missed_check_ins.push_back(missed->org);
}

}  // namespace civicgrid::cases

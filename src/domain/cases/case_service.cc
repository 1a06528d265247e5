#include "domain/cases/case_service.h"

#include <cmath>
#include <cstdio>

namespace civicgrid::cases {

const std::vector<std::string>& KnownChannels() {
  static const std::vector<std::string> kChannels = {"12345", "city_management", "grid_patrol", "resident",
                                                     "window", "visit", "open311"};
  return kChannels;
}

std::string CaseNumber(TimePoint at, cases::CaseId id) {
  const std::chrono::year_month_day ymd{calendar::WorkCalendar::LocalDate(at)};
  char buf[48];
  std::snprintf(buf, sizeof buf, "GD%04d%02u%02u-%07lld", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), static_cast<long long>(id));
  return buf;
}

CaseService::CaseService(store::Store& store, const Clock& clock, const reference::DirectoryHolder& directory,
                         const privacy::Vault& vault, Rules rules)
    : store_(store), clock_(clock), directory_(directory), vault_(vault), rules_(rules) {}

Result<IntakeResult> CaseService::Existing(cases::CaseId id, const Guard& guard) {
  auto c = Get(id);
  if (!c.ok()) return c.error();
  // Someone else's case under the same key: say the key is taken, show nothing of the case.
  if (guard && !guard(*c).ok()) return Conflict("this external_id or Idempotency-Key was already used");
  return IntakeResult{std::move(c.value()), false};
}

void CaseService::CompleteWrite(cases::CaseWrite& w) const {
  w.tally = Pack(TallyOf(w.after));
  const auto next = NextAlert(w.after, rules_);
  w.next_alert = next ? std::optional<TimePoint>(next->at) : std::nullopt;
  // region_path is "/county/…/": its first code is the county (or the root of the imported tree).
  const auto& path = w.after.origin.region_path;
  w.county = path.size() < 2 ? "" : path.substr(1, path.find('/', 1) - 1);  // npos - 1: to the end
  w.whistle_orgs.clear();
  if (w.after.whistle)
    for (const auto& p : w.after.whistle->parts) w.whistle_orgs.push_back(p.org);
  w.missed_check_ins.clear();
  for (const auto& e : w.events)
    if (e.type == EventType::kCheckInMissed) w.missed_check_ins.push_back(e.org);
}

void CaseService::Publish(const Case* before, const Case& after, const std::vector<CaseEvent>& events) {
  for (const auto& l : listeners_) l(before, after, events);
}

std::vector<cases::CaseId> CaseService::FindDuplicates(const cases::CaseOrigin& origin, TimePoint now) {
  std::vector<cases::CaseId> out;
  if (!nearby_ || !origin.location) return out;
  const auto since = now - milliseconds{std::llround(rules_.duplicate_window_days * 86400e3)};
  const std::string text = origin.title + " " + origin.description;
  for (const auto& hit : nearby_->Near(*origin.location, rules_.duplicate_radius_m, origin.category, since, 20)) {
    auto c = store_.GetCase(hit.id);
    if (!c.ok() || !*c) continue;
    const auto& o = (*c)->origin;
    if (TextSimilarity(text, o.title + " " + o.description) >= rules_.duplicate_min_similarity) out.push_back(hit.id);
    if (out.size() == 5) break;
  }
  return out;
}

Result<IntakeResult> CaseService::Intake(const IntakeRequest& req, const std::string& actor, const Guard& guard) {
  const auto dir = directory_.Get();
  // Validation first, so a refused intake writes nothing.
  bool channel_ok = false;
  for (const auto& c : KnownChannels()) channel_ok |= c == req.channel;
  if (!channel_ok) return Invalid("channel", "unknown channel '" + req.channel + "'");
  if (req.external_id.size() > 128) return Invalid("external_id", "external_id is longer than 128 bytes");
  if (req.idempotency_key.size() > 128)
    return Invalid("Idempotency-Key", "Idempotency-Key is longer than 128 bytes");
  const reference::Category* category = dir->FindCategory(req.category);
  if (!category) return Invalid("category", "unknown category '" + req.category + "'");
  if (req.title.find_first_not_of(" \t\r\n") == std::string::npos) return Invalid("title", "title is required");
  if (Utf8Length(req.title) > 200) return Invalid("title", "title is longer than 200 characters");
  if (Utf8Length(req.description) > 5000) return Invalid("description", "description is longer than 5000 characters");
  if (Utf8Length(req.address) > 500) return Invalid("address", "address is longer than 500 characters");
  if (Utf8Length(req.reporter_name) > 100) return Invalid("reporter.name", "name is longer than 100 characters");
  std::optional<std::string> phone, id_number;
  if (!req.reporter_phone.empty() && !(phone = privacy::NormalizePhone(req.reporter_phone)))
    return Invalid("reporter.phone", "phone must be a mainland mobile number (11 digits, 13–19…) or a fixed line "
                                     "with its area code");
  if (!req.reporter_id_number.empty() && !(id_number = privacy::NormalizeIdNumber(req.reporter_id_number)))
    return Invalid("reporter.id_number", "id_number is not a valid resident ID number (GB 11643: 18 characters, "
                                         "a real birth date and the right check character)");

  const std::string idem_key = req.idempotency_key.empty() ? "" : actor + "\n" + req.idempotency_key;
  if (!idem_key.empty()) {
    auto found = store_.FindByIdempotencyKey(idem_key);
    if (!found.ok()) return found.error();
    if (*found) return Existing(**found, guard);
  }
  if (!req.external_id.empty()) {
    auto found = store_.FindByExternalId(req.channel, req.external_id);
    if (!found.ok()) return found.error();
    if (*found) return Existing(**found, guard);
  }

  cases::CaseOrigin origin;
  origin.channel = req.channel;
  origin.external_id = req.external_id;
  origin.category = req.category;
  origin.title = req.title;
  origin.description = req.description;
  origin.address = req.address;
  origin.reporter.name = req.reporter_name;
  origin.reporter.anonymous = req.anonymous;
  if (phone) origin.reporter.phone = vault_.Seal(*phone, privacy::MaskPhone(*phone));
  if (id_number) origin.reporter.id_number = vault_.Seal(*id_number, privacy::MaskIdNumber(*id_number));
  if (!req.region.empty() && !dir->FindRegion(req.region))
    return Invalid("region", "unknown region '" + req.region + "'");
  if (req.location) {
    const auto& p = *req.location;
    if (!std::isfinite(p.lat) || p.lat < -90 || p.lat > 90) return Invalid("location.lat", "lat must be within ±90");
    if (!std::isfinite(p.lon) || p.lon < -180 || p.lon > 180)
      return Invalid("location.lon", "lon must be within ±180");
    const geo::LonLat wgs = geo::ToWgs84(p, req.crs);
    const reference::Region* grid = dir->LocateGrid(wgs);
    if (!grid) return Invalid("location", "the location lies outside every grid of this deployment");
    origin.location = cases::GeoPoint{wgs.lat, wgs.lon};
    origin.grid = grid->code;
    origin.region_path = dir->PathOf(grid->code);
  } else if (!req.region.empty()) {
    if (!dir->FindRegion(req.region)) return Invalid("region", "unknown region '" + req.region + "'");
    origin.region_path = dir->PathOf(req.region);
  } else if (const auto roots = dir->Roots(); roots.size() == 1) {
    origin.region_path = dir->PathOf(roots[0]->code);  // a one-county deployment: the county's own case
  } else if (!roots.empty()) {
    // Without a place, no scoped dispatcher would ever see the case.
    return Invalid("location", "give a location or a region: this deployment has several counties");
  }

  Context ctx;
  ctx.now = clock_.Now();
  ctx.actor = actor;
  ctx.category = category;
  ctx.calendar = &dir->calendar();
  ctx.rules = rules_;
  ctx.duplicates = FindDuplicates(origin, ctx.now);
  ctx.town_org = [&] {
    const auto* o = dir->TownOrgOf(origin.region_path);
    return o ? o->code : std::string();
  }();
  const cases::CaseId id = store_.NextCaseId();
  origin.number = CaseNumber(ctx.now, id);
  const CaseEvent received = Receive(id, std::move(origin), ctx);
  cases::CaseWrite write;
  write.after = Evolve(Case{}, received);
  write.events = {received};
  write.idempotency_key = idem_key;
  // Routing: a matching rule dispatches at once, in the same commit; otherwise the case waits for a dispatcher.
  if (routing_) {
    const auto table = routing_->Get();
    const auto& o = write.after.origin;
    if (auto choice = table->Route(o.category, o.region_path)) {
      const auto& rule = *choice->rule;
      if (const auto* org = dir->FindOrg(rule.org)) {
        auto name_of_region = [&](const std::string& code) {
          const auto* r = dir->FindRegion(code);
          return code.empty() ? std::string("anywhere") : code + (r ? " " + r->name : "");
        };
        const auto* cat = dir->FindCategory(rule.category);
        const std::string reason =
            "rule " + std::to_string(rule.id) + ": category " +
            (rule.category.empty() ? std::string("any") : rule.category + (cat ? " " + cat->name_zh : "")) +
            " in " + name_of_region(rule.region) + " → " + org->code + " " + org->name + " (the most specific of " +
            std::to_string(choice->candidates) + " matching rule" + (choice->candidates == 1 ? "" : "s") + ")";
        auto more = Decide(write.after, Dispatch{org->code, rule.id, reason}, ctx);
        if (more.ok())
          for (auto& e : *more) {
            write.after = Evolve(write.after, e);
            write.events.push_back(std::move(e));
          }
      }
    }
  }
  CompleteWrite(write);
  std::lock_guard order(StripeOf(id));
  if (auto st = store_.CommitCase(write); !st) {
    const auto& e = st.error();
    // A concurrent repeat of the same intake won the race: answer with its case.
    if (e.code == ErrorCode::kConflict && e.field == cases::kDuplicateExternalId) {
      auto found = store_.FindByExternalId(req.channel, req.external_id);
      if (found.ok() && *found) return Existing(**found, guard);
    }
    if (e.code == ErrorCode::kConflict && e.field == cases::kDuplicateIdempotencyKey) {
      auto found = store_.FindByIdempotencyKey(idem_key);
      if (found.ok() && *found) return Existing(**found, guard);
    }
    return e;
  }
  Publish(nullptr, write.after, write.events);
  return IntakeResult{std::move(write.after), true};
}

Result<Case> CaseService::Act(cases::CaseId id, const Command& command, const std::string& actor,
                              const Guard& guard) {
  const auto* merge = std::get_if<Merge>(&command);
  // Lock order: by stripe index, so that two merges in opposite directions cannot deadlock.
  std::mutex* first = &StripeOf(id);
  std::mutex* second = merge && merge->into != id ? &StripeOf(merge->into) : nullptr;
  if (second == first) second = nullptr;
  if (second && second < first) std::swap(first, second);
  std::unique_lock lock1(*first);
  std::unique_lock<std::mutex> lock2;
  if (second) lock2 = std::unique_lock(*second);

  for (int attempt = 0;; ++attempt) {
    auto loaded = store_.GetCase(id);
    if (!loaded.ok()) return loaded.error();
    if (!*loaded) return NotFound("case " + std::to_string(id) + " does not exist");
    const Case& state = **loaded;
    if (guard)
      if (auto st = guard(state); !st) return st.error();
    const auto dir = directory_.Get();
    auto org_exists = [&](const std::string& field, const std::string& code) -> Status {
      if (!code.empty() && !dir->FindOrg(code)) return Invalid(field, "unknown organisation '" + code + "'");
      return OkStatus();
    };
    if (const auto* d = std::get_if<Dispatch>(&command))
      if (auto st = org_exists("org", d->org); !st) return st.error();
    if (const auto* w = std::get_if<BlowWhistle>(&command)) {
      if (auto st = org_exists("lead", w->lead); !st) return st.error();
      for (const auto& o : w->co)
        if (auto st = org_exists("co", o); !st) return st.error();
    }
    if (const auto* r = std::get_if<DecideReturn>(&command))
      if (auto st = org_exists("org", r->org); !st) return st.error();
    std::optional<Case> target;
    if (merge && merge->into != id) {
      auto t = store_.GetCase(merge->into);
      if (!t.ok()) return t.error();
      target = std::move(t.value());
      if (target && guard && !guard(*target).ok()) target.reset();  // a case one cannot see does not exist
    }
    Context ctx;
    ctx.now = clock_.Now();
    ctx.actor = actor;
    ctx.category = dir->FindCategory(state.origin.category);
    ctx.calendar = &dir->calendar();
    ctx.rules = rules_;
    ctx.merge_target = target ? &*target : nullptr;
    if (const auto* o = dir->TownOrgOf(state.origin.region_path)) ctx.town_org = o->code;
    auto events = Decide(state, command, ctx);
    if (!events.ok()) return events.error();
    if (events->empty()) return state;  // nothing to write (an alert not yet due)
    std::vector<cases::CaseWrite> writes(1);
    cases::CaseWrite& write = writes[0];
    write.after = state;
    for (const auto& e : *events) write.after = Evolve(write.after, e);
    write.events = std::move(events.value());
    write.expected_version = state.version;
    if (merge) {
      // The merged case's reporters join the case it merges into, so each is asked when it is resolved.
      // A reporter with neither name nor number cannot be asked, so only the others join.
      auto reachable = [](const cases::Reporter& r) { return !r.name.empty() || !r.phone.empty(); };
      std::vector<std::pair<cases::Reporter, cases::CaseId>> reporters;
      if (reachable(state.origin.reporter)) reporters.emplace_back(state.origin.reporter, state.id);
      for (const auto& j : state.joined)
        if (reachable(j.reporter)) reporters.emplace_back(j.reporter, j.from ? j.from : state.id);
      cases::CaseWrite tw;
      tw.after = *target;
      tw.expected_version = target->version;
      Context tctx = ctx;
      tctx.merge_target = nullptr;
      for (const auto& [reporter, from] : reporters) {
        auto joined = Decide(tw.after, Join{reporter, from}, tctx);
        if (!joined.ok()) return joined.error();
        for (auto& e : *joined) {
          tw.after = Evolve(tw.after, e);
          tw.events.push_back(std::move(e));
        }
      }
      writes.push_back(std::move(tw));
    }
    for (auto& w : writes) CompleteWrite(w);
    auto st = writes.size() == 1 ? store_.CommitCase(writes[0]) : store_.CommitCases(writes);
    if (st.ok()) {
      Publish(&state, writes[0].after, writes[0].events);
      if (writes.size() > 1) Publish(&*target, writes[1].after, writes[1].events);
      return std::move(writes[0].after);
    }
    // Lost a race with another command on this case: decide again on the new state.
    if (st.error().code == ErrorCode::kConflict && st.error().field == cases::kVersionMismatch && attempt < 4) continue;
    return st.error();
  }
}

Result<Case> CaseService::Get(cases::CaseId id, const Guard& guard) {
  auto c = store_.GetCase(id);
  if (!c.ok()) return c.error();
  if (!*c) return NotFound("case " + std::to_string(id) + " does not exist");
  if (guard)
    if (auto st = guard(**c); !st) return st.error();
  return std::move(**c);
}

Result<std::vector<CaseEvent>> CaseService::Events(cases::CaseId id, const Guard& guard) {
  auto c = Get(id, guard);
  if (!c.ok()) return c.error();
  return store_.LoadEvents(id);
}

Result<RevealedReporter> CaseService::Reveal(cases::CaseId id, const Guard& guard, int reporter) {
  auto c = Get(id, guard);
  if (!c.ok()) return c.error();
  if (reporter < 0 || reporter > int(c->joined.size()))
    return Invalid("reporter", "reporter must be 0 (the first) to " + std::to_string(c->joined.size()));
  const auto& r = reporter == 0 ? c->origin.reporter : c->joined[size_t(reporter - 1)].reporter;
  auto phone = vault_.Open(r.phone);
  if (!phone.ok()) return phone.error();
  auto id_number = vault_.Open(r.id_number);
  if (!id_number.ok()) return id_number.error();
  return RevealedReporter{r.name, std::move(phone.value()), std::move(id_number.value())};
}

Result<cases::CasePage> CaseService::List(const cases::CaseQuery& query) { return store_.ListCases(query); }

}  // namespace civicgrid::cases

#include "domain/cases/case_service.h"

#include <cmath>
#include <cstdio>

#include "common/text.h"
#include "domain/cases/anonymity.h"

namespace civicgrid::cases {

const std::vector<std::string>& KnownChannels() {
  static const std::vector<std::string> kChannels = {"12345",  "city_management", "grid_patrol", "resident",
                                                     "window", "visit",           "open311"};
  return kChannels;
}

std::string CaseNumber(TimePoint at, CaseId id) {
  const std::chrono::year_month_day ymd{calendar::WorkCalendar::LocalDate(at)};
  char buf[48];
  std::snprintf(buf, sizeof buf, "GD%04d%02u%02u-%07lld", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()),
                static_cast<long long>(id.value()));
  return buf;
}

CaseService::CaseService(CaseStore& store, const Clock& clock, const reference::DirectoryHolder& directory,
                         const privacy::Vault& vault, Rules rules)
    : store_(store),
      directory_(directory),
      vault_(vault),
      kind_(std::move(rules)),
      ledger_(kind_, store, clock, [this](const Case& state, TimePoint now, const ledger::Origin& origin) {
        return ContextFor(state, now, origin);
      }) {}

Result<IntakeResult> CaseService::Existing(CaseId id, const Guard& guard) {
  auto c = Get(id);
  if (!c.ok()) return c.error();
  // Someone else's case under the same key: say the key is taken, show nothing of the case.
  if (guard && !guard(*c).ok()) return Conflict("this external_id or Idempotency-Key was already used");
  return IntakeResult{std::move(c.value()), false};
}

Result<Context> CaseService::ContextFor(const Case& state, TimePoint now, const ledger::Origin& origin) const {
  const auto dir = directory_.Get();
  Context ctx;
  ctx.now = now;
  ctx.actor = origin.actor;
  ctx.category = dir->FindCategory(state.origin.category);
  ctx.calendar = &dir->calendar();
  ctx.rules = kind_.rules();
  if (const auto* o = dir->TownOrgOf(state.origin.region_path)) ctx.town_org = o->code;
  ctx.snapshot = dir;  // a reference reload may swap the directory while the command decides
  return ctx;
}

std::vector<CaseId> CaseService::FindDuplicates(const CaseOrigin& origin, TimePoint now) {
  std::vector<CaseId> out;
  if (!nearby_ || !origin.location) return out;
  const Rules& rules = kind_.rules();
  const auto since = now - milliseconds{std::llround(rules.duplicate_window_days * 86400e3)};
  const std::string text = origin.title + " " + origin.description;
  for (const auto& hit : nearby_->Near(*origin.location, rules.duplicate_radius_m, origin.category, since, 20)) {
    auto c = store_.Load(hit.id);
    if (!c.ok() || !*c) continue;
    const auto& o = (*c)->origin;
    if (TextSimilarity(text, o.title + " " + o.description) >= rules.duplicate_min_similarity) out.push_back(hit.id);
    if (out.size() == 5) break;
  }
  return out;
}

Result<IntakeResult> CaseService::Intake(const IntakeRequest& request, const ledger::Origin& origin_of_call,
                                         const Guard& guard) {
  // A person's text passes the one rule (common/text.h) before anything else looks at it: NFC, no invisible
  // edges, no control characters. A title of U+3000 or zero-width spaces is then blank, and NUL is refused.
  IntakeRequest req = request;
  for (auto [field, value, lines] : {std::tuple{"title", &req.title, text::Lines::kOne},
                                     std::tuple{"description", &req.description, text::Lines::kMany},
                                     std::tuple{"address", &req.address, text::Lines::kOne}}) {
    auto clean = text::Clean(*value, field, lines);
    if (!clean.ok()) return clean.error();
    *value = std::move(clean.value());
  }
  const std::string& actor = origin_of_call.actor;
  const auto dir = directory_.Get();
  // Validation first, so a refused intake writes nothing.
  bool channel_ok = false;
  for (const auto& c : KnownChannels()) channel_ok |= c == req.channel;
  if (!channel_ok) return Invalid("channel", "unknown channel '" + req.channel + "'");
  if (req.external_id.size() > 128) return Invalid("external_id", "external_id is longer than 128 bytes");
  if (req.idempotency_key.size() > 128) return Invalid("Idempotency-Key", "Idempotency-Key is longer than 128 bytes");
  const reference::Category* category = dir->FindCategory(req.category);
  if (!category) return Invalid("category", "unknown category '" + req.category + "'");
  if (req.title.empty()) return Invalid("title", "title is required");
  if (Utf8Length(req.title) > 200) return Invalid("title", "title is longer than 200 characters");
  if (Utf8Length(req.description) > 5000) return Invalid("description", "description is longer than 5000 characters");
  if (Utf8Length(req.address) > 500) return Invalid("address", "address is longer than 500 characters");
  auto reporter = TakeReporter({req.reporter_name, req.reporter_phone, req.reporter_id_number, req.anonymous}, vault_);
  if (!reporter.ok()) return reporter.error();

  // A repeated Idempotency-Key is answered by the ledger's Create, before any of the work below is used.
  const std::string idem_key = req.idempotency_key.empty() ? "" : actor + "\n" + req.idempotency_key;
  if (!req.external_id.empty()) {
    auto found = store_.FindByExternalId(req.channel, req.external_id);
    if (!found.ok()) return found.error();
    if (*found) return Existing(**found, guard);
  }

  CaseOrigin origin;
  origin.channel = req.channel;
  origin.external_id = req.external_id;
  origin.category = req.category;
  origin.title = req.title;
  origin.description = req.description;
  origin.address = req.address;
  origin.reporter = std::move(reporter.value());
  if (!req.region.empty() && !dir->FindRegion(req.region))
    return Invalid("region", "unknown region '" + req.region + "'");
  if (req.location) {
    const auto& p = *req.location;
    if (!std::isfinite(p.lat) || p.lat < -90 || p.lat > 90) return Invalid("location.lat", "lat must be within ±90");
    if (!std::isfinite(p.lon) || p.lon < -180 || p.lon > 180) return Invalid("location.lon", "lon must be within ±180");
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

  // The external id is the channel's own idempotency key: a concurrent repeat that won the race is answered.
  auto created = ledger_.Create(idem_key, guard, [&](CaseId id, TimePoint now) -> Result<std::vector<CaseEvent>> {
    Context ctx;
    ctx.now = now;
    ctx.actor = actor;
    ctx.category = category;
    ctx.calendar = &dir->calendar();
    ctx.rules = kind_.rules();
    ctx.duplicates = FindDuplicates(origin, ctx.now);
    if (const auto* o = dir->TownOrgOf(origin.region_path)) ctx.town_org = o->code;
    origin.number = CaseNumber(ctx.now, id);
    std::vector<CaseEvent> events{Receive(id, std::move(origin), ctx)};
    for (auto& e : events) ledger::Ledger<CaseKind>::Stamp(e, id, 0, now, origin_of_call, "intake");
    // Routing: a matching rule dispatches at once, in the same commit; otherwise the case waits for a dispatcher.
    if (routing_) {
      const Case received = Evolve(Case{}, events[0]);
      const auto table = routing_->Get();
      const auto& o = received.origin;
      if (auto choice = table->Route(o.category, o.region_path)) {
        const auto& rule = *choice->rule;
        if (const auto* org = dispatch::TargetOf(rule, o.region_path, *dir)) {
          auto name_of_region = [&](const std::string& code) {
            const auto* r = dir->FindRegion(code);
            return code.empty() ? std::string("anywhere") : code + (r ? " " + r->name : "");
          };
          const auto* cat = dir->FindCategory(rule.category);
          const std::string reason =
              "rule " + std::to_string(rule.id) + ": category " +
              (rule.category.empty() ? std::string("any") : rule.category + (cat ? " " + cat->name_zh : "")) + " in " +
              name_of_region(rule.region) + " → " + org->code + " " + org->name +
              (rule.org == dispatch::kOwnTown        ? ", its own town"
               : rule.org == dispatch::kOwnCommunity ? ", its own community"
                                                     : "") +
              " (the most specific of " + std::to_string(choice->candidates) + " matching rule" +
              (choice->candidates == 1 ? "" : "s") + ")";
          // An automatic step: done by the system through the rule that fired (named in the event), not by
          // whoever reported.
          const ledger::Origin routing = ledger::SystemOrigin("routing");
          Context by_rule = ctx;
          by_rule.actor = routing.actor;
          auto more = Decide(received, Dispatch{org->code, rule.id, reason}, by_rule);
          if (more.ok())
            for (auto& e : *more) {
              ledger::Ledger<CaseKind>::Stamp(e, id, 0, now, routing, "dispatch");
              events.push_back(std::move(e));
            }
        }
      }
    }
    return events;
  });
  if (!created.ok()) {
    const auto& e = created.error();
    // A concurrent repeat of the same external id won the race: answer with its case.
    if (e.code == ErrorCode::kConflict && e.field == kDuplicateExternalId) {
      auto found = store_.FindByExternalId(req.channel, req.external_id);
      if (found.ok() && *found) return Existing(**found, guard);
    }
    return e;
  }
  return IntakeResult{std::move(created->state), created->created};
}

Result<Reporter> TakeReporter(const ReporterInput& input, const privacy::Vault& vault) {
  Reporter r;
  auto name = CleanReporterName(input.name);
  if (!name.ok()) return name.error();
  r.name = std::move(name.value());
  r.anonymous = input.anonymous;
  if (!input.phone.empty()) {
    auto phone = privacy::NormalizePhone(input.phone);
    if (!phone)
      return Invalid("reporter.phone",
                     "phone must be a mainland mobile number (11 digits, 13–19…) or a fixed line "
                     "with its area code");
    r.phone = vault.Seal(*phone, privacy::MaskPhone(*phone));
  }
  if (!input.id_number.empty()) {
    auto id_number = privacy::NormalizeIdNumber(input.id_number);
    if (!id_number)
      return Invalid("reporter.id_number",
                     "id_number is not a valid resident ID number (GB 11643: 18 characters, "
                     "a real birth date and the right check character)");
    r.id_number = vault.Seal(*id_number, privacy::MaskIdNumber(*id_number));
  }
  return r;
}

Result<JoinResult> CaseService::Join(CaseId id, const ReporterInput& input, const std::string& resident,
                                     const ledger::Origin& origin, const Guard& guard) {
  auto reporter = TakeReporter(input, vault_);
  if (!reporter.ok()) return reporter.error();
  // The sealed phone carries a keyed hash of the normalised number, so Decide compares without decrypting.
  cases::Join join{std::move(reporter.value()), CaseId(), resident};
  auto c = ledger_.Act(id, join, origin, guard);
  if (!c.ok()) return c.error();
  const int which = ReporterOf(*c, join);
  JoinResult out{std::move(c.value()), which};
  if (out.reporter < 0) out.reporter = int(out.c.joined.size());
  return out;
}

Result<Case> CaseService::Act(CaseId id, const Command& command, const ledger::Origin& origin, const Guard& guard) {
  if (const auto* merge = std::get_if<cases::Merge>(&command)) return Merge(id, merge->into, origin, guard);
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
  return ledger_.Act(id, command, origin, guard);
}

// A merge changes two cases at once: the merged one, and the one that takes its reporters (so that each is
// asked when it is resolved), committed together.
Result<Case> CaseService::Merge(CaseId id, CaseId into, const ledger::Origin& origin, const Guard& guard) {
  using Events = std::vector<std::vector<CaseEvent>>;
  auto out = ledger_.Update({id, into}, origin, "merge",
                            [&](const std::vector<const Case*>& loaded, TimePoint now) -> Result<Events> {
                              if (!loaded[0]) return NotFound("case " + to_string(id) + " does not exist");
                              const Case& state = *loaded[0];
                              if (guard)
                                if (auto st = guard(state); !st) return st.error();
                              const Case* target = into != id ? loaded[1] : nullptr;
                              if (target && guard && !guard(*target).ok())
                                target = nullptr;  // a case one cannot see does not exist
                              auto ctx = ContextFor(state, now, origin);
                              if (!ctx.ok()) return ctx.error();
                              ctx->merge_target = target;
                              auto merged = Decide(state, cases::Merge{into}, *ctx);
                              if (!merged.ok()) return merged.error();
                              // A reporter with neither name nor number cannot be asked, so only the others join.
                              auto reachable = [](const Reporter& r) { return !r.name.empty() || !r.phone.empty(); };
                              std::vector<std::pair<Reporter, CaseId>> reporters;
                              if (reachable(state.origin.reporter))
                                reporters.emplace_back(state.origin.reporter, state.id);
                              for (const auto& j : state.joined)
                                if (reachable(j.reporter))
                                  reporters.emplace_back(j.reporter, j.from ? j.from : state.id);
                              Case t = *target;
                              std::vector<CaseEvent> joins;
                              ctx->merge_target = nullptr;
                              for (const auto& [reporter, from] : reporters) {
                                auto joined = Decide(t, cases::Join{reporter, from, {}}, *ctx);
                                if (!joined.ok()) return joined.error();
                                for (auto& e : *joined) {
                                  t = Evolve(t, e);
                                  joins.push_back(std::move(e));
                                }
                              }
                              return Events{std::move(merged.value()), std::move(joins)};
                            });
  if (!out.ok()) return out.error();
  return std::move(*out->front());
}

Result<RevealedReporter> CaseService::Reveal(CaseId id, const Guard& guard, int reporter) {
  auto c = Get(id, guard);
  if (!c.ok()) return c.error();
  auto at = ReporterAt(*c, reporter);
  if (!at.ok()) return at.error();
  const Reporter& r = **at;
  if (auto st = MayReveal(r, reporter); !st) return st.error();
  auto phone = vault_.Open(r.phone);
  if (!phone.ok()) return phone.error();
  auto id_number = vault_.Open(r.id_number);
  if (!id_number.ok()) return id_number.error();
  return RevealedReporter{r.name, std::move(phone.value()), std::move(id_number.value())};
}

}  // namespace civicgrid::cases

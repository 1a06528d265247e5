#include "domain/dispatch/routing_service.h"

#include "common/csv.h"
#include "common/encoding.h"
#include "domain/dispatch/defaults.h"
#include "reference/jurisdiction.h"

namespace civicgrid::dispatch {

Status RoutingService::Reload() {
  auto rules = store_.ListRoutingRules();
  if (!rules.ok()) return rules.error();
  table_.Set(std::make_shared<RoutingTable>(std::move(rules.value())));
  return OkStatus();
}

Status RoutingService::Check(const RoutingRule& rule, const reference::Directory& dir, const std::string& where) const {
  if (!rule.category.empty() && !dir.FindCategory(rule.category))
    return Invalid("category", where + "unknown category '" + rule.category + "'");
  if (!rule.region.empty() && !dir.FindRegion(rule.region))
    return Invalid("region", where + "unknown region '" + rule.region + "'");
  if (rule.org.empty()) return Invalid("org", where + "org is required");
  if (IsOwnLevel(rule.org)) return OkStatus();
  const auto* org = dir.FindOrg(rule.org);
  if (!org)
    return Invalid("org", where + "unknown organisation '" + rule.org + "' (or town, community: the case's own)");
  // The rule's cases must lie where the organisation may take them (reference/jurisdiction.h): a rule for
  // anywhere names an organisation that serves everywhere, or the case's own town or community.
  if (org->region.empty()) return OkStatus();
  if (rule.region.empty() || !reference::ServesCountyOf(*org, dir.PathOf(rule.region), dir))
    return Invalid("org", where + org->code + " " + org->name + " serves " + org->region + ", outside " +
                              (rule.region.empty() ? std::string("some of the places this rule covers (anywhere)")
                                                   : "the county of region " + rule.region));
  return OkStatus();
}

Result<RoutingRule> RoutingService::Store(RoutingRule rule, const std::string& remote) {
  rule.created_at = clock_.Now();
  auto id = store_.AddRoutingRule(rule);
  if (!id.ok()) return id.error();
  rule.id = *id;
  audit_.Audit(rule.created_by, "routing_rule_added", std::to_string(rule.id),
               "category=" + rule.category + " region=" + rule.region + " org=" + rule.org, remote);
  return rule;
}

Result<RoutingRule> RoutingService::Add(RoutingRule rule, const std::string& remote) {
  if (auto st = Check(rule, *directory_.Get(), ""); !st) return st.error();
  auto stored = Store(std::move(rule), remote);
  if (!stored.ok()) return stored.error();
  if (auto st = Reload(); !st) return st.error();
  return stored;
}

Status RoutingService::Delete(std::int64_t id, const std::string& actor, const std::string& remote) {
  if (auto st = store_.DeleteRoutingRule(id); !st) return st;
  audit_.Audit(actor, "routing_rule_deleted", std::to_string(id), "", remote);
  return Reload();
}

Result<size_t> RoutingService::ImportCsv(const std::string& text, const std::string& actor) {
  auto utf8 = encoding::ToUtf8(text, "routing rules CSV");  // Excel's GBK as well as UTF-8 (common/encoding.h)
  if (!utf8.ok()) return utf8.error();
  auto rows = csv::Parse(*utf8, {"category", "region", "org"});
  if (!rows.ok()) return rows.error();
  const auto dir = directory_.Get();
  std::vector<RoutingRule> rules;
  for (auto& r : *rows) {  // every row checked first: a bad file adds nothing
    RoutingRule rule{0, r["category"], r["region"], r["org"], actor, {}};
    if (auto st = Check(rule, *dir, "line " + std::to_string(r.line) + ": "); !st) return st.error();
    rules.push_back(std::move(rule));
  }
  for (auto& rule : rules)
    if (auto stored = Store(std::move(rule), "cli"); !stored.ok()) return stored.error();
  if (auto st = Reload(); !st) return st.error();
  return rules.size();
}

Result<size_t> RoutingService::AddDefaults(std::string_view templates_csv, const std::string& actor) {
  auto rules = DefaultRules(templates_csv, *directory_.Get());
  if (!rules.ok()) return rules.error();
  for (auto& r : *rules) {
    r.created_by = actor;
    if (auto stored = Store(std::move(r), "cli"); !stored.ok()) return stored.error();
  }
  if (auto st = Reload(); !st) return st.error();
  return rules->size();
}

}  // namespace civicgrid::dispatch

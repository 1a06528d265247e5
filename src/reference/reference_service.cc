#include "reference/reference_service.h"

#include <chrono>
#include <map>
#include <set>

#include "calendar/calendar.h"
#include "common/csv.h"
#include "common/encoding.h"
#include "common/log.h"
#include "common/text.h"
#include "reference/geojson.h"

namespace civicgrid::reference {

Status ReferenceService::ReloadIfChanged() {
  auto version = store_.ReferenceVersion();
  if (!version.ok()) return version.error();
  {
    common::MutexLock lock(reload_mu_);
    if (*version == loaded_version_) return OkStatus();
  }
  return Reload();
}

Status ReferenceService::Reload() {
  common::MutexLock lock(reload_mu_);
  auto version = store_.ReferenceVersion();
  if (!version.ok()) return version.error();
  auto regions = store_.LoadRegions();
  if (!regions.ok()) return regions.error();
  auto orgs = store_.LoadOrgs();
  if (!orgs.ok()) return orgs.error();
  auto categories = store_.LoadCategories();
  if (!categories.ok()) return categories.error();
  auto holidays = store_.LoadHolidays();
  if (!holidays.ok()) return holidays.error();
  calendar::WorkCalendar cal;
  if (!holidays->empty()) {
    auto parsed = calendar::ParseHolidayCsv(*holidays);
    if (!parsed.ok()) return parsed.error();
    cal = std::move(parsed.value());
  }
  std::vector<std::string> faults;
  auto dir = Directory::Build(std::move(regions.value()), std::move(orgs.value()), std::move(categories.value()),
                              std::move(cal), &faults);
  if (!dir.ok()) return dir.error();
  directory_.Set(std::move(dir.value()));
  std::string fault;
  for (size_t i = 0; i < faults.size() && i < 3; ++i) fault += (i ? "; " : "") + faults[i];
  if (faults.size() > 3) fault += "; " + std::to_string(faults.size() - 3) + " more";
  {
    common::MutexLock fault_lock(fault_mu_);
    if (!fault.empty() && fault != fault_)
      log::Error(
          "reference data is inconsistent, reference changes are refused until it is repaired "
          "(civicgrid check --repair, or POST /api/v1/regions/import/undo): " +
          fault);
    if (fault.empty() && !fault_.empty()) log::Info("reference data is consistent again");
    fault_ = fault;
  }
  for (const auto& fn : on_reload_)
    if (auto st = fn(); !st) return st;
  loaded_version_ = *version;
  return OkStatus();
}

std::string ReferenceService::Fault() const {
  common::MutexLock lock(fault_mu_);
  return fault_;
}

Status ReferenceService::RefuseWhileFaulty() const {
  const std::string fault = Fault();
  if (fault.empty()) return OkStatus();
  return Conflict(
      "reference data is inconsistent and read-only until repaired (civicgrid check --repair, or "
      "POST /api/v1/regions/import/undo): " +
      fault);
}

Result<size_t> ReferenceService::ImportRegionsGeoJson(const std::string& text, const std::string& actor) {
  common::MutexLock lock(change_mu_);
  if (auto st = RefuseWhileFaulty(); !st) return st.error();
  auto existing = store_.LoadRegions();
  if (!existing.ok()) return existing.error();
  std::set<std::string> known;
  for (const auto& r : *existing) known.insert(r.code);
  existing->clear();
  // JSON is UTF-8 (RFC 8259): a BOM is dropped, GB18030 refused with its own message (common/encoding.h).
  auto utf8 = encoding::ToUtf8(text, "regions GeoJSON", encoding::Accept::kUtf8);
  if (!utf8.ok()) return utf8.error();
  // Geometry is checked here, once: reloads trust what the store holds.
  auto regions = ParseRegionCollection(*utf8, known);
  if (!regions.ok()) return regions.error();
  for (auto& r : *regions) {  // names are a person's text: the one rule (common/text.h)
    auto name = text::Clean(r.name, "name", text::Lines::kOne);
    if (!name.ok() || name->empty())
      return Invalid("name", "region " + r.code + ": " + (name.ok() ? "name is blank" : name.error().message));
    r.name = std::move(name.value());
  }
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < regions->size(); ++i) index[(*regions)[i].code] = i;
  // The tree as it will be (an import may re-parent stored regions), against the stored regions as they are
  // inside the write itself: nothing can change between this check and the rows it lets through.
  auto check = [&](const std::vector<Region>& stored) -> Status {
    std::map<std::string, Region> merged;
    for (const auto& r : stored) merged[r.code] = r;
    for (const auto& r : *regions) merged[r.code] = Region{r.code, r.name, r.kind, r.parent, ""};
    std::vector<Region> all;
    all.reserve(merged.size());
    for (auto& [code, r] : merged) all.push_back(std::move(r));
    const auto broken = BrokenLineages(all);
    if (broken.empty()) return OkStatus();
    // Name a region of this import where one is at fault (it always is, the stored tree being sound).
    for (const auto& [code, reason] : broken) {
      if (auto it = index.find(code); it != index.end())
        return Invalid("features[" + std::to_string(it->second) + "].properties.parent",
                       "feature " + std::to_string(it->second) + " (" + code + "): " + reason);
    }
    return Invalid("parent", "region " + broken.begin()->first + ": " + broken.begin()->second);
  };
  auto batch = store_.ImportRegions(*regions, actor, check);
  if (!batch.ok()) return batch.error();
  if (auto st = Reload(); !st) return st.error();
  return regions->size();
}

Result<ImportBatch> ReferenceService::UndoLastImport() {
  common::MutexLock lock(change_mu_);
  auto batch = store_.UndoLastImport();
  if (!batch.ok()) return batch.error();
  if (auto st = Reload(); !st) return st.error();
  return batch;
}

Result<size_t> ReferenceService::ImportOrgsCsv(const std::string& text) {
  common::MutexLock lock(change_mu_);
  if (auto st = RefuseWhileFaulty(); !st) return st.error();
  auto utf8 = encoding::ToUtf8(text, "organisations CSV");  // Excel's GBK as well as UTF-8 (common/encoding.h)
  if (!utf8.ok()) return utf8.error();
  auto rows = csv::Parse(*utf8, {"code", "name", "kind", "region"});
  if (!rows.ok()) return rows.error();
  const auto dir = directory_.Get();
  std::vector<Org> orgs;
  for (auto& r : *rows) {
    const std::string where = "line " + std::to_string(r.line);
    if (r["code"].empty()) return Invalid("code", where + ": code is empty");
    auto name = text::Clean(r["name"], "name", text::Lines::kOne);  // the one text rule (common/text.h)
    if (!name.ok()) return Invalid("name", where + ": " + name.error().message);
    if (name->empty()) return Invalid("name", where + ": name is empty");
    r["name"] = *name;
    if (!dir->FindRegion(r["region"])) return Invalid("region", where + ": unknown region '" + r["region"] + "'");
    orgs.push_back({r["code"], r["name"], r["kind"], r["region"]});
  }
  if (auto st = store_.UpsertOrgs(orgs); !st) return st.error();
  if (auto st = Reload(); !st) return st.error();
  return orgs.size();
}

Result<Category> ReferenceService::AddCategory(Category c) {
  common::MutexLock lock(change_mu_);
  if (auto st = RefuseWhileFaulty(); !st) return st.error();
  const auto dir = directory_.Get();
  for (auto [field, value] : {std::pair{"name_zh", &c.name_zh}, std::pair{"name_en", &c.name_en}}) {
    auto name = text::Clean(*value, field, text::Lines::kOne);  // the one text rule (common/text.h)
    if (!name.ok()) return name.error();
    *value = std::move(name.value());
  }
  if (c.name_zh.empty()) return Invalid("name_zh", "name_zh is required");
  if (c.code.empty() || c.code.size() > 32) return Invalid("code", "code must have 1 to 32 characters");
  if (dir->FindCategory(c.code)) return Conflict("category " + c.code + " exists");
  if (!c.parent.empty()) {
    if (!dir->FindCategory(c.parent)) return Invalid("parent", "unknown parent " + c.parent);
    // Codes nest by prefix, so a category filter is one index range.
    if (c.code.rfind(c.parent, 0) != 0 || c.code.size() <= c.parent.size())
      return Invalid("code", "a child's code must start with its parent's code");
  }
  if (!(c.accept_hours > 0) || c.accept_hours > 24 * 30)
    return Invalid("accept_hours", "accept_hours must be above 0 and at most 720");
  if (!(c.resolve_days > 0) || c.resolve_days > 365)
    return Invalid("resolve_days", "resolve_days must be above 0 and at most 365");
  if (auto st = store_.UpsertCategories({c}); !st) return st.error();
  if (auto st = Reload(); !st) return st.error();
  return c;
}

namespace {

Result<std::vector<calendar::SpecialDay>> StoredHolidayRows(ReferenceStore& store) {
  auto text = store.LoadHolidays();
  if (!text.ok()) return text.error();
  if (text->empty()) return std::vector<calendar::SpecialDay>{};
  return calendar::ParseHolidayRows(*text);
}

int YearOf(calendar::Date d) { return static_cast<int>(std::chrono::year_month_day{d}.year()); }

}  // namespace

Result<ReferenceService::HolidayImport> ReferenceService::ImportHolidaysCsv(const std::string& text) {
  auto utf8 = encoding::ToUtf8(text, "holiday adjustments CSV");  // Excel's GBK as well as UTF-8
  if (!utf8.ok()) return utf8.error();
  common::MutexLock lock(change_mu_);  // read, merge and write the stored years as one step
  auto rows = calendar::ParseHolidayRows(*utf8);
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return Invalid("holidays", "the file has no rows");
  if (auto st = calendar::CheckAdjustments(*rows); !st) return st.error();
  auto stored = StoredHolidayRows(store_);
  if (!stored.ok()) return stored.error();
  HolidayImport result;
  result.rows = rows->size();
  std::set<int> years;
  for (const auto& r : *rows) years.insert(YearOf(r.date));
  result.years.assign(years.begin(), years.end());
  auto merged = calendar::ReplaceYears(std::move(stored.value()), *rows);
  if (auto st = store_.SaveHolidays(calendar::FormatHolidayCsv(std::move(merged))); !st) return st.error();
  if (auto st = Reload(); !st) return st.error();
  return result;
}

Status ReferenceService::SeedHolidays(std::string_view shipped) {
  common::MutexLock lock(change_mu_);
  auto rows = calendar::ParseHolidayRows(shipped);
  if (!rows.ok()) return rows.error();
  auto stored = StoredHolidayRows(store_);
  if (!stored.ok()) return stored.error();
  std::set<int> held;
  for (const auto& r : *stored) held.insert(YearOf(r.date));
  const size_t before = stored->size();
  for (const auto& r : *rows)
    if (!held.count(YearOf(r.date))) stored->push_back(r);
  if (stored->size() == before && before > 0) return OkStatus();
  return store_.SaveHolidays(calendar::FormatHolidayCsv(std::move(stored.value())));
}

}  // namespace civicgrid::reference

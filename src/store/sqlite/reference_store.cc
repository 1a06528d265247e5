#include "store/sqlite/reference_store.h"

namespace civicgrid::store::sqlite {

using reference::Category;
using reference::Org;
using reference::Region;

namespace {

Status UpsertRegion(Connection& c, const Region& r) {
  auto s = c.Prepare(
      "INSERT INTO regions(code,name,kind,parent,geometry) VALUES(?,?,?,?,?) ON CONFLICT(code) DO UPDATE "
      "SET name=excluded.name, kind=excluded.kind, parent=excluded.parent, geometry=excluded.geometry");
  s.Bind(1, r.code).Bind(2, r.name).Bind(3, std::string(Name(r.kind)));
  s.BindTextOrNull(4, r.parent).BindTextOrNull(5, r.geometry);
  if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "region " + r.code);
  return OkStatus();
}

constexpr const char* kNowUtc = "strftime('%Y-%m-%dT%H:%M:%SZ','now')";

}  // namespace

Status BumpReferenceVersion(Connection& c) {
  auto s = c.Prepare(
      "INSERT INTO settings(key,value) VALUES('reference_version','1') ON CONFLICT(key) DO UPDATE "
      "SET value=CAST(value AS INTEGER)+1");
  if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "reference version");
  return OkStatus();
}

Status ReferenceStore::UpsertRegions(const std::vector<Region>& regions) {
  return db_.Write([&](Connection& c) -> Status {
    if (auto st = BumpReferenceVersion(c); !st) return st;
    for (const auto& r : regions)
      if (auto st = UpsertRegion(c, r); !st) return st;
    return OkStatus();
  });
}

Result<reference::ImportBatch> ReferenceStore::ImportRegions(
    const std::vector<Region>& regions, const std::string& actor,
    const std::function<Status(const std::vector<Region>& stored)>& check) {
  reference::ImportBatch batch;
  auto st = db_.Write([&](Connection& c) -> Status {
    std::vector<Region> stored;
    {
      auto s = c.Prepare("SELECT code,name,kind,parent FROM regions ORDER BY code");
      while (s.Step() == SQLITE_ROW)
        stored.push_back({s.Text(0), s.Text(1),
                          reference::ParseRegionKind(s.Text(2)).value_or(reference::RegionKind::kGrid), s.Text(3), ""});
    }
    if (auto ok = check(stored); !ok) return ok;
    if (auto ok = BumpReferenceVersion(c); !ok) return ok;
    {
      auto s = c.Prepare(std::string("INSERT INTO reference_import_batches(kind,at,actor,rows) VALUES('regions',") +
                         kNowUtc + ",?,?) RETURNING id, at");
      s.Bind(1, actor).Bind(2, std::int64_t(regions.size()));
      if (int rc = s.Step(); rc != SQLITE_ROW) return DbError(c.db(), rc, "import batch");
      batch = {s.Int(0), "regions", s.Text(1), actor, std::int64_t(regions.size())};
    }
    for (const auto& r : regions) {
      // What the row was before: kept before it is overwritten.
      auto keep = c.Prepare(
          "INSERT INTO reference_import_previous(batch,code,existed,name,kind,parent,geometry) "
          "SELECT ?1, ?2, count(*), max(name), max(kind), max(parent), max(geometry) FROM regions WHERE code=?2");
      keep.Bind(1, batch.id).Bind(2, r.code);
      if (int rc = keep.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "import batch, region " + r.code);
      if (auto ok = UpsertRegion(c, r); !ok) return ok;
    }
    return OkStatus();
  });
  if (!st) return st.error();
  return batch;
}

Result<reference::ImportBatch> ReferenceStore::UndoLastImport() {
  reference::ImportBatch batch;
  auto st = db_.Write([&](Connection& c) -> Status {
    {
      auto s = c.Prepare(
          "SELECT id,kind,at,actor,rows FROM reference_import_batches WHERE undone_at IS NULL ORDER BY id DESC "
          "LIMIT 1");
      if (s.Step() != SQLITE_ROW) return NotFound("no region import to undo");
      batch = {s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4)};
    }
    if (auto ok = BumpReferenceVersion(c); !ok) return ok;
    auto restore = c.Prepare(
        "INSERT INTO regions(code,name,kind,parent,geometry) SELECT code,name,kind,parent,geometry FROM "
        "reference_import_previous WHERE batch=? AND existed=1 ON CONFLICT(code) DO UPDATE SET name=excluded.name, "
        "kind=excluded.kind, parent=excluded.parent, geometry=excluded.geometry");
    restore.Bind(1, batch.id);
    if (int rc = restore.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "undo import");
    auto drop = c.Prepare(
        "DELETE FROM regions WHERE code IN (SELECT code FROM reference_import_previous WHERE batch=? AND existed=0)");
    drop.Bind(1, batch.id);
    if (int rc = drop.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "undo import");
    auto mark = c.Prepare(std::string("UPDATE reference_import_batches SET undone_at=") + kNowUtc + " WHERE id=?");
    mark.Bind(1, batch.id);
    if (int rc = mark.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "undo import");
    return OkStatus();
  });
  if (!st) return st.error();
  return batch;
}

Result<std::vector<Region>> ReferenceStore::LoadRegions() {
  return db_.Read<std::vector<Region>>([](Connection& c) -> Result<std::vector<Region>> {
    std::vector<Region> out;
    auto s = c.Prepare("SELECT code,name,kind,parent,geometry FROM regions ORDER BY code");
    while (s.Step() == SQLITE_ROW) {
      Region r{s.Text(0), s.Text(1), reference::ParseRegionKind(s.Text(2)).value_or(reference::RegionKind::kGrid),
               s.Text(3), s.Text(4)};
      out.push_back(std::move(r));
    }
    return out;
  });
}

Status ReferenceStore::UpsertOrgs(const std::vector<Org>& orgs) {
  return db_.Write([&](Connection& c) -> Status {
    if (auto st = BumpReferenceVersion(c); !st) return st;
    for (const auto& o : orgs) {
      auto s = c.Prepare(
          "INSERT INTO orgs(code,name,kind,region) VALUES(?,?,?,?) ON CONFLICT(code) DO UPDATE SET "
          "name=excluded.name, kind=excluded.kind, region=excluded.region");
      s.Bind(1, o.code).Bind(2, o.name).Bind(3, o.kind).Bind(4, o.region);
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "org " + o.code);
    }
    return OkStatus();
  });
}

Result<std::vector<Org>> ReferenceStore::LoadOrgs() {
  return db_.Read<std::vector<Org>>([](Connection& c) -> Result<std::vector<Org>> {
    std::vector<Org> out;
    auto s = c.Prepare("SELECT code,name,kind,region FROM orgs ORDER BY code");
    while (s.Step() == SQLITE_ROW) out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3)});
    return out;
  });
}

Status ReferenceStore::UpsertCategories(const std::vector<Category>& cats) {
  return db_.Write([&](Connection& c) -> Status {
    if (auto st = BumpReferenceVersion(c); !st) return st;
    for (const auto& k : cats) {
      auto s = c.Prepare(
          "INSERT INTO categories(code,parent,name_zh,name_en,accept_hours,resolve_days) VALUES(?,?,?,?,?,?) "
          "ON CONFLICT(code) DO UPDATE SET parent=excluded.parent, name_zh=excluded.name_zh, "
          "name_en=excluded.name_en, accept_hours=excluded.accept_hours, resolve_days=excluded.resolve_days");
      s.Bind(1, k.code).BindTextOrNull(2, k.parent).Bind(3, k.name_zh).Bind(4, k.name_en);
      s.Bind(5, k.accept_hours).Bind(6, k.resolve_days);
      if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "category " + k.code);
    }
    return OkStatus();
  });
}

Result<std::vector<Category>> ReferenceStore::LoadCategories() {
  return db_.Read<std::vector<Category>>([](Connection& c) -> Result<std::vector<Category>> {
    std::vector<Category> out;
    auto s = c.Prepare("SELECT code,parent,name_zh,name_en,accept_hours,resolve_days FROM categories ORDER BY code");
    while (s.Step() == SQLITE_ROW) out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Real(4), s.Real(5)});
    return out;
  });
}

Status ReferenceStore::SaveHolidays(const std::string& csv) {
  return db_.Write([&](Connection& c) -> Status {
    if (auto st = BumpReferenceVersion(c); !st) return st;
    auto s = c.Prepare(
        "INSERT INTO settings(key,value) VALUES('holidays',?) ON CONFLICT(key) DO UPDATE SET "
        "value=excluded.value");
    s.Bind(1, csv);
    if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "holidays");
    return OkStatus();
  });
}

Result<std::string> ReferenceStore::LoadHolidays() {
  return db_.Read<std::string>([](Connection& c) -> Result<std::string> {
    auto s = c.Prepare("SELECT value FROM settings WHERE key='holidays'");
    if (s.Step() == SQLITE_ROW) return s.Text(0);
    return std::string();
  });
}

Result<std::int64_t> ReferenceStore::ReferenceVersion() {
  return db_.Read<std::int64_t>([](Connection& c) -> Result<std::int64_t> {
    auto s = c.Prepare("SELECT CAST(value AS INTEGER) FROM settings WHERE key='reference_version'");
    return s.Step() == SQLITE_ROW ? s.Int(0) : std::int64_t{0};
  });
}

}  // namespace civicgrid::store::sqlite

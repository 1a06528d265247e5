#include "store/sqlite/case_store.h"

#include "store/codec.h"
#include "store/sqlite/cjk_tokenizer.h"

namespace civicgrid::store::sqlite {

using cases::Case;
using cases::CaseDigest;
using cases::CaseEvent;
using cases::CaseId;
using cases::CasePage;
using cases::CaseQuery;
using cases::CaseWrite;
using cases::kDuplicateExternalId;
using cases::kDuplicateIdempotencyKey;
using cases::kVersionMismatch;
using reference::PathCodes;

namespace {

// The codes on a region path as search tokens: "/c/t/g/" → "rc rt rg" (see cases_fts.places). How this
// backend's full-text index scopes a search to a region, not a fact about the case: it stays here.
std::string PlaceTokens(const std::string& path) {
  std::string out;
  for (const auto& code : PathCodes(path)) out += (out.empty() ? "r" : " r") + code;
  return out;
}

// An FTS5 phrase for one region code in `places` (quoted: codes may hold characters the tokenizer splits on).
std::string PlacePhrase(const std::string& code) {
  std::string q = "places : \"r";
  for (char ch : code) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

// One case's write: its row (inserted, or updated if still at the expected version), its full-text row (new
// cases; the text never changes), the rows the domain derived for it (CaseWrite::whistle_orgs,
// missed_check_ins), its events and its idempotency key. Runs inside the caller's job (one savepoint).
Status ApplyCaseWrite(Connection& c, const CaseWrite& w) {
  const Case& a = w.after;
  const std::string doc = EncodeCase(a);
  const std::string status(Name(a.status));
  if (w.expected_version == 0) {
    auto s = c.Prepare(
        "INSERT INTO cases(id,county,number,channel,external_id,category,grid,region_path,org,status,accept_by,"
        "resolve_by,created_at,updated_at,version,doc,taken_by,level,tally,next_alert_at,lat,lon) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.Bind(1, a.id).Bind(2, w.county).Bind(3, a.origin.number).Bind(4, a.origin.channel);
    s.BindTextOrNull(5, a.origin.external_id).Bind(6, a.origin.category).BindTextOrNull(7, a.origin.grid);
    s.Bind(8, a.origin.region_path).BindTextOrNull(9, a.org).Bind(10, status);
    s.BindOpt(11, a.accept_by).BindOpt(12, a.resolve_by).Bind(13, ToMillis(a.created_at));
    s.Bind(14, ToMillis(a.updated_at)).Bind(15, a.version).Bind(16, doc).Bind(17, a.taken_by);
    s.Bind(18, std::string(Name(a.level))).Bind(19, w.tally).BindOpt(20, w.next_alert);
    if (a.origin.location) s.Bind(21, a.origin.location->lat).Bind(22, a.origin.location->lon);
    else s.BindNull(21).BindNull(22);
    if (int rc = s.Step(); rc != SQLITE_DONE) {
      if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return Error{ErrorCode::kConflict, "a case with this channel and external_id exists", kDuplicateExternalId, {}};
      return DbError(c.db(), rc, "insert case");
    }
    auto f = c.Prepare("INSERT INTO cases_fts(rowid,title,description,address,places) VALUES(?,?,?,?,?)");
    f.Bind(1, a.id).Bind(2, a.origin.title).Bind(3, a.origin.description).Bind(4, a.origin.address);
    f.Bind(5, PlaceTokens(a.origin.region_path));
    if (int rc = f.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "index case text");
  } else {
    auto s = c.Prepare(
        "UPDATE cases SET org=?,status=?,accept_by=?,resolve_by=?,updated_at=?,version=?,doc=?,level=?,tally=?,"
        "next_alert_at=?,lat=?,lon=? WHERE id=? AND version=?");
    s.BindTextOrNull(1, a.org).Bind(2, status).BindOpt(3, a.accept_by).BindOpt(4, a.resolve_by);
    s.Bind(5, ToMillis(a.updated_at)).Bind(6, a.version).Bind(7, doc).Bind(8, std::string(Name(a.level)));
    s.Bind(9, w.tally).BindOpt(10, w.next_alert);
    if (a.origin.location) s.Bind(11, a.origin.location->lat).Bind(12, a.origin.location->lon);
    else s.BindNull(11).BindNull(12);
    s.Bind(13, a.id).Bind(14, w.expected_version);
    if (int rc = s.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "update case");
    if (sqlite3_changes(c.db()) != 1)
      return Error{ErrorCode::kConflict, "the case changed meanwhile", kVersionMismatch, {}};
  }
  // The whistle's departments, as the case now has them (a reopen ends a whistle).
  if (w.expected_version != 0) {
    auto d = c.Prepare("DELETE FROM whistle_parts WHERE case_id=?");
    d.Bind(1, a.id);
    if (int rc = d.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "whistle parts");
  }
  for (const auto& org : w.whistle_orgs) {
    auto ins = c.Prepare("INSERT OR IGNORE INTO whistle_parts(case_id,org) VALUES(?,?)");
    ins.Bind(1, a.id).Bind(2, org);
    if (int rc = ins.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "whistle parts");
  }
  for (const auto& org : w.missed_check_ins) {
    auto m = c.Prepare(
        "INSERT INTO missed_check_ins(org,count) VALUES(?,1) ON CONFLICT(org) DO UPDATE SET "
        "count=count+1");
    m.Bind(1, org);
    if (int rc = m.Step(); rc != SQLITE_DONE) return DbError(c.db(), rc, "missed check-ins");
  }
  for (const auto& e : w.events) {
    auto s = c.Prepare(
        "INSERT INTO case_events(case_id,seq,type,actor,at,payload,command,channel,address) "
        "VALUES(?,?,?,?,?,?,?,?,?)");
    s.Bind(1, e.item).Bind(2, e.seq).Bind(3, std::string(Name(cases::TypeOf(e)))).Bind(4, e.actor);
    s.Bind(5, ToMillis(e.at)).Bind(6, EncodeEventPayload(e));
    s.BindTextOrNull(7, e.command).BindTextOrNull(8, e.channel).BindTextOrNull(9, e.address);
    if (int rc = s.Step(); rc != SQLITE_DONE) {
      if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return Error{ErrorCode::kConflict, "the case changed meanwhile", kVersionMismatch, {}};
      return DbError(c.db(), rc, "insert event");
    }
  }
  if (!w.idempotency_key.empty()) {
    auto s = c.Prepare("INSERT INTO idempotency(key,case_id,created_at) VALUES(?,?,?)");
    s.Bind(1, w.idempotency_key).Bind(2, a.id).Bind(3, ToMillis(a.updated_at));
    if (int rc = s.Step(); rc != SQLITE_DONE) {
      if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return Error{ErrorCode::kConflict, "this Idempotency-Key was used", kDuplicateIdempotencyKey, {}};
      return DbError(c.db(), rc, "insert idempotency key");
    }
  }
  return OkStatus();
}

// The database's idle step: one small step of merging the full-text index's segments. Migration 7 turned
// FTS5's automerge off: merged inside the group commits, this work came in bursts that cut the writer's rate
// from ~3,200 to ~1,100 intakes/s for seconds at a time (measured). A step writes about kMergePages pages
// (~2 ms here), the most a write arriving meanwhile waits. Under load without pauses, FTS5's crisis merge (16
// segments on a level) still bounds the index. Returns whether there may be more to merge.
Result<bool> MergeFullTextStep(Connection& c) {
  constexpr int kMergePages = 64;
  const auto before = sqlite3_total_changes64(c.db());
  if (auto st = c.Exec("INSERT INTO cases_fts(cases_fts, rank) VALUES('merge', " + std::to_string(kMergePages) + ")");
      !st)
    return st.error();
  // FTS5: fewer than two changes means the merge found nothing to do.
  return sqlite3_total_changes64(c.db()) - before >= 2;
}

}  // namespace

Result<std::unique_ptr<CaseStore>> CaseStore::Open(Database& db) {
  auto store = std::unique_ptr<CaseStore>(new CaseStore(db));
  auto top = db.Read<std::int64_t>([](Connection& c) -> Result<std::int64_t> {
    auto s = c.Prepare("SELECT COALESCE(MAX(id), 0) FROM cases");
    if (int rc = s.Step(); rc != SQLITE_ROW) return DbError(c.db(), rc, "highest case id");
    return s.Int(0);
  });
  if (!top.ok()) return top.error();
  store->next_id_ = *top + 1;
  db.AddIdleStep(MergeFullTextStep);
  return store;
}

Status CaseStore::Commit(const std::vector<CaseWrite>& writes) {
  return db_.Write([&](Connection& c) -> Status {
    for (const auto& w : writes)
      if (auto st = ApplyCaseWrite(c, w); !st) return st;  // the job's savepoint undoes the others
    return OkStatus();
  });
}

Status CaseStore::ScanCases(bool open_only, const std::function<void(Case&&)>& fn) {
  auto st = db_.Read<bool>([&](Connection& c) -> Result<bool> {
    auto s = c.Prepare(open_only ? "SELECT doc FROM cases WHERE status IN ('received','dispatched','accepted',"
                                   "'resolved')"
                                 : "SELECT doc FROM cases");
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      auto decoded = DecodeCase(s.Text(0));
      if (!decoded.ok()) return decoded.error();
      fn(std::move(decoded.value()));
    }
    if (rc != SQLITE_DONE) return DbError(c.db(), rc, "scan cases");
    return true;
  });
  if (!st.ok()) return st.error();
  return OkStatus();
}

Status CaseStore::ScanDigests(const std::function<void(const CaseDigest&)>& fn) {
  auto st = db_.Read<bool>([&](Connection& c) -> Result<bool> {
    // The covering index only (no table row is read); in its order (intake time), not by id.
    auto s = c.Prepare(
        "SELECT id,version,status,region_path,channel,category,org,created_at,tally,lat,lon,"
        "next_alert_at FROM cases INDEXED BY cases_digest");
    CaseDigest d;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      d.id = CaseId(s.Int(0));
      d.version = s.Int(1);
      auto status = cases::ParseCaseStatus(s.Text(2));
      if (!status) return Internal("corrupt case row " + to_string(d.id) + ": status");
      d.status = *status;
      d.region_path = s.Text(3);
      d.channel = s.Text(4);
      d.category = s.Text(5);
      d.org = s.Text(6);
      d.created_at = FromMillis(s.Int(7));
      d.tally = s.Int(8);
      d.location.reset();
      if (!s.IsNull(9)) d.location = cases::GeoPoint{s.Real(9), s.Real(10)};
      d.next_alert.reset();
      if (!s.IsNull(11)) d.next_alert = FromMillis(s.Int(11));
      fn(d);
    }
    if (rc != SQLITE_DONE) return DbError(c.db(), rc, "scan digests");
    return true;
  });
  if (!st.ok()) return st.error();
  return OkStatus();
}

Result<std::map<std::string, std::int64_t>> CaseStore::MissedCheckIns() {
  return db_.Read<std::map<std::string, std::int64_t>>(
      [](Connection& c) -> Result<std::map<std::string, std::int64_t>> {
        std::map<std::string, std::int64_t> out;
        auto s = c.Prepare("SELECT org,count FROM missed_check_ins");
        while (s.Step() == SQLITE_ROW) out[s.Text(0)] = s.Int(1);
        return out;
      });
}

Result<std::optional<Case>> CaseStore::Load(ledger::ItemId id) {
  return db_.Read<std::optional<Case>>([id](Connection& c) -> Result<std::optional<Case>> {
    auto s = c.Prepare("SELECT doc FROM cases WHERE id=?");
    s.Bind(1, id);
    if (s.Step() != SQLITE_ROW) return std::optional<Case>();
    auto decoded = DecodeCase(s.Text(0));
    if (!decoded.ok()) return decoded.error();
    return std::optional<Case>(std::move(decoded.value()));
  });
}

Result<std::optional<CaseId>> CaseStore::FindByExternalId(const std::string& channel, const std::string& external_id) {
  return db_.Read<std::optional<CaseId>>([&](Connection& c) -> Result<std::optional<CaseId>> {
    auto s = c.Prepare("SELECT id FROM cases WHERE channel=? AND external_id=?");
    s.Bind(1, channel).Bind(2, external_id);
    if (s.Step() == SQLITE_ROW) return std::optional<CaseId>(s.Int(0));
    return std::optional<CaseId>();
  });
}

Result<std::optional<CaseId>> CaseStore::FindByIdempotencyKey(const std::string& key) {
  return db_.Read<std::optional<CaseId>>([&](Connection& c) -> Result<std::optional<CaseId>> {
    auto s = c.Prepare("SELECT case_id FROM idempotency WHERE key=?");
    s.Bind(1, key);
    if (s.Step() == SQLITE_ROW) return std::optional<CaseId>(s.Int(0));
    return std::optional<CaseId>();
  });
}

Result<std::vector<CaseEvent>> CaseStore::LoadEvents(CaseId id) {
  return db_.Read<std::vector<CaseEvent>>([id](Connection& c) -> Result<std::vector<CaseEvent>> {
    std::vector<CaseEvent> out;
    auto s = c.Prepare(
        "SELECT seq,type,actor,at,payload,command,channel,address FROM case_events WHERE case_id=? ORDER BY seq");
    s.Bind(1, id);
    while (s.Step() == SQLITE_ROW) {
      CaseEvent e;
      e.item = id;
      e.seq = s.Int(0);
      auto type = cases::ParseEventType(s.Text(1));
      if (!type) return Internal("corrupt event type " + s.Text(1));
      e.body = cases::EmptyBody(*type);
      e.actor = s.Text(2);
      e.at = FromMillis(s.Int(3));
      e.command = s.Text(5);
      e.channel = s.Text(6);
      e.address = s.Text(7);
      if (auto st = DecodeEventPayload(s.Text(4), e); !st) return st.error();
      out.push_back(std::move(e));
    }
    return out;
  });
}

Result<CasePage> CaseStore::ListCases(const CaseQuery& q) {
  // Keyset pagination on id (newest first); each filter is one indexed predicate, so SQLite can walk the
  // most selective index instead of the table.
  std::string match;
  if (!q.text.empty()) {
    auto m = MatchExpression(q.text);
    if (!m) return Invalid("q", "q needs a word of two Chinese characters or more, or an English word");
    // The user's words search the text columns only; the region scope (the filter, and a caller who sees
    // by region alone) is intersected in the index through `places`. The SQL predicates below still apply.
    match = "{title description address} : (" + *m + ")";
    auto last_code = [](const std::string& path) {
      const auto codes = PathCodes(path);
      return codes.empty() ? std::string() : codes.back();
    };
    if (!q.region_path.empty() && !last_code(q.region_path).empty())
      match += " AND " + PlacePhrase(last_code(q.region_path));
    const auto& v = q.visibility;
    if (!v.all && !v.region_paths.empty() && v.orgs.empty() && v.taken_by.empty()) {
      std::string any;
      for (const auto& p : v.region_paths) {
        const std::string code = last_code(p);
        if (!code.empty()) any += (any.empty() ? "" : " OR ") + PlacePhrase(code);
      }
      if (!any.empty()) match += " AND (" + any + ")";
    }
  }
  // Ranked search: relevance (civicgrid_rank, cjk_tokenizer.cc) among the newest matches, at most
  // kRankWindow of them (more when paging deeper), so a word that occurs in a fifth of a million cases costs
  // a bounded walk of the index in id order instead of ranking every match. The inner query selects ids only, so
  // nothing large is sorted; without any filter the FTS table answers alone, with filters each match joins its row.
  const bool unfiltered = q.visibility.all && q.statuses.empty() && q.region_path.empty() && q.categories.empty() &&
                          q.orgs.empty() && q.number.empty() && !q.from && !q.to && !q.level;
  std::string sql = match.empty() ? "SELECT doc FROM cases WHERE 1=1"
                    : unfiltered  ? "SELECT rowid AS id, civicgrid_rank(cases_fts) AS r FROM cases_fts "
                                    "WHERE cases_fts MATCH ?"
                                  : "SELECT cases.id AS id, civicgrid_rank(cases_fts) AS r FROM cases_fts JOIN cases "
                                    "ON cases.id=cases_fts.rowid WHERE cases_fts MATCH ?";
  std::vector<std::function<void(Stmt&, int)>> binds;
  if (!match.empty()) {
    binds.push_back([m = match](Stmt& s, int i) { s.Bind(i, m); });
  }
  auto add = [&](const std::string& clause, std::function<void(Stmt&, int)> bind) {
    sql += " AND " + clause;
    binds.push_back(std::move(bind));
  };
  if (!q.visibility.all) {
    // One parenthesised OR of the caller's grants; an empty grant list sees nothing.
    std::string clause = "(0";
    for (const auto& path : q.visibility.region_paths) {
      clause += " OR (region_path>=? AND region_path<?)";
      binds.push_back([lo = path](Stmt& s, int i) { s.Bind(i, lo); });
      binds.push_back([hi = path + "\xff"](Stmt& s, int i) { s.Bind(i, hi); });
    }
    for (const auto& org : q.visibility.orgs) {
      clause += " OR org=? OR id IN (SELECT case_id FROM whistle_parts WHERE org=?)";
      binds.push_back([org](Stmt& s, int i) { s.Bind(i, org); });
      binds.push_back([org](Stmt& s, int i) { s.Bind(i, org); });
    }
    for (const auto& who : q.visibility.taken_by) {
      clause += " OR taken_by=?";
      binds.push_back([who](Stmt& s, int i) { s.Bind(i, who); });
    }
    sql += " AND " + clause + ")";
  }
  // Several values of one filter: one parenthesised IN or OR, each value bound, so the indexes on status,
  // category and org still serve (SQLite's OR/IN optimisation walks each range and merges by rowid).
  if (!q.statuses.empty()) {
    std::string clause = "status IN (";
    for (size_t k = 0; k < q.statuses.size(); ++k) {
      clause += k ? ",?" : "?";
      binds.push_back([v = std::string(Name(q.statuses[k]))](Stmt& s, int i) { s.Bind(i, v); });
    }
    sql += " AND " + clause + ")";
  }
  if (!q.region_path.empty()) {
    const std::string lo = q.region_path, hi = q.region_path + "\xff";
    add("region_path>=?", [lo](Stmt& s, int i) { s.Bind(i, lo); });
    add("region_path<?", [hi](Stmt& s, int i) { s.Bind(i, hi); });
  }
  if (!q.categories.empty()) {
    std::string clause = "(0";
    for (const auto& code : q.categories) {
      clause += " OR (category>=? AND category<?)";
      binds.push_back([lo = code](Stmt& s, int i) { s.Bind(i, lo); });
      binds.push_back([hi = code + "\xff"](Stmt& s, int i) { s.Bind(i, hi); });
    }
    sql += " AND " + clause + ")";
  }
  if (!q.orgs.empty()) {
    std::string clause = "org IN (";
    for (size_t k = 0; k < q.orgs.size(); ++k) {
      clause += k ? ",?" : "?";
      binds.push_back([v = q.orgs[k]](Stmt& s, int i) { s.Bind(i, v); });
    }
    sql += " AND " + clause + ")";
  }
  if (!q.number.empty()) {
    const std::string v = q.number;
    add("number=?", [v](Stmt& s, int i) { s.Bind(i, v); });  // the UNIQUE index on number
  }
  if (q.from) {
    const auto v = ToMillis(*q.from);
    add("created_at>=?", [v](Stmt& s, int i) { s.Bind(i, v); });
  }
  if (q.to) {
    const auto v = ToMillis(*q.to);
    add("created_at<?", [v](Stmt& s, int i) { s.Bind(i, v); });
  }
  if (q.level) sql += " AND level='" + std::string(Name(*q.level)) + "'";  // a literal: the partial index
  if (q.before && match.empty()) {
    const auto v = *q.before;
    add("id<?", [v](Stmt& s, int i) { s.Bind(i, v); });
  }
  const bool ranked = !match.empty();
  if (ranked) {
    constexpr int kRankWindow = 1000;
    const int window = std::max(kRankWindow, std::max(q.offset, 0) + q.limit + 1);
    sql = "SELECT id FROM (" + sql + (unfiltered ? " ORDER BY rowid DESC" : " ORDER BY cases_fts.rowid DESC") +
          " LIMIT " + std::to_string(window) + ") ORDER BY r DESC, id DESC LIMIT ? OFFSET " +
          std::to_string(std::max(q.offset, 0));
  } else {
    sql += " ORDER BY id DESC LIMIT ?";
  }
  const int limit = q.limit;
  return db_.Read<CasePage>([&](Connection& c) -> Result<CasePage> {
    auto s = c.Prepare(sql);
    int i = 1;
    for (auto& b : binds) b(s, i++);
    s.Bind(i, limit + 1);
    CasePage page;
    int rc;
    std::vector<CaseId> ranked_ids;
    while ((rc = s.Step()) == SQLITE_ROW) {
      if (int(page.items.size() + ranked_ids.size()) == limit) {
        if (ranked) page.next_offset = std::max(q.offset, 0) + limit;
        else page.next_before = page.items.back().id;
        break;
      }
      if (ranked) {
        ranked_ids.push_back(CaseId(s.Int(0)));
        continue;
      }
      auto decoded = DecodeCase(s.Text(0));
      if (!decoded.ok()) return decoded.error();
      page.items.push_back(std::move(decoded.value()));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return DbError(c.db(), rc, "list cases");
    for (const CaseId id : ranked_ids) {
      auto d = c.Prepare("SELECT doc FROM cases WHERE id=?");
      d.Bind(1, id);
      if (d.Step() != SQLITE_ROW) continue;  // cases are never deleted; skip rather than fail if one were
      auto decoded = DecodeCase(d.Text(0));
      if (!decoded.ok()) return decoded.error();
      page.items.push_back(std::move(decoded.value()));
    }
    return page;
  });
}

Result<std::int64_t> CaseStore::CountCases() {
  return db_.Read<std::int64_t>([](Connection& c) -> Result<std::int64_t> {
    auto s = c.Prepare("SELECT COUNT(*) FROM cases");
    s.Step();
    return s.Int(0);
  });
}

}  // namespace civicgrid::store::sqlite

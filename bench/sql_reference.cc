// What plain SQLite says about the preloaded store, beside the server's answers: run on the store file (read
// only), with no civicgrid code but the full-text tokenizer (FTS5 needs it to read cases_fts) and its query
// builder, so that a search term means here exactly what it means to the server.
//
//   sql_reference search  --db DB --terms FILE [--region-path /c/t/] [--runs 3] [--limit 50]
//   sql_reference cockpit --db DB --path /c/t/ --from MS --to MS [--runs 3]
//
// search: for every "label<TAB>term" line, the matches in the whole store and in the region (the town user's
// visibility), and the time SQLite alone takes for the statement ListCases prepares for a ranked search
// (copied from src/store/sqlite/case_store.cc: without and with the visibility filter), beside the same
// statement ordered by rowid instead of rank; plus EXPLAIN QUERY PLAN of both.
//
// cockpit: the numbers GET /api/v1/cockpit/summary answers for a region subtree and period, computed by plain
// GROUP BY queries over the cases table with the store's own indexes (no summary table): period counts
// (intake, valid, reached, responded, resolved, rated, satisfied; from the per-case `tally` column, whose bits
// cases::Pack documents: 0 reached, 1 responded, 2 resolved, 3–4 light, 8–23 rated, 24–39 satisfied), the
// state now (open, overdue = red light, yellow), intake by channel, by category class and by local day, and
// the period counts and state of every child region and every current organisation. Prints the results (for
// the driver to compare with the server's) and the median time of `runs` runs after one warm-up run.
#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "common.h"
#include "store/sqlite/cjk_tokenizer.h"

namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "cannot open %s: %s\n", path.c_str(), sqlite3_errmsg(db));
      std::exit(1);
    }
    sqlite3_busy_timeout(db, 10000);
    civicgrid::store::RegisterCjkTokenizer(db);
  }
  ~Db() { sqlite3_close(db); }
  sqlite3_stmt* Prepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "prepare failed: %s\n%s\n", sqlite3_errmsg(db), sql.c_str());
      std::exit(1);
    }
    return s;
  }
  std::string Plan(const std::string& sql, const std::vector<std::string>& binds) {
    sqlite3_stmt* s = Prepare("EXPLAIN QUERY PLAN " + sql);
    for (size_t i = 0; i < binds.size(); ++i) sqlite3_bind_text(s, int(i + 1), binds[i].c_str(), -1, SQLITE_TRANSIENT);
    std::string out;
    while (sqlite3_step(s) == SQLITE_ROW) {
      if (!out.empty()) out += "; ";
      out += reinterpret_cast<const char*>(sqlite3_column_text(s, 3));
    }
    sqlite3_finalize(s);
    return out;
  }
};

// Binds text (std::string) or integers (long long) by position.
struct Bind {
  bool is_int;
  std::string text;
  long long number;
  Bind(const std::string& t) : is_int(false), text(t), number(0) {}
  Bind(const char* t) : is_int(false), text(t), number(0) {}
  Bind(long long n) : is_int(true), number(n) {}
};

// Runs a statement; calls row(stmt) for each row.
template <class F>
void Query(Db& db, const std::string& sql, const std::vector<Bind>& binds, F&& row) {
  sqlite3_stmt* s = db.Prepare(sql);
  for (size_t i = 0; i < binds.size(); ++i) {
    if (binds[i].is_int) sqlite3_bind_int64(s, int(i + 1), binds[i].number);
    else sqlite3_bind_text(s, int(i + 1), binds[i].text.c_str(), int(binds[i].text.size()), SQLITE_TRANSIENT);
  }
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) row(s);
  if (rc != SQLITE_DONE) {
    std::fprintf(stderr, "query failed: %s\n%s\n", sqlite3_errmsg(db.db), sql.c_str());
    std::exit(1);
  }
  sqlite3_finalize(s);
}

std::string Text(sqlite3_stmt* s, int col) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
  return p ? std::string(p, size_t(sqlite3_column_bytes(s, col))) : std::string();
}

int Search(const bench::Args& args) {
  Db db(args.Str("db"));
  const std::string region = args.Str("region-path");
  const int runs = int(args.Int("runs", 3));
  const long long limit = args.Int("limit", 50) + 1;  // ListCases asks for one more than the page
  const std::string hi = region + "\xff";
  // As ListCases builds them for q alone (admin: unfiltered) and for q with one region grant.
  const std::string ranked_all = "SELECT rowid FROM cases_fts WHERE cases_fts MATCH ? ORDER BY rank LIMIT ? OFFSET 0";
  const std::string ranked_region =
      "SELECT cases.id FROM cases_fts JOIN cases ON cases.id=cases_fts.rowid WHERE cases_fts MATCH ? AND "
      "(0 OR (region_path>=? AND region_path<?)) ORDER BY cases_fts.rank LIMIT ? OFFSET 0";
  const std::string rowid_all = "SELECT rowid FROM cases_fts WHERE cases_fts MATCH ? ORDER BY rowid DESC LIMIT ?";
  const std::string rowid_region =
      "SELECT cases.id FROM cases_fts JOIN cases ON cases.id=cases_fts.rowid WHERE cases_fts MATCH ? AND "
      "(0 OR (region_path>=? AND region_path<?)) ORDER BY cases_fts.rowid DESC LIMIT ?";
  std::ifstream in(args.Str("terms"));
  std::string line, terms = "{";
  std::string plan_all, plan_region;
  while (std::getline(in, line)) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    const std::string label = line.substr(0, tab), term = line.substr(tab + 1);
    const auto match = civicgrid::store::MatchExpression(term);
    bench::Json j;
    j.Str("term", term);
    if (!match) {
      j.Int("all", -1).Int("region", -1);
    } else {
      if (plan_all.empty()) {
        plan_all = db.Plan(ranked_all, {*match});
        plan_region = db.Plan(ranked_region, {*match, region, hi});
      }
      long long all = 0, in_region = 0;
      Query(db, "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH ?", {*match},
            [&](sqlite3_stmt* s) { all = sqlite3_column_int64(s, 0); });
      if (!region.empty())
        Query(db,
              "SELECT count(*) FROM cases_fts JOIN cases ON cases.id=cases_fts.rowid WHERE cases_fts MATCH ? AND "
              "region_path>=? AND region_path<?",
              {*match, region, hi}, [&](sqlite3_stmt* s) { in_region = sqlite3_column_int64(s, 0); });
      j.Str("match", *match).Int("all", all).Int("region", in_region);
      auto time = [&](const std::string& sql, const std::vector<Bind>& binds) {
        std::vector<double> t;
        for (int r = 0; r < runs; ++r) {
          const double t0 = bench::Now();
          long long n = 0;
          Query(db, sql, binds, [&](sqlite3_stmt*) { ++n; });
          t.push_back((bench::Now() - t0) * 1e3);
        }
        return bench::Median(t);
      };
      j.Num("ranked_ms", time(ranked_all, {*match, limit})).Num("rowid_order_ms", time(rowid_all, {*match, limit}));
      if (!region.empty())
        j.Num("ranked_region_ms", time(ranked_region, {*match, region, hi, limit}))
            .Num("rowid_order_region_ms", time(rowid_region, {*match, region, hi, limit}));
    }
    terms += (terms.size() > 1 ? ", " : "") + Quote(label) + ": " + j.Dump();
  }
  terms += "}";
  bench::Json out;
  out.Str("plan_all", plan_all).Str("plan_region", plan_region).Raw("terms", terms);
  std::printf("%s\n", out.Dump().c_str());
  return 0;
}

// ---- cockpit ----
constexpr const char* kCounts =
    "count(*), sum(status NOT IN ('invalid','merged')), sum(tally & 1), sum((tally >> 1) & 1), "
    "sum((tally >> 2) & 1), sum((tally >> 8) & 65535), sum((tally >> 24) & 65535)";
// The same counts restricted to the period (for queries that also need every case of the region).
constexpr const char* kPeriodCounts =
    "sum(p), sum(p AND status NOT IN ('invalid','merged')), sum(p AND tally & 1), sum(p AND (tally >> 1) & 1), "
    "sum(p AND (tally >> 2) & 1), sum(CASE WHEN p THEN (tally >> 8) & 65535 ELSE 0 END), "
    "sum(CASE WHEN p THEN (tally >> 24) & 65535 ELSE 0 END)";
constexpr const char* kNow =
    "sum(status NOT IN ('closed','invalid','merged')), sum(((tally >> 3) & 3) = 2), sum(((tally >> 3) & 3) = 1)";

std::string CountsJson(sqlite3_stmt* s, int first) {
  const char* names[] = {"intake", "valid", "reached", "responded", "resolved", "rated", "satisfied"};
  bench::Json j;
  for (int i = 0; i < 7; ++i) j.Int(names[i], sqlite3_column_int64(s, first + i));
  return j.Dump();
}

struct CockpitResult {
  std::string counts, now, by_channel, by_class, by_day, children, orgs;
  std::vector<std::pair<std::string, double>> seconds;
};

// by_period: the period queries walk the created_at index (else the region index; see Cockpit).
CockpitResult RunCockpit(Db& db, const std::string& path, long long from, long long to, bool by_period) {
  CockpitResult r;
  const std::string hi = path + "\xff";
  const std::string region = " FROM cases WHERE region_path>=?1 AND region_path<?2";
  // A unary + keeps SQLite from using an index on that column, so the other one is walked.
  const std::string period =
      by_period ? " FROM cases WHERE +region_path>=?1 AND +region_path<?2 AND created_at>=?3 AND created_at<?4"
                : region + " AND +created_at>=?3 AND +created_at<?4";
  const std::vector<Bind> b4 = {path, hi, from, to}, b2 = {path, hi};
  auto timed = [&](const char* name, const std::string& sql, const std::vector<Bind>& binds, auto&& row) {
    const double t0 = bench::Now();
    Query(db, sql, binds, row);
    r.seconds.emplace_back(name, bench::Now() - t0);
  };
  timed("counts", std::string("SELECT ") + kCounts + period, b4, [&](sqlite3_stmt* s) { r.counts = CountsJson(s, 0); });
  timed("now", std::string("SELECT ") + kNow + region, b2, [&](sqlite3_stmt* s) {
    bench::Json j;
    j.Int("open", sqlite3_column_int64(s, 0))
        .Int("overdue", sqlite3_column_int64(s, 1))
        .Int("yellow", sqlite3_column_int64(s, 2));
    r.now = j.Dump();
  });
  auto keyed = [&](const char* name, const std::string& key, std::string& out) {
    bench::Json j;
    timed(name, "SELECT " + key + ", count(*)" + period + " GROUP BY 1", b4,
          [&](sqlite3_stmt* s) { j.Int(Text(s, 0), sqlite3_column_int64(s, 1)); });
    out = j.Dump();
  };
  keyed("by_channel", "channel", r.by_channel);
  keyed("by_class", "substr(category, 1, 2)", r.by_class);
  keyed("by_day", "date((created_at + 28800000) / 1000, 'unixepoch')", r.by_day);
  // Ranked rows: period counts and the state now of every child region / current organisation.
  auto ranked = [&](const char* name, const std::string& key, const std::string& extra, std::string& out) {
    std::string rows = "{";
    const std::string sql = "SELECT k, " + std::string(kPeriodCounts) + ", " + kNow + " FROM (SELECT " + key +
                            " AS k, created_at>=?3 AND created_at<?4 AS p, status, tally" + region + extra +
                            ") GROUP BY k";
    timed(name, sql, b4, [&](sqlite3_stmt* s) {
      const std::string k = Text(s, 0);
      if (k.empty()) return;
      bench::Json j;
      j.Raw("counts", CountsJson(s, 1))
          .Int("open", sqlite3_column_int64(s, 8))
          .Int("overdue", sqlite3_column_int64(s, 9));
      rows += (rows.size() > 1 ? ", " : "") + Quote(k) + ": " + j.Dump();
    });
    out = rows + "}";
  };
  const std::string rest = "substr(region_path, " + std::to_string(path.size() + 1) + ")";
  ranked("children", "substr(" + rest + ", 1, instr(" + rest + ", '/') - 1)", "", r.children);
  ranked("orgs", "org", " AND org IS NOT NULL AND org<>''", r.orgs);
  return r;
}

int Cockpit(const bench::Args& args) {
  Db db(args.Str("db"));
  const std::string path = args.Str("path");
  const long long from = args.Int("from", 0), to = args.Int("to", 0);
  const int runs = int(args.Int("runs", 3));
  // The queries restricted to the period walk whichever of the store's two indexes selects fewer rows: the
  // region's (region_path, id) or created_at. (Left to itself, SQLite, without ANALYZE statistics, takes
  // created_at even for one grid over a year.) Both counts come from covering indexes; they are not timed.
  const std::string hi = path + "\xff";
  long long in_region = 0, in_period = 0;
  Query(db, "SELECT count(*) FROM cases WHERE region_path>=?1 AND region_path<?2", {path, hi},
        [&](sqlite3_stmt* s) { in_region = sqlite3_column_int64(s, 0); });
  Query(db, "SELECT count(*) FROM cases WHERE created_at>=?1 AND created_at<?2", {from, to},
        [&](sqlite3_stmt* s) { in_period = sqlite3_column_int64(s, 0); });
  const bool by_period = in_period < in_region;
  CockpitResult result = RunCockpit(db, path, from, to, by_period);  // warm-up (page cache), and the result
  std::vector<double> totals;
  std::map<std::string, std::vector<double>> parts;
  for (int i = 0; i < runs; ++i) {
    const CockpitResult again = RunCockpit(db, path, from, to, by_period);
    double total = 0;
    for (const auto& [name, s] : again.seconds) {
      total += s;
      parts[name].push_back(s);
    }
    totals.push_back(total);
  }
  bench::Json seconds;
  for (auto& [name, v] : parts) seconds.Num(name, bench::Median(v));
  bench::Json plans;
  plans.Str("period_index", by_period ? "created_at" : "region_path")
      .Int("cases_in_region", in_region)
      .Int("cases_in_period_all_regions", in_period)
      .Str("sqlite_own_choice", db.Plan("SELECT count(*) FROM cases WHERE region_path>=?1 AND region_path<?2 AND "
                                        "created_at>=?3 AND created_at<?4",
                                        {path, hi, std::to_string(from), std::to_string(to)}));
  bench::Json out;
  out.Num("seconds", bench::Median(totals))
      .Raw("seconds_by_query", seconds.Dump())
      .Raw("plans", plans.Dump())
      .Raw("counts", result.counts)
      .Raw("now", result.now)
      .Raw("by_channel", result.by_channel)
      .Raw("by_class", result.by_class)
      .Raw("by_day", result.by_day)
      .Raw("children", result.children)
      .Raw("orgs", result.orgs);
  std::printf("%s\n", out.Dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bench::Args args(argc, argv);
  const std::string mode = args.positional().empty() ? "" : args.positional()[0];
  if (mode == "search") return Search(args);
  if (mode == "cockpit") return Cockpit(args);
  std::fprintf(stderr, "usage: sql_reference search|cockpit --db DB …\n");
  return 2;
}

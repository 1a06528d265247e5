#include "domain/cockpit/aggregates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <ostream>
#include <random>
#include <thread>

#include "domain/cases/case.h"
#include "domain/cases/lifecycle.h"
#include "reference/types.h"

namespace civicgrid::cockpit {

// Readable failures.
void PrintTo(const Counts& c, std::ostream* os) {
  *os << "{intake " << c.intake << " valid " << c.valid << " reached " << c.reached << " responded " << c.responded
      << " resolved " << c.resolved << " rated " << c.rated << " satisfied " << c.satisfied << "}";
}
void PrintTo(const RankRow& r, std::ostream* os) {
  *os << r.code << " ";
  PrintTo(r.counts, os);
  *os << " open " << r.open << " overdue " << r.overdue;
}

namespace {

using cases::Case;
using cases::CaseStatus;
using cases::Rating;
using Pairs = std::vector<std::pair<std::string, std::int64_t>>;

TimePoint At(const char* text) { return *ParseTime(text); }

Query Period(std::string region, const char* from, const char* to) { return {std::move(region), At(from), At(to)}; }

Counts MakeCounts(std::int64_t intake, std::int64_t valid, std::int64_t reached, std::int64_t responded,
                  std::int64_t resolved, std::int64_t rated, std::int64_t satisfied) {
  return {intake, valid, reached, responded, resolved, rated, satisfied};
}

constexpr char kPath[] = "/320923/320923001/32092300101/G01/";
const std::vector<std::string> kNodes = {"", "320923", "320923001", "32092300101", "G01"};

// One case through its life, checking every count and rate exactly at every step.
TEST(Aggregates, OneCaseThroughItsLife) {
  Aggregates agg;
  const Query day = Period("", "2026-11-24T00:00:00+08:00", "2026-11-25T00:00:00+08:00");
  auto summary = [&](const std::string& region) {
    Query q = day;
    q.region = region;
    return agg.Summarize(q);
  };

  Case v0;
  v0.id = cases::CaseId(7);
  v0.origin.channel = "12345";
  v0.origin.category = "06001";
  v0.origin.region_path = kPath;
  v0.created_at = At("2026-11-24T09:00:00+08:00");
  agg.Apply(nullptr, v0);
  EXPECT_EQ(agg.changes(), 1u);
  for (const auto& region : kNodes) {
    SCOPED_TRACE(region);
    const Summary s = summary(region);
    EXPECT_EQ(s.counts, MakeCounts(1, 1, 0, 0, 0, 0, 0));
    EXPECT_EQ(s.rates.response, std::nullopt);
    EXPECT_EQ(s.rates.resolution, 0.0);
    EXPECT_EQ(s.rates.satisfaction, std::nullopt);
    EXPECT_EQ(s.open, 1);
    EXPECT_EQ(s.overdue, 0);
    EXPECT_EQ(s.yellow, 0);
    EXPECT_EQ(s.by_channel, (Pairs{{"12345", 1}}));
    EXPECT_EQ(s.by_category, (Pairs{{"06", 1}}));
    EXPECT_EQ(s.by_day, (Pairs{{"2026-11-24", 1}}));
    EXPECT_TRUE(s.orgs.empty());  // nobody handles it yet
  }
  {
    const Summary root = summary("");
    ASSERT_EQ(root.children.size(), 1u);
    EXPECT_EQ(root.children[0].code, "320923");
    EXPECT_EQ(root.children[0].counts, MakeCounts(1, 1, 0, 0, 0, 0, 0));
    EXPECT_EQ(root.children[0].open, 1);
    EXPECT_EQ(summary("32092300101").children.at(0).code, "G01");
    EXPECT_TRUE(summary("G01").children.empty());
  }

  Case v1 = v0;  // dispatched, 2 hours to accept
  v1.status = CaseStatus::kDispatched;
  v1.org = "cgj";
  v1.dispatched_at = At("2026-11-24T09:05:00+08:00");
  v1.accept_by = At("2026-11-24T11:05:00+08:00");
  v1.timers["accept"] = {*v1.dispatched_at, *v1.accept_by, 0};
  agg.Apply(&v0, v1);
  for (const auto& region : kNodes) {
    SCOPED_TRACE(region);
    const Summary s = summary(region);
    EXPECT_EQ(s.counts, MakeCounts(1, 1, 1, 0, 0, 0, 0));
    EXPECT_EQ(s.rates.response, 0.0);
    ASSERT_EQ(s.orgs.size(), 1u);
    EXPECT_EQ(s.orgs[0], (RankRow{"cgj", s.counts, s.rates, 1, 0}));
  }

  Case v2 = v1;  // the accept reminder (yellow)
  v2.timers["accept"].stage = 1;
  agg.Apply(&v1, v2);
  EXPECT_EQ(summary("G01").yellow, 1);
  EXPECT_EQ(summary("").overdue, 0);

  Case v3 = v2;  // accepted in time
  v3.status = CaseStatus::kAccepted;
  v3.accepted_at = At("2026-11-24T10:30:00+08:00");
  v3.resolve_by = At("2026-12-01T10:30:00+08:00");
  v3.timers.clear();
  v3.timers["resolve"] = {*v3.accepted_at, *v3.resolve_by, 0};
  agg.Apply(&v2, v3);
  for (const auto& region : kNodes) {
    SCOPED_TRACE(region);
    const Summary s = summary(region);
    EXPECT_EQ(s.counts, MakeCounts(1, 1, 1, 1, 0, 0, 0));
    EXPECT_EQ(s.rates.response, 1.0);
    EXPECT_EQ(s.rates.resolution, 0.0);
    EXPECT_EQ(s.yellow, 0);
  }

  Case v4 = v3;  // the resolve deadline passes (red)
  v4.timers["resolve"].stage = 2;
  agg.Apply(&v3, v4);
  for (const auto& region : kNodes) {
    SCOPED_TRACE(region);
    const Summary s = summary(region);
    EXPECT_EQ(s.overdue, 1);
    EXPECT_EQ(s.yellow, 0);
    EXPECT_EQ(s.orgs.at(0).overdue, 1);
  }
  EXPECT_EQ(summary("").children.at(0).overdue, 1);

  Case v5 = v4;  // resolved
  v5.status = CaseStatus::kResolved;
  v5.resolved_at = At("2026-11-26T16:00:00+08:00");
  v5.timers.clear();
  agg.Apply(&v4, v5);
  for (const auto& region : kNodes) {
    SCOPED_TRACE(region);
    const Summary s = summary(region);
    EXPECT_EQ(s.counts, MakeCounts(1, 1, 1, 1, 1, 0, 0));
    EXPECT_EQ(s.rates.resolution, 1.0);
    EXPECT_EQ(s.overdue, 0);
    EXPECT_EQ(s.open, 1);  // resolved is still open until closed
  }

  Case v6 = v5;  // rated by the first reporter and two of three joined reporters
  v6.rating = Rating::kSatisfied;
  v6.joined.resize(3);
  v6.joined[0].rating = Rating::kBasicallySatisfied;
  v6.joined[1].rating = Rating::kDissatisfied;
  agg.Apply(&v5, v6);
  Case v7 = v6;  // closed
  v7.status = CaseStatus::kClosed;
  v7.closed_at = At("2026-11-27T09:00:00+08:00");
  agg.Apply(&v6, v7);
  EXPECT_EQ(agg.changes(), 8u);
  for (const auto& region : kNodes) {
    SCOPED_TRACE(region);
    const Summary s = summary(region);
    EXPECT_EQ(s.counts, MakeCounts(1, 1, 1, 1, 1, 3, 2));
    EXPECT_EQ(s.rates.response, 1.0);
    EXPECT_EQ(s.rates.resolution, 1.0);
    EXPECT_EQ(s.rates.satisfaction, 2.0 / 3.0);
    EXPECT_EQ(s.open, 0);
    EXPECT_EQ(s.orgs, (std::vector<RankRow>{{"cgj", s.counts, s.rates, 0, 0}}));
  }

  // Another period: nothing taken in, and a closed case leaves no row.
  Query before = Period("320923", "2026-11-23T00:00:00+08:00", "2026-11-24T00:00:00+08:00");
  const Summary s = agg.Summarize(before);
  EXPECT_EQ(s.counts, Counts{});
  EXPECT_EQ(s.rates, Rates{});
  EXPECT_TRUE(s.by_day.empty() && s.by_channel.empty() && s.by_category.empty());
  EXPECT_TRUE(s.children.empty() && s.orgs.empty());
  EXPECT_EQ(agg.Summarize({"no-such-region", before.from, day.to}), Summary{});
}

// A period is whole local days: those whose 00:00 Asia/Shanghai lies in [from, to).
TEST(Aggregates, LocalDays) {
  Aggregates agg;
  Case a;
  a.id = cases::CaseId(1);
  a.origin.region_path = "/c/";
  a.created_at = At("2026-11-24T23:59:59.999+08:00");
  Case b = a;
  b.id = cases::CaseId(2);
  b.created_at = At("2026-11-24T16:00:00Z");  // 2026-11-25 00:00 local
  agg.Apply(nullptr, a);
  agg.Apply(nullptr, b);
  auto days = [&](const char* from, const char* to) { return agg.Summarize(Period("c", from, to)).by_day; };
  EXPECT_EQ(days("2026-11-24T00:00:00+08:00", "2026-11-26T00:00:00+08:00"),
            (Pairs{{"2026-11-24", 1}, {"2026-11-25", 1}}));
  EXPECT_EQ(days("2026-11-25T00:00:00+08:00", "2026-11-26T00:00:00+08:00"), (Pairs{{"2026-11-25", 1}}));
  EXPECT_EQ(days("2026-11-24T00:00:00.001+08:00", "2026-11-26T00:00:00+08:00"), (Pairs{{"2026-11-25", 1}}));
  EXPECT_EQ(days("2026-11-24T00:00:00+08:00", "2026-11-24T00:00:00.001+08:00"), (Pairs{{"2026-11-24", 1}}));
  EXPECT_EQ(days("2026-11-24T00:00:00+08:00", "2026-11-24T00:00:00+08:00"), Pairs{});
  EXPECT_EQ(days("2026-11-26T00:00:00+08:00", "2026-11-24T00:00:00+08:00"), Pairs{});
}

TEST(Aggregates, RankingOrder) {
  Aggregates agg;
  std::int64_t next = 1;
  // Per child: valid cases, how many resolved, ratings (satisfied or not).
  auto add = [&](const std::string& child, bool resolved, std::optional<Rating> rating, const std::string& org) {
    Case c;
    c.id = cases::CaseId(next++);
    c.origin.region_path = "/p/" + child + "/";
    c.org = org;
    c.created_at = At("2026-03-01T12:00:00+08:00");
    if (resolved) c.resolved_at = c.created_at + hours{5};
    c.rating = rating;
    agg.Apply(nullptr, c);
  };
  add("a", true, Rating::kDissatisfied, "o1");  // resolution 1, satisfaction 0
  add("b", true, Rating::kSatisfied, "o2");     // resolution 1, satisfaction 1
  add("c", false, std::nullopt, "o3");          // resolution 0
  add("d", true, std::nullopt, "o2");           // resolution 1, no rating
  add("e", true, Rating::kSatisfied, "o2");     // ties b: by code
  Case invalid;                                 // f: no valid case, resolution nullopt
  invalid.id = cases::CaseId(next++);
  invalid.origin.region_path = "/p/f/";
  invalid.status = CaseStatus::kInvalid;
  invalid.created_at = At("2026-03-01T12:00:00+08:00");
  agg.Apply(nullptr, invalid);

  const Summary s = agg.Summarize(Period("p", "2026-01-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00"));
  std::vector<std::string> order;
  for (const auto& r : s.children) order.push_back(r.code);
  EXPECT_EQ(order, (std::vector<std::string>{"b", "e", "a", "d", "c", "f"}));
  ASSERT_EQ(s.orgs.size(), 3u);
  EXPECT_EQ(s.orgs[0].code, "o2");  // resolution 1, satisfaction 1 (2 of 2)
  EXPECT_EQ(s.orgs[0].counts, MakeCounts(3, 3, 0, 0, 3, 2, 2));
  EXPECT_EQ(s.orgs[1].code, "o1");
  EXPECT_EQ(s.orgs[2].code, "o3");
  EXPECT_EQ(CategoryClass("01001"), "01");
  EXPECT_EQ(CategoryClass("25"), "25");
}

// Dates far apart cost little, and absurd ones are kept within 1900–2199 rather than breaking the index.
TEST(Aggregates, FarDates) {
  Aggregates agg;
  const std::vector<TimePoint> dates = {TimePoint{}, At("2026-11-24T09:00:00+08:00"), TimePoint::max(),
                                        TimePoint::min()};
  std::int64_t id = 1;
  for (TimePoint t : dates) {
    Case c;
    c.id = cases::CaseId(id++);
    c.origin.region_path = "/c/";
    c.created_at = t;
    agg.Apply(nullptr, c);
  }
  EXPECT_EQ(agg.Summarize({"c", TimePoint::min(), TimePoint::max()}).counts.intake, 4);
  EXPECT_EQ(agg.Summarize(Period("c", "1970-01-01T00:00:00+08:00", "2100-01-01T00:00:00+08:00")).by_day,
            (Pairs{{"1970-01-01", 1}, {"2026-11-24", 1}}));
}

// Region codes are unique, so a path naming one twice is malformed: its case still counts once there.
TEST(Aggregates, RepeatedCodeInPathCountsOnce) {
  Aggregates agg;
  Case c;
  c.id = cases::CaseId(1);
  c.origin.region_path = "/a/b/a/";
  c.created_at = At("2026-03-01T12:00:00+08:00");
  agg.Apply(nullptr, c);
  const Summary s = agg.Summarize(Period("a", "2026-03-01T00:00:00+08:00", "2026-03-02T00:00:00+08:00"));
  EXPECT_EQ(s.counts.intake, 1);
  EXPECT_EQ(s.open, 1);
  ASSERT_EQ(s.children.size(), 1u);
  EXPECT_EQ(s.children[0].code, "b");
}

// ---- Randomized: the aggregates against a brute-force scan of the final rows ----

const std::vector<std::string> kPaths = {"/c1/t1/m1/g1/", "/c1/t1/m1/g2/", "/c1/t1/m2/g3/", "/c1/t2/m3/g4/",
                                         "/c1/t2/m3/",    "/c1/",          "/c2/t9/g9/",    ""};
const std::vector<std::string> kChannels = {
    "12345", "grid_patrol", "city_management", "resident", "window", "visit", "open311", "x1", "x2", "x3"};
const std::vector<std::string> kCategories = {"01001", "01", "02004", "06001", "11002", "25", ""};
const std::vector<std::string> kOrgs = {"", "cgj", "zjj", "town1", "comm1", "comm2"};
const std::vector<std::string> kTimers = {"accept", "resolve", "follow_up", "supervision"};
const TimePoint kBase = At("2026-01-01T00:00:00+08:00");
constexpr std::int64_t kDayMs = 86'400'000;

class RandomCases {
 public:
  explicit RandomCases(std::uint64_t seed) : rng_(seed) {}

  // A random version of case `id`; a later version usually keeps what intake set.
  Case Next(std::int64_t id, const Case* previous) {
    Case c;
    c.id = cases::CaseId(id);
    if (previous && Chance(0.9)) {
      c.origin = previous->origin;
      c.created_at = previous->created_at;
    } else {
      c.origin.region_path = Pick(kPaths);
      c.origin.channel = Pick(kChannels);
      c.origin.category = Pick(kCategories);
      c.created_at = kBase + milliseconds{Int(0, 40 * kDayMs)};
      if (Chance(0.1)) c.created_at = kBase + milliseconds{Int(0, 40) * kDayMs + Int(-1, 1)};  // at midnight
    }
    c.status = static_cast<CaseStatus>(Int(0, 6));
    c.org = Pick(kOrgs);
    const auto t = [&] { return c.created_at + milliseconds{Int(0, 5 * kDayMs)}; };
    if (Chance(0.6)) c.dispatched_at = t();
    if (Chance(0.5)) c.accepted_at = t();
    if (Chance(0.6)) c.accept_by = Chance(0.2) && c.accepted_at ? *c.accepted_at : t();
    if (Chance(0.4)) c.resolved_at = t();
    if (Chance(0.4)) c.rating = static_cast<Rating>(Int(0, 2));
    c.joined.resize(size_t(Int(0, 3)));
    for (auto& j : c.joined)
      if (Chance(0.5)) j.rating = static_cast<Rating>(Int(0, 2));
    for (const auto& name : kTimers)
      if (Chance(0.3)) c.timers[name] = {c.created_at, t(), int(Int(0, 3))};
    return c;
  }

  std::int64_t Int(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  const std::string& Pick(const std::vector<std::string>& v) { return v[size_t(Int(0, std::int64_t(v.size()) - 1))]; }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

// Independent of the module: civil date from days since 1970-01-01 (H. Hinnant's algorithm).
std::string DayText(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", (long long)y, (long long)m, (long long)d);
  return buf;
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::optional<double> Ratio(std::int64_t n, std::int64_t d) {
  return d ? std::optional<double>(double(n) / double(d)) : std::nullopt;
}

Summary BruteForce(const std::vector<Case>& rows, const Query& q) {
  constexpr std::int64_t kOffset = 8 * 3'600'000;
  Summary s;
  std::map<std::string, std::int64_t> channels, classes, by_day;
  std::map<std::string, RankRow> children, orgs;
  for (const Case& c : rows) {
    std::vector<std::string> segments;
    std::string segment;
    for (char ch : c.origin.region_path) {
      if (ch != '/') {
        segment += ch;
      } else if (!segment.empty()) {
        segments.push_back(segment);
        segment.clear();
      }
    }
    std::optional<std::string> child;
    if (q.region.empty()) {
      if (!segments.empty()) child = segments[0];
    } else {
      auto at = std::find(segments.begin(), segments.end(), q.region);
      if (at == segments.end()) continue;
      if (at + 1 != segments.end()) child = *(at + 1);
    }
    const std::int64_t day = FloorDiv(ToMillis(c.created_at) + kOffset, kDayMs);
    const std::int64_t day_start = day * kDayMs - kOffset;
    const bool in_period = ToMillis(q.from) <= day_start && day_start < ToMillis(q.to);

    Counts k;
    k.intake = 1;
    k.valid = c.status != CaseStatus::kInvalid && c.status != CaseStatus::kMerged;
    k.reached = c.dispatched_at || c.accepted_at;
    k.responded = c.accepted_at && c.accept_by && !(*c.accept_by < *c.accepted_at);
    k.resolved = k.valid && (c.resolved_at || c.status == CaseStatus::kClosed);
    std::vector<std::optional<Rating>> ratings{c.rating};
    for (const auto& j : c.joined) ratings.push_back(j.rating);
    for (const auto& r : ratings) {
      if (!r) continue;
      k.rated += 1;
      k.satisfied += *r != Rating::kDissatisfied;
    }
    const bool open = cases::IsOpen(c);
    const auto light = cases::LightOf(c);
    const bool red = light == cases::Light::kRed;

    s.open += open;
    s.overdue += red;
    s.yellow += light == cases::Light::kYellow;
    auto add = [&](Counts& to) {
      to.intake += k.intake;
      to.valid += k.valid;
      to.reached += k.reached;
      to.responded += k.responded;
      to.resolved += k.resolved;
      to.rated += k.rated;
      to.satisfied += k.satisfied;
    };
    auto add_row = [&](std::map<std::string, RankRow>& rows_by_code, const std::string& code) {
      RankRow& row = rows_by_code[code];
      row.code = code;
      if (in_period) add(row.counts);
      row.open += open;
      row.overdue += red;
    };
    if (child) add_row(children, *child);
    if (!c.org.empty()) add_row(orgs, c.org);
    if (!in_period) continue;
    add(s.counts);
    channels[c.origin.channel] += 1;
    classes[c.origin.category.size() > 2 ? c.origin.category.substr(0, 2) : c.origin.category] += 1;
    by_day[DayText(day)] += 1;
  }
  auto rates = [](const Counts& c) {
    return Rates{Ratio(c.responded, c.reached), Ratio(c.resolved, c.valid), Ratio(c.satisfied, c.rated)};
  };
  s.rates = rates(s.counts);
  auto by_count = [](const std::map<std::string, std::int64_t>& m) {
    Pairs out(m.begin(), m.end());
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
  };
  s.by_channel = by_count(channels);
  s.by_category = by_count(classes);
  s.by_day.assign(by_day.begin(), by_day.end());
  auto ranked = [&](const std::map<std::string, RankRow>& m) {
    std::vector<RankRow> out;
    for (auto [code, row] : m) {
      if (row.counts.intake == 0 && row.open == 0 && row.overdue == 0) continue;
      row.rates = rates(row.counts);
      out.push_back(row);
    }
    // Keys: resolution, then satisfaction, descending with nullopt last (as -1); map order gives the code.
    std::stable_sort(out.begin(), out.end(), [](const RankRow& a, const RankRow& b) {
      const auto key = [](const RankRow& r) {
        return std::pair(r.rates.resolution.value_or(-1), r.rates.satisfaction.value_or(-1));
      };
      return key(a) > key(b);
    });
    return out;
  };
  s.children = ranked(children);
  s.orgs = ranked(orgs);
  return s;
}

std::vector<Query> RandomQueries() {
  std::vector<Query> out;
  const std::vector<std::string> regions = {"", "c1", "t1", "t2", "m1", "m3", "g1", "g4", "c2", "g9", "nowhere"};
  const std::vector<std::pair<TimePoint, TimePoint>> periods = {
      {kBase - days{2}, kBase + days{50}},                         // everything
      {kBase + days{3}, kBase + days{4}},                          // one day
      {kBase + days{10} + hours{5}, kBase + days{17} + hours{5}},  // a week, not at midnight
      {kBase + days{20} - milliseconds{1}, kBase + days{20}},      // just before a day's start: nothing
      {kBase + days{20}, kBase + days{20} + milliseconds{1}},      // a day's start: that day
      {kBase + days{5}, kBase + days{5}},                          // empty
      {kBase + days{30}, kBase + days{5}},                         // reversed
  };
  for (const auto& r : regions)
    for (const auto& [from, to] : periods) out.push_back({r, from, to});
  return out;
}

void ExpectSame(const Aggregates& agg, const std::vector<Case>& rows) {
  for (const Query& q : RandomQueries()) {
    SCOPED_TRACE("region '" + q.region + "' from " + FormatTime(q.from) + " to " + FormatTime(q.to));
    const Summary want = BruteForce(rows, q);
    const Summary got = agg.Summarize(q);
    EXPECT_EQ(got.counts, want.counts);
    EXPECT_EQ(got.rates, want.rates);
    EXPECT_EQ(got.open, want.open);
    EXPECT_EQ(got.overdue, want.overdue);
    EXPECT_EQ(got.yellow, want.yellow);
    EXPECT_EQ(got.by_channel, want.by_channel);
    EXPECT_EQ(got.by_category, want.by_category);
    EXPECT_EQ(got.by_day, want.by_day);
    EXPECT_EQ(got.children, want.children);
    EXPECT_EQ(got.orgs, want.orgs);
  }
}

TEST(Aggregates, RandomAgainstBruteForce) {
  RandomCases gen(20261124);
  constexpr int kCases = 3000;
  std::vector<std::vector<Case>> versions(kCases);
  std::vector<int> turns;  // one entry per change of a case; shuffled across cases, in order within one
  for (int i = 0; i < kCases; ++i) {
    const int n = int(gen.Int(1, 6));
    for (int v = 0; v < n; ++v) {
      versions[i].push_back(gen.Next(i + 1, v ? &versions[i].back() : nullptr));
      turns.push_back(i);
    }
  }
  std::shuffle(turns.begin(), turns.end(), gen.rng());

  Aggregates agg;
  std::vector<size_t> next(kCases, 0);
  for (int i : turns) {
    const size_t v = next[i]++;
    agg.Apply(v ? &versions[i][v - 1] : nullptr, versions[i][v]);
  }
  EXPECT_EQ(agg.changes(), turns.size());
  std::vector<Case> final_rows;
  for (const auto& vs : versions) final_rows.push_back(vs.back());
  ExpectSame(agg, final_rows);

  // Pure add/subtract: even the changes of one case in any order give the same result.
  std::vector<std::pair<const Case*, const Case*>> changes;
  for (const auto& vs : versions)
    for (size_t v = 0; v < vs.size(); ++v) changes.emplace_back(v ? &vs[v - 1] : nullptr, &vs[v]);
  std::shuffle(changes.begin(), changes.end(), gen.rng());
  Aggregates any_order;
  for (const auto& [before, after] : changes) any_order.Apply(before, *after);
  ExpectSame(any_order, final_rows);

  // Every case merged away: nothing valid, resolved or open remains, whatever the order it came in.
  for (const Case& c : final_rows) {
    Case gone = c;
    gone.status = CaseStatus::kMerged;
    agg.Apply(&c, gone);
  }
  const Summary s = agg.Summarize({"", kBase - days{2}, kBase + days{50}});
  EXPECT_EQ(s.counts.valid, 0);
  EXPECT_EQ(s.counts.resolved, 0);
  EXPECT_EQ(s.open, 0);
}

// Concurrency smoke test: writers on disjoint cases while a reader summarizes; the reader always sees one
// consistent state (the root's intake is the sum of its children's), and the end matches a brute force.
TEST(Aggregates, ConcurrentApplyAndSummarize) {
  constexpr int kThreads = 4, kPerThread = 1500;
  std::vector<std::vector<std::vector<Case>>> work(kThreads);
  std::vector<Case> final_rows;
  RandomCases gen(7);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      std::vector<Case> vs;
      const int n = int(gen.Int(1, 4));
      for (int v = 0; v < n; ++v) {
        Case c = gen.Next(t * kPerThread + i + 1, v ? &vs.back() : nullptr);
        if (c.origin.region_path.empty()) c.origin.region_path = "/c3/";
        vs.push_back(std::move(c));
      }
      final_rows.push_back(vs.back());
      work[t].push_back(std::move(vs));
    }
  }
  Aggregates agg;
  std::atomic<int> running{kThreads};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (const auto& vs : work[t])
        for (size_t v = 0; v < vs.size(); ++v) agg.Apply(v ? &vs[v - 1] : nullptr, vs[v]);
      running.fetch_sub(1);
    });
  }
  const Query all{"", kBase - days{2}, kBase + days{50}};
  int reads = 0;
  std::uint64_t last = 0;
  bool consistent = true, monotonic = true;
  do {
    const std::uint64_t seen = agg.changes();
    monotonic &= seen >= last;
    last = seen;
    const Summary s = agg.Summarize(all);
    std::int64_t children = 0;
    for (const auto& r : s.children) children += r.counts.intake;
    consistent &= children == s.counts.intake;
    ++reads;
  } while (running.load() > 0);
  for (auto& w : writers) w.join();
  EXPECT_TRUE(consistent);
  EXPECT_TRUE(monotonic);
  EXPECT_GT(reads, 0);
  ExpectSame(agg, final_rows);
}

}  // namespace
}  // namespace civicgrid::cockpit

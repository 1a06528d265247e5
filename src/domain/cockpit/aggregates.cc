#include "domain/cockpit/aggregates.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>

#include "calendar/calendar.h"
#include "domain/cases/case.h"
#include "domain/cases/case_store.h"
#include "domain/cases/lifecycle.h"
#include "reference/types.h"

namespace civicgrid::cockpit {
namespace {

using Id = std::uint32_t;
constexpr Id kNoOrg = ~Id{0};

// Counters of one case, or of one (region, day). 32 bits: a whole county takes in far fewer than 2^31 a day.
enum Field { kIntake, kValid, kReached, kResponded, kResolved, kRated, kSatisfied, kFields };
struct Counts32 {
  std::array<std::int32_t, kFields> v{};
  bool operator==(const Counts32&) const = default;
};

void AddTo(Counts& out, const Counts32& c) {
  out.intake += c.v[kIntake];
  out.valid += c.v[kValid];
  out.reached += c.v[kReached];
  out.responded += c.v[kResponded];
  out.resolved += c.v[kResolved];
  out.rated += c.v[kRated];
  out.satisfied += c.v[kSatisfied];
}

bool IsZero(const Counts32& c) {
  for (auto x : c.v)
    if (x != 0) return false;
  return true;
}

// Entries of a day cell, in 32-bit words: (key, n) and (org, 7 counters).
constexpr std::uint32_t kKeyWords = 2, kOrgWords = 1 + kFields;

// The first of n entries of `stride` words whose leading word is not below id. Branch-free: a mispredicted
// branch per step costs more than the search on these small lists.
std::uint32_t LowerBound(const std::uint32_t* base, std::uint32_t n, std::uint32_t stride, Id id) {
  if (n == 0) return 0;
  std::uint32_t lo = 0;
  while (n > 1) {
    const std::uint32_t half = n / 2;
    lo = base[(lo + half) * stride] < id ? lo + half : lo;
    n -= half;
  }
  return lo + (base[lo * stride] < id);
}

// One region's day: its counters, and in a single allocation of 32-bit words first the (key, n) pairs of
// its channel and class intake, sorted by key (class id << 1, channel id << 1 | 1), then its (org, 7 counters)
// groups, sorted by org. Words rather than structs so both kinds share one block (one cache miss, one malloc)
// without type punning. 48 bytes: there are (regions × days) of them.
class DayCell {
 public:
  DayCell() = default;
  DayCell(const DayCell&) = delete;
  DayCell& operator=(const DayCell&) = delete;
  DayCell(DayCell&& o) noexcept { *this = std::move(o); }
  DayCell& operator=(DayCell&& o) noexcept {
    std::swap(counts, o.counts);
    std::swap(cap_, o.cap_);
    std::swap(words_, o.words_);
    std::swap(n_keys_, o.n_keys_);
    std::swap(n_orgs_, o.n_orgs_);
    return *this;
  }
  ~DayCell() { std::free(words_); }

  std::uint32_t keys() const { return n_keys_; }
  Id key(std::uint32_t i) const { return words_[i * kKeyWords]; }
  std::int32_t key_count(std::uint32_t i) const { return std::int32_t(words_[i * kKeyWords + 1]); }
  std::uint32_t orgs() const { return n_orgs_; }
  // words [0] the org id, [1 + field] its counters
  const std::uint32_t* org_entry(std::uint32_t j) const { return words_ + n_keys_ * kKeyWords + j * kOrgWords; }

  void AddKey(Id key, std::int32_t n) {
    const std::uint32_t i = LowerBound(words_, n_keys_, kKeyWords, key);
    if (i < n_keys_ && words_[i * kKeyWords] == key) {
      if ((words_[i * kKeyWords + 1] += std::uint32_t(n)) == 0) {
        Erase(i * kKeyWords, kKeyWords);
        --n_keys_;
      }
      return;
    }
    std::uint32_t* e = Insert(i * kKeyWords, kKeyWords);
    e[0] = key;
    e[1] = std::uint32_t(n);
    ++n_keys_;
  }

  void AddOrg(Id org, const Counts32& delta) {
    const std::uint32_t base = n_keys_ * kKeyWords;
    const std::uint32_t j = LowerBound(words_ + base, n_orgs_, kOrgWords, org);
    std::uint32_t at = base + j * kOrgWords;
    if (j == n_orgs_ || words_[at] != org) {
      std::uint32_t* e = Insert(at, kOrgWords);
      e[0] = org;
      std::fill(e + 1, e + kOrgWords, 0u);
      ++n_orgs_;
    }
    std::uint32_t* e = words_ + at;
    bool zero = true;
    for (int f = 0; f < kFields; ++f) zero &= (e[1 + f] += std::uint32_t(delta.v[f])) == 0;
    if (zero) {
      Erase(at, kOrgWords);
      --n_orgs_;
    }
  }

  // The lines the binary searches start on: the middle of the keys and of the orgs, and their first lines.
  void Prefetch() const {
    if (!words_) return;
    const std::uint32_t orgs = n_keys_ * kKeyWords;
    for (std::uint32_t w : {0u, orgs / 2, orgs, orgs + n_orgs_ / 2 * kOrgWords}) __builtin_prefetch(words_ + w, 1);
  }

  Counts32 counts;

 private:
  std::uint32_t Used() const { return n_keys_ * kKeyWords + n_orgs_ * kOrgWords; }
  // Opens a gap of n words at `at`.
  std::uint32_t* Insert(std::uint32_t at, std::uint32_t n) {
    const std::uint32_t used = Used();
    if (used + n > cap_) {
      const std::uint32_t cap = std::max({used + n, cap_ + cap_ / 2, kKeyWords * 2 + kOrgWords});
      void* p = std::realloc(static_cast<void*>(words_), size_t(cap) * sizeof(std::uint32_t));
      if (!p) throw std::bad_alloc();
      words_ = static_cast<std::uint32_t*>(p);
      cap_ = cap;
    }
    std::memmove(words_ + at + n, words_ + at, (used - at) * sizeof(std::uint32_t));
    return words_ + at;
  }
  void Erase(std::uint32_t at, std::uint32_t n) {
    std::memmove(words_ + at, words_ + at + n, (Used() - at - n) * sizeof(std::uint32_t));
  }

  std::uint32_t cap_ = 0;
  std::uint32_t* words_ = nullptr;
  std::uint32_t n_keys_ = 0, n_orgs_ = 0;
};

static_assert(sizeof(DayCell) == 48);

void AddWords(Counts& out, const std::uint32_t* c) {
  out.intake += std::int32_t(c[kIntake]);
  out.valid += std::int32_t(c[kValid]);
  out.reached += std::int32_t(c[kReached]);
  out.responded += std::int32_t(c[kResponded]);
  out.resolved += std::int32_t(c[kResolved]);
  out.rated += std::int32_t(c[kRated]);
  out.satisfied += std::int32_t(c[kSatisfied]);
}

struct OrgNow {
  Id org;
  std::int32_t open, overdue;
};

// What a region holds now, whatever the period.
struct NodeNow {
  std::int64_t open = 0, overdue = 0, yellow = 0;
  std::vector<OrgNow> orgs;  // sorted by org: open or overdue cases per current org
};

struct Node {
  std::string code;
  std::vector<Id> children;  // sorted
};

// Strings to dense ids. Open addressing over (hash, id, where the text is) with the texts back to back: a
// lookup costs a probe and one comparison, no allocation, and few cache lines (it runs 4 times per change).
class Interner {
 public:
  Interner() : slots_(16) {}

  Id Intern(std::string_view s) {
    const std::uint64_t hash = std::hash<std::string_view>{}(s);
    size_t i = Probe(s, hash);
    if (slots_[i].id != kEmpty) return slots_[i].id;
    const Id id = Id(names_.size());
    names_.push_back({text_.size(), s.size()});
    text_.append(s);
    slots_[i] = {hash, id, std::uint32_t(s.size()), names_.back().first};
    if (names_.size() * 2 > slots_.size()) Grow();
    return id;
  }
  std::optional<Id> Find(std::string_view s) const {
    const Slot& slot = slots_[Probe(s, std::hash<std::string_view>{}(s))];
    if (slot.id == kEmpty) return std::nullopt;
    return slot.id;
  }
  std::string Name(Id id) const { return text_.substr(names_[id].first, names_[id].second); }
  size_t size() const { return names_.size(); }

 private:
  static constexpr Id kEmpty = ~Id{0};
  struct Slot {
    std::uint64_t hash = 0;
    Id id = kEmpty;
    std::uint32_t size = 0;
    size_t offset = 0;
  };
  // The slot holding s, or the empty slot where it would go.
  size_t Probe(std::string_view s, std::uint64_t hash) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = size_t(hash) & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.id == kEmpty) return i;
      if (slot.hash == hash && slot.size == s.size() && std::string_view(text_).substr(slot.offset, slot.size) == s)
        return i;
    }
  }
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.id == kEmpty) continue;
      size_t i = size_t(slot.hash) & mask;
      while (slots_[i].id != kEmpty) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;  // a power of two, at most half full
  std::string text_;
  std::vector<std::pair<size_t, size_t>> names_;  // by id: offset and size in text_
};

// What one version of a case adds to the aggregates. The views point into the case.
struct Contribution {
  // The numbers first: == compares in this order, and they differ more often than the strings.
  Counts32 counts;
  bool open = false;
  cases::Light light = cases::Light::kNone;
  std::int32_t day = 0;
  std::string_view path, channel, klass, org;
  bool operator==(const Contribution&) const = default;
};

// Days as numbers since 1970-01-01. A case's date is kept within these bounds so that one absurd created_at
// cannot make the day index span millions of days; real dates are far inside them.
constexpr std::int32_t kMinDay = -25567;  // 1900-01-01
constexpr std::int32_t kMaxDay = 84005;   // 2199-12-31

std::int32_t DayOf(TimePoint t) {
  if (t <= FromMillis(std::int64_t(kMinDay) * 86'400'000)) return kMinDay;  // and no overflow below
  if (t >= FromMillis(std::int64_t(kMaxDay) * 86'400'000)) return kMaxDay;
  const auto day = calendar::WorkCalendar::LocalDate(t).time_since_epoch().count();
  return std::int32_t(std::clamp<std::int64_t>(day, kMinDay, kMaxDay));
}

// The first local day starting at or after t: days are counted when their 00:00 lies in [from, to).
std::int32_t FirstDayFrom(TimePoint t) {
  if (t <= FromMillis(std::int64_t(kMinDay) * 86'400'000)) return kMinDay;
  if (t > FromMillis(std::int64_t(kMaxDay) * 86'400'000)) return kMaxDay + 1;
  auto day = calendar::WorkCalendar::LocalDate(t);
  if (std::chrono::time_point_cast<milliseconds>(day) - kShanghaiOffset < t) day += days{1};
  return std::int32_t(day.time_since_epoch().count());
}

// One definition of the counts for both ways in: a case (Apply) and a stored digest (Load).
Contribution ContributionOf(std::string_view path, std::string_view channel, std::string_view category,
                            std::string_view org, TimePoint created_at, cases::CaseStatus status,
                            const cases::Tally& t) {
  using cases::CaseStatus;
  Contribution out;
  out.path = path;
  out.channel = channel;
  out.klass = CategoryClass(category);
  out.org = org;
  out.day = DayOf(created_at);
  auto& v = out.counts.v;
  v[kIntake] = 1;
  v[kValid] = status != CaseStatus::kInvalid && status != CaseStatus::kMerged;
  v[kReached] = t.reached;
  v[kResponded] = t.responded;
  v[kResolved] = t.resolved;
  v[kRated] = t.rated;
  v[kSatisfied] = t.satisfied;
  out.open = status != CaseStatus::kClosed && status != CaseStatus::kInvalid && status != CaseStatus::kMerged;
  out.light = t.light;
  return out;
}

Contribution ContributionOf(const cases::Case& c) {
  return ContributionOf(c.origin.region_path, c.origin.channel, c.origin.category, c.org, c.created_at, c.status,
                        cases::TallyOf(c));
}

// Where a contribution goes: interned ids and the day.
struct Keys {
  Id path = 0, channel = 0, klass = 0, org = kNoOrg;
  std::int32_t day = 0;
  bool operator==(const Keys&) const = default;
};

// What it changes there: period counters, the channel and class intake, the state now.
struct Delta {
  Counts32 counts;
  std::int32_t intake = 0, open = 0, red = 0, yellow = 0;
};

Delta DeltaOf(const Contribution& c, std::int32_t sign) {
  Delta d;
  for (int i = 0; i < kFields; ++i) d.counts.v[i] = sign * c.counts.v[i];
  d.intake = sign * c.counts.v[kIntake];
  d.open = c.open ? sign : 0;
  d.red = c.light == cases::Light::kRed ? sign : 0;
  d.yellow = c.light == cases::Light::kYellow ? sign : 0;
  return d;
}

void AddOrgNow(std::vector<OrgNow>& list, Id org, std::int32_t open, std::int32_t overdue) {
  // Branch-free lower bound: the root's and the county's lists hold every org and are searched on every change.
  size_t lo = 0, n = list.size();
  if (n > 0) {
    while (n > 1) {
      const size_t half = n / 2;
      lo = list[lo + half].org < org ? lo + half : lo;
      n -= half;
    }
    lo += list[lo].org < org;
  }
  auto it = list.begin() + std::ptrdiff_t(lo);
  if (it == list.end() || it->org != org) it = list.insert(it, OrgNow{org, 0, 0});
  it->open += open;
  it->overdue += overdue;
  if (it->open == 0 && it->overdue == 0) list.erase(it);
}

std::string FormatDay(std::int32_t day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{days{day}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
  return buf;
}

int CompareDesc(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return a ? -1 : 1;  // nullopt last
  if (!a || *a == *b) return 0;
  return *a > *b ? -1 : 1;
}

bool RankBefore(const RankRow& a, const RankRow& b) {
  if (int c = CompareDesc(a.rates.resolution, b.rates.resolution)) return c < 0;
  if (int c = CompareDesc(a.rates.satisfaction, b.rates.satisfaction)) return c < 0;
  return a.code < b.code;
}

void SortByCount(std::vector<std::pair<std::string, std::int64_t>>& v) {
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
}

}  // namespace

std::string_view CategoryClass(std::string_view category) { return category.substr(0, 2); }

Rates RatesOf(const Counts& c) {
  auto ratio = [](std::int64_t n, std::int64_t d) -> std::optional<double> {
    if (d == 0) return std::nullopt;
    return double(n) / double(d);
  };
  return {ratio(c.responded, c.reached), ratio(c.resolved, c.valid), ratio(c.satisfied, c.rated)};
}

struct Aggregates::State {
  std::vector<Node> nodes;   // index = id in `regions`; 0 is the root ""
  std::vector<NodeNow> now;  // by node
  Interner regions, channels, classes, orgs;
  Interner path_ids;
  std::vector<std::vector<Id>> paths;  // by path id: the nodes a path contributes to, root first
  // Day-major: days[d - first_day] holds one cell per region (null for a day without cases). A change touches
  // one column, and a day's column stays in cache while that day's cases come in (intake, a preload in id
  // order); a stray far-off date costs a null pointer per day between.
  std::int32_t first_day = 0;
  std::vector<std::unique_ptr<std::vector<DayCell>>> days;

  State() {
    regions.Intern("");
    nodes.emplace_back();
    now.emplace_back();
  }

  Id InternPath(std::string_view path) {
    if (auto id = path_ids.Find(path)) return *id;
    std::vector<Id> chain{0};
    for (size_t start = 0; start < path.size();) {
      size_t end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      if (end > start) {
        const Id id = regions.Intern(path.substr(start, end - start));
        if (id == nodes.size()) {
          nodes.emplace_back().code = regions.Name(id);
          now.emplace_back();
        }
        // A malformed path naming a region twice must not count its cases twice there.
        if (std::find(chain.begin(), chain.end(), id) == chain.end()) {
          auto& siblings = nodes[chain.back()].children;
          auto at = std::lower_bound(siblings.begin(), siblings.end(), id);
          if (at == siblings.end() || *at != id) siblings.insert(at, id);
          chain.push_back(id);
        }
      }
      start = end + 1;
    }
    paths.push_back(std::move(chain));
    return path_ids.Intern(path);  // == paths.size() - 1
  }

  // The day's column, created and sized to every region known.
  std::vector<DayCell>& Column(std::int32_t day) {
    if (days.empty()) {
      first_day = day;
    } else if (day < first_day) {
      std::vector<std::unique_ptr<std::vector<DayCell>>> grown(size_t(first_day - day) + days.size());
      std::move(days.begin(), days.end(), grown.end() - std::ptrdiff_t(days.size()));
      days.swap(grown);
      first_day = day;
    }
    const size_t index = size_t(day - first_day);
    if (index >= days.size()) days.resize(index + 1);
    auto& column = days[index];
    if (!column) column = std::make_unique<std::vector<DayCell>>();
    if (column->size() < nodes.size()) column->resize(nodes.size());
    return *column;
  }

  Keys Intern(const Contribution& c, const Contribution* like = nullptr, const Keys* like_keys = nullptr) {
    // The strings of a case's two versions are mostly the same: look each up once.
    const bool reuse = like != nullptr;
    Keys k;
    k.path = reuse && c.path == like->path ? like_keys->path : InternPath(c.path);
    k.channel = reuse && c.channel == like->channel ? like_keys->channel : channels.Intern(c.channel);
    k.klass = reuse && c.klass == like->klass ? like_keys->klass : classes.Intern(c.klass);
    k.org = reuse && c.org == like->org ? like_keys->org : c.org.empty() ? kNoOrg : orgs.Intern(c.org);
    k.day = c.day;
    return k;
  }

  void Change(const Contribution* sub, const Contribution& add) {
    const Keys ka = Intern(add);
    if (!sub) return Update(ka, DeltaOf(add, +1));
    const Keys ks = Intern(*sub, &add, &ka);
    if (ks == ka) {  // the usual update: same region, day, channel, class and org; only the state moved
      Delta d = DeltaOf(add, +1);
      const Delta minus = DeltaOf(*sub, -1);
      for (int i = 0; i < kFields; ++i) d.counts.v[i] += minus.counts.v[i];
      d.intake = 0;
      d.open += minus.open;
      d.red += minus.red;
      d.yellow += minus.yellow;
      return Update(ka, d);
    }
    Update(ks, DeltaOf(*sub, -1));
    Update(ka, DeltaOf(add, +1));
  }

  void Update(const Keys& k, const Delta& d) {
    const std::vector<Id>& chain = paths[k.path];
    std::vector<DayCell>& column = Column(k.day);
    const bool has_org = k.org != kNoOrg;
    const bool counts_move = !IsZero(d.counts);
    const bool org_now_moves = has_org && (d.open != 0 || d.red != 0);
    // A grid's cell, its community's … lie far apart: issue every load of a level before using any, so the
    // cache misses overlap instead of queueing.
    for (Id n : chain) {
      __builtin_prefetch(&column[n], 1);
      __builtin_prefetch(&now[n], 1);
    }
    for (Id n : chain) {
      if (d.intake != 0 || (has_org && counts_move)) column[n].Prefetch();
      if (org_now_moves) {
        const auto& list = now[n].orgs;
        const size_t bytes = std::min<size_t>(list.size() * sizeof(OrgNow), 512);
        for (size_t off = 0; off < bytes; off += 64)
          __builtin_prefetch(reinterpret_cast<const char*>(list.data()) + off, 1);
      }
    }
    for (Id n : chain) {
      DayCell& cell = column[n];
      if (counts_move) {
        for (int f = 0; f < kFields; ++f) cell.counts.v[f] += d.counts.v[f];
        if (has_org) cell.AddOrg(k.org, d.counts);
      }
      if (d.intake != 0) {
        cell.AddKey(k.channel << 1 | 1, d.intake);
        cell.AddKey(k.klass << 1, d.intake);
      }
      NodeNow& state = now[n];
      state.open += d.open;
      state.overdue += d.red;
      state.yellow += d.yellow;
      if (org_now_moves) AddOrgNow(state.orgs, k.org, d.open, d.red);
    }
  }

  // Calls fn(day, column) for the days in [d0, d1) that have a column.
  template <class F>
  void ForEachDay(std::int32_t d0, std::int32_t d1, F&& fn) const {
    const std::int64_t lo = std::max<std::int64_t>(d0, first_day);
    const std::int64_t hi = std::min<std::int64_t>(d1, std::int64_t(first_day) + std::int64_t(days.size()));
    for (std::int64_t day = lo; day < hi; ++day)
      if (const auto* column = days[size_t(day - first_day)].get()) fn(std::int32_t(day), *column);
  }
};

Aggregates::Aggregates() : state_(std::make_unique<State>()) {}
Aggregates::~Aggregates() = default;

void Aggregates::Apply(const cases::Case* before, const cases::Case& after) {
  // Computed before the lock: LightOf walks the timers.
  const Contribution add = ContributionOf(after);
  std::optional<Contribution> sub;
  if (before) sub = ContributionOf(*before);
  if (!sub || !(*sub == add)) {  // most events (contacted, reminded on a closed timer …) change nothing here
    common::WriterLock lock(mu_);
    state_->Change(sub ? &*sub : nullptr, add);
  }
  changes_.fetch_add(1, std::memory_order_acq_rel);
}

void Aggregates::Load(const cases::CaseDigest& d) {
  const Contribution add =
      ContributionOf(d.region_path, d.channel, d.category, d.org, d.created_at, d.status, cases::UnpackTally(d.tally));
  {
    common::WriterLock lock(mu_);
    state_->Change(nullptr, add);
  }
  changes_.fetch_add(1, std::memory_order_acq_rel);
}

Summary Aggregates::Summarize(const Query& q) const {
  Summary s;
  const std::int32_t d0 = FirstDayFrom(q.from), d1 = FirstDayFrom(q.to);
  std::vector<std::int32_t> day_ids;
  std::vector<std::int64_t> day_counts;
  {
    common::ReaderLock lock(mu_);
    const State& st = *state_;
    const auto found = st.regions.Find(q.region);
    if (!found) return s;
    const Id id = *found;
    const Node& node = st.nodes[id];
    const NodeNow& node_now = st.now[id];
    s.open = node_now.open;
    s.overdue = node_now.overdue;
    s.yellow = node_now.yellow;

    std::vector<std::int64_t> by_channel(st.channels.size()), by_class(st.classes.size());
    std::vector<Counts> by_org(st.orgs.size()), by_child(node.children.size());
    std::vector<bool> org_seen(st.orgs.size());
    std::vector<Id> org_list;
    auto see_org = [&](Id org) {
      if (!org_seen[org]) {
        org_seen[org] = true;
        org_list.push_back(org);
      }
    };
    std::vector<std::pair<std::int32_t, const std::vector<DayCell>*>> columns;
    st.ForEachDay(d0, d1, [&](std::int32_t day, const std::vector<DayCell>& column) {
      if (id < column.size()) columns.emplace_back(day, &column);  // else the region is newer than the day
    });
    // A region's cells lie one per column, far apart: fetch a few days ahead so the misses overlap.
    constexpr size_t kAhead = 4;
    auto prefetch_cells = [&](size_t i) {
      const auto& column = *columns[i].second;
      __builtin_prefetch(&column[id]);
      for (Id child : node.children)
        if (child < column.size()) __builtin_prefetch(&column[child]);
    };
    for (size_t i = 0; i < std::min(kAhead, columns.size()); ++i) prefetch_cells(i);
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i + kAhead < columns.size()) prefetch_cells(i + kAhead);
      if (i + kAhead / 2 < columns.size()) (*columns[i + kAhead / 2].second)[id].Prefetch();
      const auto& [day, column_ptr] = columns[i];
      const std::vector<DayCell>& column = *column_ptr;
      const DayCell& cell = column[id];
      AddTo(s.counts, cell.counts);
      if (cell.counts.v[kIntake] != 0) {
        day_ids.push_back(day);
        day_counts.push_back(cell.counts.v[kIntake]);
      }
      for (std::uint32_t k = 0; k < cell.keys(); ++k) {
        const Id key = cell.key(k);
        (key & 1 ? by_channel : by_class)[key >> 1] += cell.key_count(k);
      }
      for (std::uint32_t j = 0; j < cell.orgs(); ++j) {
        const std::uint32_t* e = cell.org_entry(j);
        see_org(e[0]);
        AddWords(by_org[e[0]], e + 1);
      }
      for (size_t c = 0; c < node.children.size(); ++c) {
        const Id child = node.children[c];
        if (child < column.size()) AddTo(by_child[c], column[child].counts);
      }
    }
    for (Id i = 0; i < by_channel.size(); ++i)
      if (by_channel[i] != 0) s.by_channel.emplace_back(st.channels.Name(i), by_channel[i]);
    for (Id i = 0; i < by_class.size(); ++i)
      if (by_class[i] != 0) s.by_category.emplace_back(st.classes.Name(i), by_class[i]);

    for (size_t c = 0; c < node.children.size(); ++c) {
      const Id child = node.children[c];
      RankRow row{st.nodes[child].code, by_child[c], {}, st.now[child].open, st.now[child].overdue};
      if (row.counts.intake != 0 || row.open != 0 || row.overdue != 0) s.children.push_back(std::move(row));
    }

    std::vector<OrgNow> org_now(st.orgs.size());
    for (const OrgNow& e : node_now.orgs) {
      see_org(e.org);
      org_now[e.org] = e;
    }
    for (Id org : org_list) {
      RankRow row{st.orgs.Name(org), by_org[org], {}, org_now[org].open, org_now[org].overdue};
      if (row.counts.intake != 0 || row.open != 0 || row.overdue != 0) s.orgs.push_back(std::move(row));
    }
  }
  // Outside the lock: formatting and sorting.
  s.rates = RatesOf(s.counts);
  SortByCount(s.by_channel);
  SortByCount(s.by_category);
  s.by_day.reserve(day_ids.size());
  for (size_t i = 0; i < day_ids.size(); ++i) s.by_day.emplace_back(FormatDay(day_ids[i]), day_counts[i]);
  for (auto* rows : {&s.children, &s.orgs}) {
    for (RankRow& r : *rows) r.rates = RatesOf(r.counts);
    std::sort(rows->begin(), rows->end(), RankBefore);
  }
  return s;
}

}  // namespace civicgrid::cockpit

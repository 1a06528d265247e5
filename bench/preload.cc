// Fills a store with N cases before the benchmarks, through civicgrid's own code: app::App opens the store in
// its non-durable bulk mode (the one `civicgrid init --demo` uses: WAL, synchronous=NORMAL instead of FULL),
// and many threads call CaseService::Intake and then move each case through its lifecycle with
// CaseService::Act (dispatch, accept, resolve, review, the follow-up rating, close), each step at its own
// moment, so every case is validated, located in its grid, given its deadlines and written (row, events,
// indexes, full-text index, cockpit tally) by the same store code the server runs, batched by its group
// commit. The rows are valid cases the server reads; `civicgrid check` folds them.
//
// Why the lifecycle: a year of cases left all `received` would be unlike any real store (the cockpit would see
// a million open, overdue cases) and, since every one of them has deadlines long past, a server started on it
// would spend its first minutes firing a million overdue alerts. Here the cases of the past year are closed as
// they would be (3% invalid; ratings 78% satisfied, 14% basically, 8% dissatisfied, which escalates to the
// town and goes round again); the steps that would fall after now are not taken, so the last days' cases are
// open at every stage, as on a real morning.
//
// The text is drawn from vocabularies with skewed (Zipf) frequencies so that full-text search meets realistic
// term frequencies: the category's own name (data/categories.csv), the real town, community and estate names
// of the demo counties, 24 road names, 60 complaint phrases (the commonest in ~21% of cases, the rarest in
// ~0.4%), time and consequence phrases, 40 rare phrases (each in ~0.01% of cases) and, in 2% of cases, a
// phrase with an English or Latin-letter word (KTV, ATM, LED, WiFi, App …).
//
// The store must hold reference data already (`civicgrid init --demo --demo-cases 0` gives three counties of
// grids and their organisations). Intake times are spread evenly over the `days` before now.
//
//   preload --data DIR --cases 1000000 [--threads 32] [--days 365] [--points-out FILE] [--points 20000]
//           [--lifecycle 1]
//
// Prints one JSON object (cases, seconds, rates, commands, the leaf category codes used).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "cli/app.h"
#include "common.h"
#include "geo/polygon.h"
#include "reference/geojson.h"

namespace {

using namespace civicgrid;

// Each preload thread plays its own case at that case's moments; a thread that never set a time (the store's
// writer) reads `fallback`.
class ThreadClock final : public Clock {
 public:
  explicit ThreadClock(TimePoint fallback) : fallback_(fallback) {}
  TimePoint Now() const override { return has_ ? now_ : fallback_; }
  static void Set(TimePoint t) {
    now_ = t;
    has_ = true;
  }

 private:
  TimePoint fallback_;
  static thread_local TimePoint now_;
  static thread_local bool has_;
};
thread_local TimePoint ThreadClock::now_{};
thread_local bool ThreadClock::has_ = false;

struct Grid {
  std::string code;
  geo::Box box;
  std::string county, town, unit, path;  // names (path: the grid's region_path)
  bool village = false;
  std::vector<std::string> estates;  // estates of the grid or of its community
  std::string town_org, unit_org;    // organisation codes ("" when none)
};

// A list sampled with Zipf weights 1/rank^s (rank 1 first).
class Zipf {
 public:
  Zipf(std::vector<std::string> items, double s) : items_(std::move(items)) {
    double sum = 0;
    for (size_t k = 0; k < items_.size(); ++k) cumulative_.push_back(sum += 1.0 / std::pow(double(k + 1), s));
    for (auto& c : cumulative_) c /= sum;
  }
  template <class R>
  const std::string& Pick(R& r) const {
    const double u = std::uniform_real_distribution<double>(0, 1)(r);
    size_t i = size_t(std::lower_bound(cumulative_.begin(), cumulative_.end(), u) - cumulative_.begin());
    return items_[std::min(i, items_.size() - 1)];
  }

 private:
  std::vector<std::string> items_;
  std::vector<double> cumulative_;
};

// Complaint phrases, commonest first (Zipf s=1 over 60: the first in ~21% of cases, the 5th ~4%, the last ~0.4%).
const Zipf kIssues({"噪声扰民",   "路灯不亮",     "垃圾未清运",     "违章停车",     "占道经营",   "路面坑洼",
                    "井盖缺失",   "污水外溢",     "楼道堆物",       "油烟扰民",     "树木遮挡",   "广告牌破损",
                    "下水道堵塞", "积水严重",     "电梯故障",       "漏水渗水",     "私搭乱建",   "宠物扰民",
                    "施工扬尘",   "绿化损毁",     "交通信号灯故障", "共享单车乱停", "围墙倒塌",   "供暖不热",
                    "突然停水",   "频繁停电",     "燃气异味",       "路面结冰",     "护栏损坏",   "消防通道堵塞",
                    "飞线充电",   "烧烤油烟",     "夜市喧哗",       "河道漂浮物",   "公厕脏乱",   "流浪狗聚集",
                    "野广告",     "渣土车撒漏",   "排水不畅",       "墙体开裂",     "门禁损坏",   "监控损坏",
                    "窨井冒水",   "公交站牌损坏", "盲道被占",       "路牌缺失",     "垃圾桶破损", "违规养殖",
                    "秸秆焚烧",   "噪声超标",     "黑车揽客",       "无证摊贩",     "物业不作为", "房屋漏雨",
                    "自来水浑浊", "水压不足",     "化肥异味",       "鞭炮燃放",     "树木倒伏",   "窗户玻璃脱落"},
                   1.0);
const Zipf kWhen({"夜间", "凌晨", "每天早上", "周末", "连续三天", "已持续一周", "近一个月来", "下雨天", "节假日期间",
                  "午休时间"},
                 0.8);
const Zipf kEffect({"影响居民休息", "存在安全隐患", "影响通行", "气味难闻", "多次反映未果", "影响周边商户经营",
                    "老人小孩出行不便", "群众意见较大", "已造成车辆受损", "影响孩子学习"},
                   0.8);
// Rare phrases: 0.5% of cases carry one of 40, so each is in ~0.0125% of cases.
const std::vector<std::string> kRare = {
    "化粪池冒顶", "马蜂窝",       "高空抛物",     "窨井盖被盗",     "流浪犬伤人",   "地面塌陷",   "古树被砍",
    "蛇出没",     "石狮子被撞倒", "鱼塘死鱼",     "电缆被盗",       "私设地锁",     "消防栓漏水", "渗滤液外流",
    "广场舞扰民", "空调外机滴水", "电表箱冒烟",   "变电箱异响",     "校车超载",     "公厕无水",   "楼顶违建花园",
    "老人走失",   "农田被占",     "水质发黑发臭", "外卖电动车逆行", "私拉电网",     "违规屠宰",   "非法采砂",
    "油罐车违停", "墓地违建",     "噪声计超标",   "鸽子扰民",       "井道积水发臭", "招牌坠落",   "电梯困人",
    "狗粪满地",   "违法排污",     "路基掏空",     "树上挂满垃圾",   "钢板松动"};
// Phrases with a Latin-letter word, in 2% of cases (Zipf s=1 over 10: KTV ~0.7%, SUV ~0.07%).
const Zipf kEnglish({"KTV噪声扰民", "ATM机吞卡", "LED屏夜间过亮", "小区WiFi信号中断", "共享单车App无法还车",
                     "5G基站施工扰民", "ETC车道故障", "PM2.5数值偏高", "GPS定位不准", "SUV长期占用消防通道"},
                    1.0);
const Zipf kRoads({"人民路", "解放路", "建设路",   "新华路", "文化路", "幸福路",   "和平路", "长江路",
                   "黄河路", "淮河路", "东环路",   "西环路", "府前路", "城南大道", "通榆路", "健康路",
                   "育才路", "工业路", "迎宾大道", "朝阳路", "康居路", "友谊路",   "青年路", "振兴路"},
                  0.8);
const char* kGroups[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵",
                           "吴", "周", "徐", "孙", "朱", "马", "胡", "郭"};
const char* kGiven[] = {"建国", "秀英", "伟", "芳", "敏", "静", "强", "磊",
                        "洋",   "艳",   "勇", "军", "杰", "娟", "涛", "明"};

struct Channel {
  const char* name;
  const char* actor;
  double share;
  bool external;
  const char* opener;
  const char* closer;
};
const std::vector<Channel> kChannels = {
    {"12345", "hotline.12345", 0.45, true, "市民来电反映：", "诉求人希望相关部门尽快核实处理。"},
    {"city_management", "szcg", 0.25, true, "监督员巡查上报：", "已现场拍照取证，请责任单位按时限处置。"},
    {"grid_patrol", "gw", 0.15, false, "网格员巡查发现：", "需上报处置。"},
    {"resident", "resident.app", 0.10, false, "居民随手拍反映：", "请尽快处理。"},
    {"window", "window", 0.05, false, "群众到政务服务中心窗口反映：", "要求给予答复。"}};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bench::Args args(argc, argv);
  const std::string data = args.Str("data");
  const long long total = args.Int("cases", 1000000);
  const int threads = int(args.Int("threads", 32));
  const int days = int(args.Int("days", 365));
  const std::string points_out = args.Str("points-out");
  const int npoints = int(args.Int("points", 20000));
  const bool lifecycle = args.Int("lifecycle", 1) != 0;
  if (data.empty()) {
    std::fprintf(stderr, "usage: preload --data DIR --cases N\n");
    return 2;
  }

  const TimePoint end = SystemClock().Now();
  const TimePoint begin = end - std::chrono::hours(24 * days);
  ThreadClock clock(end);
  app::AppOptions options;
  options.data_dir = data;
  options.durable = false;
  options.clock = &clock;
  auto opened = app::App::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "preload: %s\n", opened.error().message.c_str());
    return 1;
  }
  app::App& app = *opened.value();
  const auto dir = app.directory().Get();

  // Grids with their names and estates, and points inside them (checked with the directory's own lookup, at
  // the 1e-6° JSON precision).
  std::vector<Grid> grids;
  {
    auto regions = app.store().reference().LoadRegions();
    if (!regions.ok()) return 1;
    std::map<std::string, std::vector<std::string>> estates_of;  // parent code → estate names
    for (const auto& r : *regions)
      if (r.kind == reference::RegionKind::kEstate) estates_of[r.parent].push_back(r.name);
    for (const auto& r : *regions) {
      if (r.kind != reference::RegionKind::kGrid || r.geometry.empty()) continue;
      auto shape = reference::ParseGeometry(r.geometry);
      if (!shape.ok()) continue;
      Grid g{r.code, geo::Bounds(*shape), "", "", "", dir->PathOf(r.code), false, {}, "", ""};
      for (const auto& code : Split(g.path, '/')) {
        const reference::Region* p = dir->FindRegion(code);
        if (!p) continue;
        switch (p->kind) {
          case reference::RegionKind::kCounty: g.county = p->name; break;
          case reference::RegionKind::kTown:
          case reference::RegionKind::kStreet: g.town = p->name; break;
          case reference::RegionKind::kCommunity:
          case reference::RegionKind::kVillage:
            g.unit = p->name;
            g.village = p->kind == reference::RegionKind::kVillage;
            if (dir->FindOrg(p->code)) g.unit_org = p->code;
            break;
          default: break;
        }
        if (auto it = estates_of.find(code); it != estates_of.end())
          g.estates.insert(g.estates.end(), it->second.begin(), it->second.end());
      }
      if (const auto* o = dir->TownOrgOf(g.path)) g.town_org = o->code;
      grids.push_back(std::move(g));
    }
  }
  if (grids.empty()) {
    std::fprintf(stderr, "preload: the store has no grids; run `civicgrid init --demo --demo-cases 0` first\n");
    return 1;
  }
  std::mt19937_64 rng(20261124);
  struct Spot {
    geo::LonLat p;
    size_t grid;
  };
  std::vector<Spot> pool;
  for (int attempts = 0; int(pool.size()) < std::max(npoints, 1000) && attempts < 100 * npoints; ++attempts) {
    const size_t gi = rng() % grids.size();
    const Grid& g = grids[gi];
    std::uniform_real_distribution<double> ux(g.box.min_lon, g.box.max_lon), uy(g.box.min_lat, g.box.max_lat);
    const geo::LonLat p{std::round(ux(rng) * 1e6) / 1e6, std::round(uy(rng) * 1e6) / 1e6};
    const reference::Region* found = dir->LocateGrid(p);
    if (found && found->code == g.code) pool.push_back({p, gi});
  }
  if (!points_out.empty()) {
    std::ofstream out(points_out);
    out.precision(9);
    for (int i = 0; i < npoints && i < int(pool.size()); ++i)
      out << pool[size_t(i)].p.lon << " " << pool[size_t(i)].p.lat << "\n";
  }

  // Leaf categories (the ones intake accepts and cases carry).
  std::set<std::string> parents;
  for (const auto& c : dir->categories()) parents.insert(c.parent);
  std::vector<const reference::Category*> leaves;
  for (const auto& c : dir->categories())
    if (!c.parent.empty() && !parents.count(c.code)) leaves.push_back(&c);
  if (leaves.empty()) return 1;
  std::atomic<long long> next{0}, failed{0}, commands{0}, step_errors{0}, closed{0}, open_left{0};
  std::atomic<bool> stop{false};
  const auto span = end - begin;
  const double t0 = bench::Now();
  auto work = [&](int thread) {
    std::mt19937_64 r(std::uint64_t(thread) * 7919 + 1);
    std::uniform_real_distribution<double> u(0, 1);
    auto mins = [&](double lo, double hi) {
      return std::chrono::milliseconds(std::int64_t(60000 * (lo + (hi - lo) * u(r))));
    };
    for (;;) {
      const long long i = next.fetch_add(1);
      if (i >= total || stop) return;
      TimePoint t = begin + std::chrono::duration_cast<std::chrono::milliseconds>(span * (double(i) / double(total)));
      ThreadClock::Set(t);
      double x = u(r);
      size_t ch = 0;
      while (ch + 1 < kChannels.size() && x > kChannels[ch].share) x -= kChannels[ch++].share;
      const Channel& channel = kChannels[ch];
      const Spot& spot = pool[r() % pool.size()];
      const Grid& g = grids[spot.grid];
      const reference::Category& category = *leaves[r() % leaves.size()];
      const std::string& matter = category.name_zh;

      // Where: an estate and building, a villagers' group, or a road and number.
      std::string place;
      if (!g.estates.empty() && u(r) < 0.55)
        place = g.estates[r() % g.estates.size()] + std::to_string(1 + r() % 24) + "栋";
      else if (g.village) place = std::string(kGroups[r() % 10]) + "组";
      else place = kRoads.Pick(r) + std::to_string(1 + r() % 300) + "号";
      const std::string where = g.unit + place;
      const std::string& issue = kIssues.Pick(r);
      std::string detail = issue;
      if (u(r) < 0.6) detail = kWhen.Pick(r) + detail;
      if (u(r) < 0.8) detail += "，" + kEffect.Pick(r);
      if (u(r) < 0.005) detail += "，" + kRare[r() % kRare.size()];
      if (u(r) < 0.02) detail += "，" + kEnglish.Pick(r);

      cases::IntakeRequest req;
      req.channel = channel.name;
      if (channel.external) req.external_id = "PRE" + std::to_string(i);
      req.category = category.code;
      req.address = g.county + g.town + where;
      switch (ch) {
        case 0: req.title = u(r) < 0.5 ? "反映" + where + issue : where + issue + "问题"; break;
        case 1: req.title = matter + "（" + where + "）"; break;
        case 2: req.title = "巡查发现" + where + issue; break;
        case 3: req.title = where + issue; break;
        default: req.title = "窗口反映" + matter; break;
      }
      req.description =
          std::string(channel.opener) + req.address + "附近" + detail + "（" + matter + "）。" + channel.closer;
      req.location = spot.p;
      if (u(r) < 0.9) {
        req.reporter_name = std::string(kSurnames[r() % 16]) + kGiven[r() % 16];
        char phone[16];
        std::snprintf(phone, sizeof phone, "13%09llu", (unsigned long long)(r() % 1000000000ULL));
        req.reporter_phone = phone;
      }
      auto taken = app.cases().Intake(req, channel.actor);
      commands.fetch_add(1, std::memory_order_relaxed);
      if (!taken.ok() || !taken->created) {
        if (failed.fetch_add(1) < 5)
          std::fprintf(stderr, "preload: intake %lld failed: %s\n", i,
                       taken.ok() ? "repeated" : taken.error().message.c_str());
        if (failed > 100) stop = true;
        continue;
      }
      if (thread == 0 && i % 100000 < threads)
        std::fprintf(stderr, "preload: %lld cases, %.0f/s\n", i, double(i) / (bench::Now() - t0));
      if (!lifecycle) continue;

      // The lifecycle, each step at its moment; a step that would fall after now is not taken.
      cases::Case c = std::move(taken->c);
      const std::string centre = "centre." + c.origin.region_path.substr(1, c.origin.region_path.find('/', 1) - 1);
      auto step = [&](std::chrono::milliseconds after, const cases::Command& command, const std::string& actor) {
        const TimePoint at = t + std::max(after, std::chrono::milliseconds(1000));
        if (at > end) return false;
        ThreadClock::Set(at);
        auto done = app.cases().Act(c.id, command, actor);
        commands.fetch_add(1, std::memory_order_relaxed);
        if (!done.ok()) {
          if (step_errors.fetch_add(1) < 5)
            std::fprintf(stderr, "preload: case %lld %s: %s\n", (long long)c.id.value(),
                         cases::ActionName(command).c_str(), done.error().message.c_str());
          return false;
        }
        c = std::move(done.value());
        t = at;
        return true;
      };
      auto until = [&](const std::optional<TimePoint>& deadline, double lo, double hi) {
        const auto left = deadline && *deadline > t ? *deadline - t : std::chrono::milliseconds(3 * 3600 * 1000);
        return std::chrono::duration_cast<std::chrono::milliseconds>(left * (lo + (hi - lo) * u(r)));
      };
      const std::string county = centre.substr(7);
      bool ok = true;
      if (u(r) < 0.03) {
        ok = step(mins(10, 360), cases::MarkInvalid{"诉求不明确，多次回拨无人接听"}, centre);
      } else {
        // The store's routing rules (`init --demo` adds data/routing-defaults.csv) dispatch the cases at intake;
        // the centre sends any that no rule covers to its town.
        if (c.status == cases::CaseStatus::kReceived) {
          const std::string& org = g.town_org.empty() ? g.unit_org : g.town_org;
          ok = !org.empty() && step(mins(5, 90), cases::Dispatch{org, std::nullopt, ""}, centre);
        }
        for (int round = 0; ok && round < 2; ++round) {
          const std::string handler = "handler." + c.org;
          ok = step(u(r) < 0.07 ? until(c.accept_by, 1.1, 4.0) : until(c.accept_by, 0.05, 0.9), cases::Accept{},
                    handler) &&
               step(u(r) < 0.05 ? until(c.resolve_by, 1.02, 1.5) : until(c.resolve_by, 0.15, 0.9),
                    cases::Resolve{"已现场处置完毕，恢复正常"}, handler) &&
               step(mins(20, 600), cases::Review{true, ""}, centre);
          if (!ok) break;
          if (!c.origin.reporter.phone.empty()) {
            // The escalation clears the rating; the second round is asked again (never dissatisfied here).
            const double q = u(r);
            const auto rating = q < 0.78                ? cases::Rating::kSatisfied
                                : q < 0.92 || round > 0 ? cases::Rating::kBasicallySatisfied
                                                        : cases::Rating::kDissatisfied;
            const bool solved = rating != cases::Rating::kDissatisfied || u(r) < 0.3;
            ok = step(mins(60, 2880), cases::Rate{rating, solved, solved ? "满意" : "问题没有解决", 0},
                      "followup." + county);
            if (ok && c.status == cases::CaseStatus::kDispatched) continue;  // escalated to the town: again
          }
          if (ok) ok = step(mins(10, 1440), cases::Close{}, centre);
          break;
        }
      }
      (c.status == cases::CaseStatus::kClosed || c.status == cases::CaseStatus::kInvalid ? closed : open_left)++;
    }
  };
  std::vector<std::thread> pool_threads;
  for (int t = 0; t < threads; ++t) pool_threads.emplace_back(work, t);
  for (auto& t : pool_threads) t.join();
  const double elapsed = bench::Now() - t0;
  auto count = app.store().cases().CountCases();

  std::string cats;
  for (size_t k = 0; k < leaves.size() && k < 40; ++k) cats += (k ? "," : "") + leaves[k]->code;
  bench::Json out;
  out.Int("cases", total)
      .Int("store_cases", count.ok() ? *count : -1)
      .Int("failed", failed)
      .Num("seconds", elapsed)
      .Num("rate", double(total) / elapsed)
      .Int("commands", commands)
      .Num("commands_per_s", double(commands) / elapsed)
      .Int("lifecycle", lifecycle)
      .Int("closed_or_invalid", closed)
      .Int("open", open_left)
      .Int("step_errors", step_errors)
      .Int("threads", threads)
      .Int("grids", long(grids.size()))
      .Str("categories", cats);
  std::printf("%s\n", out.Dump().c_str());
  return failed > 0 ? 1 : 0;
}

#include "demo/demo.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "demo/channels.h"
#include "demo/geography.h"
#include "demo/people.h"
#include "demo/support.h"
#include "reference/geojson.h"

namespace civicgrid::demo {
namespace {

using cases::Case;
using cases::Command;
using reference::RegionKind;

calendar::Date LocalDay(TimePoint t) { return calendar::WorkCalendar::LocalDate(t); }
TimePoint DayStart(calendar::Date d) { return TimePoint{d} - kShanghaiOffset; }
unsigned LocalMonth(TimePoint t) { return unsigned(std::chrono::year_month_day{LocalDay(t)}.month()); }
milliseconds Hours(double h) { return milliseconds{std::llround(h * 3600e3)}; }

const std::vector<std::string> kRoads = {"人民路",   "解放路",   "建设路", "新华路", "文化路", "幸福路",
                                         "和平路",   "长江路",   "黄河路", "淮河路", "东环路", "西环路",
                                         "府前路",   "城南大道", "通榆路", "健康路", "育才路", "工业路",
                                         "迎宾大道", "朝阳路",   "康居路", "友谊路", "青年路", "振兴路"};
const std::vector<std::string> kGroupNumbers = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
const std::vector<std::string> kDetails = {"已持续多日",       "影响周边居民正常生活", "多次反映未得到解决",
                                           "夜间尤为明显",     "存在一定安全隐患",     "给出行带来不便",
                                           "周边群众意见较大", "近期情况有所加重",     "涉及多户居民"};
const std::vector<std::string> kInvalidReasons = {"来电人未说明具体事项，无法受理", "重复来电，已在原工单中答复",
                                                  "非本县管辖范围，已告知诉求人向属地反映",
                                                  "诉求不明确，多次回拨无人接听", "咨询事项已当场解答，无需派单"};
const std::vector<std::string> kReturnReasons = {"经核实，该事项不属于本单位职责范围，请重新派单",
                                                 "事发地点不在本辖区，请改派属地",
                                                 "该事项涉及其他部门职责，请中心协调改派"};
const std::vector<std::string> kReturnRefusals = {"经核实，该事项属于你单位职责，请按时办理",
                                                  "事发地点在你单位辖区内，请按要求处置",
                                                  "按派单规则该事项由你单位承办，请尽快签收"};
const std::vector<std::string> kContactNotes = {"已电话联系诉求人，说明处理计划",
                                                "已与反映人取得联系，约定现场查看时间", "已联系诉求人，告知已受理",
                                                "网格员已上门了解情况"};
const std::vector<std::string> kExtensionReasons = {"涉及多个部门协调，需进一步会商", "需等待施工材料到位",
                                                    "当事人外出，需待其返回后调解", "需委托第三方检测，结果尚未出具",
                                                    "受天气影响暂无法施工"};
const std::vector<std::string> kResolveDepartment = {"已安排人员现场处置，问题已解决", "已督促责任单位整改完毕",
                                                     "已维修完成，恢复正常使用", "已现场核查并依法处理",
                                                     "已联合属地开展整治，现场已恢复"};
const std::vector<std::string> kResolveLocal = {"社区工作人员已上门调解，双方达成一致", "已组织人员清理完毕",
                                                "已向诉求人解释相关政策，诉求人表示理解",
                                                "网格员已跟进处理，现场已整改", "已协调物业公司处理完毕"};
const std::vector<std::string> kReviewRefusals = {"办结材料不全，请补充现场照片", "回复内容未针对诉求，请重新办理",
                                                  "问题未彻底解决，请继续跟进"};
const std::vector<std::string> kGoodComments = {"处理及时，非常满意", "工作人员态度很好", "", "问题已解决，谢谢", ""};
const std::vector<std::string> kFairComments = {"基本解决，希望后续多关注", "处理有点慢", ""};
const std::vector<std::string> kBadComments = {"问题没有解决", "只是电话回复，没有实际处理", "处理结果不满意"};
const std::vector<std::string> kReopenReasons = {"回访不满意，问题仍未解决，重新办理",
                                                 "诉求人对办理结果不满意，要求重新处理"};

struct GridInfo {
  const reference::Region* grid = nullptr;
  const reference::Region* unit = nullptr;  // community or village
  const reference::Region* town = nullptr;
  const reference::Region* county = nullptr;
  geo::Ring ring;
  geo::LonLat centre;
  std::vector<std::string> estates;
};

struct Planned {
  TimePoint at;
  size_t channel = 0;
  bool storm = false;
  bool operator<(const Planned& o) const { return std::tie(at, channel, storm) < std::tie(o.at, o.channel, o.storm); }
};

// Runs a step; stops playing the case (leaving it open where it is) once a moment lies beyond history.
#define DEMO_STEP(call)                    \
  do {                                     \
    auto step_ = (call);                   \
    if (!step_.ok()) return step_.error(); \
    if (!*step_) return OkStatus();        \
  } while (0)

class Historian {
 public:
  Historian(cases::CaseService& service, ManualClock& clock, const reference::Directory& directory,
            const DemoOptions& options)
      : service_(service), clock_(clock), dir_(directory), options_(options), rng_(Mix(options.seed ^ 0x68697374ULL)) {}

  Result<int> Run();

 private:
  Status Prepare();
  std::vector<Planned> PlanIntakes();
  Status PlayCase(const Planned& plan);
  Status Work(Case& c, TimePoint& last, const GridInfo& g, const std::string& org, TimePoint close_not_before);
  Result<bool> Do(Case& c, TimePoint& last, TimePoint at, const Command& command, const std::string& actor);
  Result<Case> TakeIn(size_t channel, const std::string& category, const GridInfo& g, TimePoint at);

  const GridInfo& PickGrid();
  std::string PickCategory(size_t channel, TimePoint at, bool storm);
  Result<geo::LonLat> PointIn(const GridInfo& g);
  std::string Centre(const GridInfo& g) const { return "centre." + g.county->code; }
  static std::string Handler(const std::string& org) { return "handler." + org; }

  cases::CaseService& service_;
  ManualClock& clock_;
  const reference::Directory& dir_;
  const DemoOptions& options_;
  Rng rng_;
  TimePoint now_{};
  int taken_ = 0;
  int external_serial_ = 0;
  std::vector<GridInfo> grids_;
  std::vector<double> grid_cumulative_;
  std::vector<const reference::Category*> leaves_;
  std::vector<std::vector<double>> category_cumulative_;  // [channel * 13 + month] over leaves_
  std::vector<std::string> storm_matters_;
};

Status Historian::Prepare() {
  for (const auto& spec : kCounties) {
    const reference::Region* county = dir_.FindRegion(spec.code);
    if (!county) continue;
    for (const reference::Region* town : dir_.Children(county->code))
      for (const reference::Region* unit : dir_.Children(town->code))
        for (const reference::Region* grid : dir_.Children(unit->code)) {
          if (grid->kind != RegionKind::kGrid || grid->geometry.empty()) continue;
          GridInfo g{grid, unit, town, county, {}, {}, {}};
          auto shape = reference::ParseGeometry(grid->geometry);
          if (!shape.ok()) return shape.error();
          if (shape->empty()) continue;
          g.ring = shape->front().outer;
          const size_t n = g.ring.size() - 1;  // closed ring: the last position repeats the first
          for (size_t k = 0; k < n; ++k)
            g.centre.lon += g.ring[k].lon / double(n), g.centre.lat += g.ring[k].lat / double(n);
          for (const reference::Region* e : dir_.Children(grid->code))
            if (e->kind == RegionKind::kEstate) g.estates.push_back(e->name);
          grids_.push_back(std::move(g));
        }
  }
  if (grids_.empty()) return Invalid("directory", "the directory holds none of the demo counties' grids");
  // Store order is not ours to rely on.
  std::sort(grids_.begin(), grids_.end(),
            [](const GridInfo& a, const GridInfo& b) { return a.grid->code < b.grid->code; });
  double total = 0;
  for (const auto& g : grids_) {
    // Town streets are densely populated and report more.
    total += g.town->kind == RegionKind::kStreet ? 2.0 : g.unit->kind == RegionKind::kCommunity ? 1.5 : 1.0;
    grid_cumulative_.push_back(total);
  }

  for (const auto& c : dir_.categories())
    if (!c.parent.empty()) leaves_.push_back(&c);
  std::sort(leaves_.begin(), leaves_.end(), [](auto* a, auto* b) { return a->code < b->code; });
  if (leaves_.empty()) return Invalid("directory", "the directory holds no level-2 categories");
  std::map<std::string, int> per_major;
  for (const auto* c : leaves_) ++per_major[c->parent];
  const auto& channels = Channels();
  category_cumulative_.resize(channels.size() * 13);
  for (size_t ch = 0; ch < channels.size(); ++ch) {
    for (unsigned month = 1; month <= 12; ++month) {
      auto& cumulative = category_cumulative_[ch * 13 + month];
      double sum = 0;
      for (const auto* c : leaves_) {
        double w = 0;
        for (const auto& [major, weight] : channels[ch].majors)
          if (c->parent == major) w = weight / per_major[c->parent];
        if (auto it = CommonMatters().find(c->code); it != CommonMatters().end()) w *= it->second;
        for (const auto& s : Seasons())
          if (c->code == s.code) w *= s.by_month[month];
        sum += w;
        cumulative.push_back(sum);
      }
      if (sum <= 0) return Invalid("directory", std::string("no categories for channel ") + channels[ch].name);
    }
  }
  for (const auto& code : StormMatters())
    if (dir_.FindCategory(code)) storm_matters_.push_back(code);

  for (const auto& spec : kCounties)
    if (dir_.FindRegion(spec.code) && !dir_.FindOrg(std::string(spec.code) + "-centre"))
      return Invalid("directory", "the directory lacks the demo organisations (BuildReference's orgs)");
  return OkStatus();
}

size_t PickCumulative(Rng& rng, const std::vector<double>& cumulative) {
  const double x = rng.Uniform() * cumulative.back();
  const size_t k = size_t(std::upper_bound(cumulative.begin(), cumulative.end(), x) - cumulative.begin());
  return std::min(k, cumulative.size() - 1);
}

const GridInfo& Historian::PickGrid() { return grids_[PickCumulative(rng_, grid_cumulative_)]; }

std::string Historian::PickCategory(size_t channel, TimePoint at, bool storm) {
  if (storm && !storm_matters_.empty() && Channels()[channel].hours != HourPattern::kOffice && rng_.Chance(0.45))
    return rng_.Pick(storm_matters_);
  const auto& cumulative = category_cumulative_[channel * 13 + LocalMonth(at)];
  return leaves_[PickCumulative(rng_, cumulative)]->code;
}

// A point well inside the grid: grids are star-shaped about their vertex mean, and the directory must agree.
Result<geo::LonLat> Historian::PointIn(const GridInfo& g) {
  const int n = int(g.ring.size()) - 1;
  for (int attempt = 0; attempt < 16; ++attempt) {
    const size_t k = size_t(rng_.Below(n));
    const double b = rng_.Uniform(), w = rng_.Uniform(0.05, 0.8);
    const geo::LonLat v{g.ring[k].lon + b * (g.ring[k + 1].lon - g.ring[k].lon),
                        g.ring[k].lat + b * (g.ring[k + 1].lat - g.ring[k].lat)};
    const geo::LonLat p{std::round((g.centre.lon + w * (v.lon - g.centre.lon)) * 1e6) / 1e6,
                        std::round((g.centre.lat + w * (v.lat - g.centre.lat)) * 1e6) / 1e6};
    const reference::Region* found = dir_.LocateGrid(p);
    if (found && found->code == g.grid->code) return p;
  }
  const reference::Region* found = dir_.LocateGrid(g.centre);
  if (found && found->code == g.grid->code) return g.centre;
  return Internal("no point found inside grid " + g.grid->code);
}

Result<bool> Historian::Do(Case& c, TimePoint& last, TimePoint at, const Command& command, const std::string& actor) {
  at = std::max(at, last);
  if (at > now_) return false;
  clock_.Set(at);
  auto done = service_.Act(c.id, command, actor);
  if (!done.ok()) {
    Error e = done.error();
    e.message = "demo history, case " + to_string(c.id) + " " + cases::ActionName(command) + " at " + FormatTime(at) +
                ": " + e.message;
    return e;
  }
  c = std::move(done.value());
  last = at;
  return true;
}

Result<Case> Historian::TakeIn(size_t channel, const std::string& category_code, const GridInfo& g, TimePoint at) {
  const ChannelSpec& spec = Channels()[channel];
  const std::string ch = spec.name;
  const reference::Category* category = dir_.FindCategory(category_code);
  auto point = PointIn(g);
  if (!point.ok()) return point.error();

  cases::IntakeRequest req;
  req.channel = ch;
  req.category = category_code;
  req.location = *point;
  // Where: a road and number in town, a villagers' group in the country, an estate where there is one.
  std::string place;
  if (!g.estates.empty() && rng_.Chance(0.6)) {
    place = rng_.Pick(g.estates);
    place += std::to_string(1 + rng_.Below(24)) + "栋";
  } else if (g.unit->kind == RegionKind::kVillage) {
    place = rng_.Pick(kGroupNumbers) + "组";
  } else {
    place = kRoads[Hash(options_.seed, {TextKey(g.unit->code)}) % kRoads.size()] + std::to_string(1 + rng_.Below(300)) +
            "号";
  }
  const std::string where = g.unit->name + place;
  req.address = g.county->name + g.town->name + where;
  const std::string& matter = category->name_zh;
  std::string detail = rng_.Pick(kDetails);
  if (rng_.Chance(0.4)) detail += "，" + rng_.Pick(kDetails);

  const std::string date = [&] {
    const std::chrono::year_month_day ymd{LocalDay(at)};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02u%02u", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
    return std::string(buf);
  }();
  std::string actor;
  if (ch == "12345") {
    req.external_id = "YC" + date + Serial(++external_serial_ % 1000000, 6);
    req.title = rng_.Chance(0.5) ? "反映" + where + matter : where + matter + "问题";
    req.description =
        "市民来电反映：" + req.address + "附近" + matter + "，" + detail + "。诉求人希望相关部门尽快核实处理。";
    actor = "hotline.12345";
  } else if (ch == "city_management") {
    req.external_id = "SZCG" + g.county->code + date + Serial(++external_serial_ % 100000, 5);
    req.title = matter + "（" + where + "）";
    req.description = "监督员巡查上报：" + req.address + "发现" + matter + "，已现场拍照取证，请责任单位按时限处置。";
    actor = "szcg." + g.county->code;
  } else if (ch == "grid_patrol") {
    req.title = "巡查发现" + where + matter;
    actor = "gw." + g.grid->code;
  } else if (ch == "resident") {
    req.title = where + matter;
    req.description = "居民随手拍反映：" + req.address + matter + "，" + detail + "。";
    actor = "resident.app";
  } else if (ch == "window") {
    req.title = (category->parent == "14" || category->parent == "15" ? "咨询" : "窗口反映") + matter;
    req.description = "群众到" + g.county->name + "政务服务中心窗口反映" + matter + "相关事项，" + detail + "。";
    actor = "window." + g.county->code;
  } else {
    req.title = "来访反映" + where + matter;
    req.description = "群众来访反映：" + req.address + matter + "，" + detail + "，要求给予解决。";
    actor = "visit." + g.county->code;
  }

  // Reporters: the grid's worker on patrol; otherwise see DrawReporter.
  const Reporter reporter =
      ch == "grid_patrol" ? GridWorker(options_.seed, g.grid->code) : DrawReporter(rng_, ch, g.county->code);
  req.reporter_name = reporter.name;
  req.reporter_phone = reporter.phone;
  req.reporter_id_number = reporter.id_number;
  req.anonymous = reporter.anonymous;
  if (ch == "grid_patrol")
    req.description = "网格员" + req.reporter_name + "在" + g.grid->name + "巡查时发现" + req.address + matter + "，" +
                      detail + "，需上报处置。";

  clock_.Set(at);
  auto taken = service_.Intake(req, actor);
  if (!taken.ok()) {
    Error e = taken.error();
    e.message = "demo history, intake at " + FormatTime(at) + ": " + e.message;
    return e;
  }
  if (!taken->created) return Internal("demo history: intake " + req.external_id + " repeated an earlier case");
  // The store's routing rules dispatch every case at intake, as they do on the live server; the history has
  // no dispatch table of its own to fall back on.
  if (taken->c.status != cases::CaseStatus::kDispatched)
    return Internal("demo history: no routing rule dispatched a case of category " + category_code + " in grid " +
                    g.grid->code +
                    " (the service must route by the store's rules, which must cover the category: "
                    "data/routing-defaults.csv)");
  ++taken_;
  return std::move(taken->c);
}

std::vector<Planned> Historian::PlanIntakes() {
  const calendar::Date today = LocalDay(now_);
  const calendar::Date first = today - days{364};
  const auto& cal = dir_.calendar();
  // A storm week some time in July or August.
  std::vector<int> summer;
  for (int d = 0; d + 7 < 358; ++d) {
    const unsigned m = unsigned(std::chrono::year_month_day{first + days{d}}.month());
    if (m == 7 || m == 8) summer.push_back(d);
  }
  const int storm = summer.empty() ? -1 : rng_.Pick(summer);
  auto in_storm = [&](int d) { return storm >= 0 && d >= storm && d < storm + 7; };

  const auto& channels = Channels();
  std::vector<std::vector<double>> day_cumulative(3);  // by DayPattern
  for (int p = 0; p < 3; ++p) {
    double sum = 0;
    for (int d = 0; d < 365; ++d) {
      const calendar::Date date = first + days{d};
      const bool working = cal.IsWorkingDay(date);
      const std::chrono::weekday wd{date};
      const bool weekend = wd == std::chrono::Saturday || wd == std::chrono::Sunday;
      double w = working ? 1.0 : weekend ? 0.7 : 0.5;  // holidays are quieter than weekends
      if (p == int(DayPattern::kPatrol)) w = working ? 1.0 : 0.3;
      if (p == int(DayPattern::kOffice)) w = working ? 1.0 : 0.0;
      // The storm week and the week after it.
      if (in_storm(d)) w *= 2.2;
      else if (storm >= 0 && d >= storm + 7 && d < storm + 14) w *= 1.3;
      sum += w;
      day_cumulative[size_t(p)].push_back(sum);
    }
  }
  std::vector<double> channel_shares;
  channel_shares.reserve(channels.size());
  for (const auto& c : channels) channel_shares.push_back(c.share);

  std::vector<Planned> plan;
  plan.reserve(size_t(std::max(0, options_.cases)));
  while (int(plan.size()) < options_.cases) {
    Planned p;
    p.channel = rng_.Weighted(channel_shares);
    const auto& spec = channels[p.channel];
    const int d = int(PickCumulative(rng_, day_cumulative[size_t(spec.days)]));
    const auto& hw = HourWeights(spec.hours);
    const int hour = int(rng_.Weighted(std::vector<double>(hw.begin(), hw.end())));
    const int minute = rng_.Below(60), second = rng_.Below(60);
    p.at = DayStart(first + days{d}) + hours{hour} + minutes{minute} + seconds{second};
    p.storm = in_storm(d);
    if (p.at > now_ - minutes{1}) continue;  // today, later than now
    plan.push_back(p);
  }
  std::sort(plan.begin(), plan.end());
  return plan;
}

Result<int> Historian::Run() {
  now_ = options_.now == TimePoint{} ? clock_.Now() : options_.now;
  if (auto st = Prepare(); !st) return st.error();
  const std::vector<Planned> plan = PlanIntakes();
  int skip = 0;  // planned intakes whose place a duplicate report took
  for (const Planned& p : plan) {
    if (taken_ >= options_.cases) break;
    if (skip > 0) {
      --skip;
      continue;
    }
    const int before = taken_;
    if (auto st = PlayCase(p); !st) return st.error();
    skip += taken_ - before - 1;
  }
  return taken_;
}

Status Historian::PlayCase(const Planned& plan) {
  const GridInfo& g = PickGrid();
  const std::string category = PickCategory(plan.channel, plan.at, plan.storm);
  auto taken = TakeIn(plan.channel, category, g, plan.at);
  if (!taken.ok()) return taken.error();
  Case c = std::move(taken.value());
  TimePoint last = c.created_at;

  if (rng_.Chance(0.03)) {  // not a case at all
    const TimePoint at = last + rng_.Duration(minutes{10}, hours{6});
    DEMO_STEP(Do(c, last, at, cases::MarkInvalid{rng_.Pick(kInvalidReasons)}, Centre(g)));
    return OkStatus();
  }

  // Somebody else reports the same problem nearby soon after; the centre merges it into this case.
  TimePoint close_not_before = last;
  if (taken_ < options_.cases && rng_.Chance(0.035)) {
    const TimePoint at = last + rng_.Duration(minutes{10}, hours{3});
    size_t channel = plan.channel;
    for (int k = 0; k < 4 && channel == plan.channel; ++k) channel = rng_.Weighted({0.45, 0.25, 0.15, 0.07, 0.0, 0.0});
    if (at <= now_) {
      auto dup = TakeIn(channel, category, g, at);
      if (!dup.ok()) return dup.error();
      Case d = std::move(dup.value());
      TimePoint d_last = at;
      auto merged = Do(d, d_last, at + rng_.Duration(minutes{5}, minutes{90}), cases::Merge{c.id}, Centre(g));
      if (!merged.ok()) return merged.error();
      close_not_before = d_last;
      last = std::max(last, d_last);  // the merge added its reporter to this case's trail
    }
  }

  // The routing rules dispatched the case at intake. Now and then its handler disputes the rule's choice and
  // returns it; the centre checks, refuses the return and the case goes back (派单异议).
  const std::string org = c.org;
  if (rng_.Chance(0.05)) {
    const TimePoint back = last + rng_.Duration(minutes{15}, hours{5});
    DEMO_STEP(Do(c, last, back, cases::Return{rng_.Pick(kReturnReasons)}, Handler(org)));
    const TimePoint decided = last + rng_.Duration(minutes{10}, hours{2});
    DEMO_STEP(Do(c, last, decided, cases::DecideReturn{false, "", rng_.Pick(kReturnRefusals)}, Centre(g)));
  }
  return Work(c, last, g, org, close_not_before);
}

// From acceptance to closing; a reopened case goes round once more.
Status Historian::Work(Case& c, TimePoint& last, const GridInfo& g, const std::string& org,
                       TimePoint close_not_before) {
  const reference::Category* cat = dir_.FindCategory(c.origin.category);
  const std::string handler = Handler(org), centre = Centre(g), follow_up = "followup." + g.county->code;
  const bool local = org.find('-') == std::string::npos;  // a town or community, not a department
  for (int round = 1;; ++round) {
    // Accept, mostly within the limit.
    const double limit_hours = cat->accept_hours;
    const double factor = rng_.Chance(0.07) ? rng_.Uniform(1.1, 4.0) : rng_.Uniform(0.05, 0.9);
    DEMO_STEP(Do(c, last, last + Hours(limit_hours * factor), cases::Accept{}, handler));
    if (!c.contacted_at && rng_.Chance(0.92)) {
      const TimePoint at = last + rng_.Duration(minutes{10}, hours{6});
      DEMO_STEP(Do(c, last, at, cases::Contact{rng_.Pick(kContactNotes)}, handler));
    }
    // Longer matters sometimes need more time.
    if (cat->resolve_days >= 5 && c.resolve_by && *c.resolve_by > last + hours{2} && rng_.Chance(0.06)) {
      const double left = 10.0 - c.extension_days;
      const double wanted = std::min(left, double(std::array<int, 3>{2, 3, 5}[size_t(rng_.Below(3))]));
      if (wanted > 0) {
        const auto span = *c.resolve_by - last;
        const TimePoint asked = last + milliseconds{std::int64_t(double(span.count()) * rng_.Uniform(0.4, 0.8))};
        DEMO_STEP(Do(c, last, asked, cases::RequestExtension{wanted, rng_.Pick(kExtensionReasons)}, handler));
        const bool approve = rng_.Chance(0.85);
        const TimePoint decided = last + rng_.Duration(hours{1}, hours{20});
        DEMO_STEP(
            Do(c, last, decided,
               cases::DecideExtension{approve, approve ? "同意延期，请在延期内办结" : "理由不充分，请按原时限办结"},
               centre));
      }
    }
    // Resolve, mostly before the deadline.
    const TimePoint deadline = c.resolve_by.value_or(last + days{5});
    TimePoint resolve_at;
    if (deadline <= last + hours{1}) resolve_at = last + rng_.Duration(hours{1}, hours{8});
    else if (rng_.Chance(0.05)) resolve_at = deadline + rng_.Duration(hours{1}, hours{48});
    else
      resolve_at =
          std::max(last + minutes{20},
                   last + milliseconds{std::int64_t(double((deadline - last).count()) * rng_.Uniform(0.15, 0.9))});
    const auto& notes = local ? kResolveLocal : kResolveDepartment;
    DEMO_STEP(Do(c, last, resolve_at, cases::Resolve{rng_.Pick(notes)}, handler));
    // The centre checks the resolution; now and then it sends it back.
    if (rng_.Chance(0.06)) {
      const TimePoint refused = last + rng_.Duration(minutes{20}, hours{10});
      DEMO_STEP(Do(c, last, refused, cases::Review{false, rng_.Pick(kReviewRefusals)}, centre));
      const TimePoint again = last + rng_.Duration(hours{2}, hours{48});
      DEMO_STEP(Do(c, last, again, cases::Resolve{rng_.Pick(notes)}, handler));
    }
    DEMO_STEP(Do(c, last, last + rng_.Duration(minutes{20}, hours{10}), cases::Review{true, ""}, centre));
    // Follow-up call: mostly satisfied; about 8% not.
    bool bad = false;
    if (!c.origin.reporter.phone.empty() && rng_.Chance(0.93)) {
      const double r = rng_.Uniform();
      const double dissatisfied = round == 1 ? 0.08 : 0.03;
      cases::Rate rate{cases::Rating::kSatisfied, true, rng_.Pick(kGoodComments)};
      if (r < dissatisfied) rate = {cases::Rating::kDissatisfied, !rng_.Chance(0.7), rng_.Pick(kBadComments)};
      else if (r < dissatisfied + 0.14)
        rate = {cases::Rating::kBasicallySatisfied, rng_.Chance(0.9), rng_.Pick(kFairComments)};
      bad = rate.rating == cases::Rating::kDissatisfied || !rate.solved;
      DEMO_STEP(Do(c, last, last + rng_.Duration(hours{1}, hours{48}), rate, follow_up));
      // A dissatisfied rating climbs the ladder: the town takes the case over with fresh limits.
      if (c.status == cases::CaseStatus::kDispatched) return Work(c, last, g, c.org, close_not_before);
    }
    if (bad && round == 1 && rng_.Chance(0.5)) {
      const TimePoint reopened = last + rng_.Duration(minutes{30}, hours{24});
      DEMO_STEP(Do(c, last, reopened, cases::Reopen{rng_.Pick(kReopenReasons)}, centre));
      continue;
    }
    DEMO_STEP(
        Do(c, last, std::max(close_not_before, last + rng_.Duration(minutes{10}, hours{24})), cases::Close{}, centre));
    if (bad && round == 1 && rng_.Chance(0.3)) {  // the reporter complains again after closing
      const TimePoint reopened = last + rng_.Duration(hours{24}, hours{144});
      DEMO_STEP(Do(c, last, reopened, cases::Reopen{rng_.Pick(kReopenReasons)}, centre));
      continue;
    }
    return OkStatus();
  }
}

#undef DEMO_STEP

}  // namespace

Result<int> PlayHistory(cases::CaseService& service, ManualClock& clock, const reference::Directory& directory,
                        const DemoOptions& options) {
  Historian historian(service, clock, directory, options);
  return historian.Run();
}

}  // namespace civicgrid::demo

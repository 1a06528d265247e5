// Anonymity belongs to the reporter (anonymity.h, issue 17 item 1): through a merge, a join, the audit trail.
#include "domain/cases/anonymity.h"

#include "domain/cases/lifecycle.h"

#include <gtest/gtest.h>

namespace civicgrid::cases {
namespace {

struct Fixture {
  reference::Category category{"06001", "06", "测试", "test", 2, 5};
  calendar::WorkCalendar calendar;
  TimePoint now = *ParseTime("2026-11-24T09:00:00+08:00");
  Context Ctx(const std::string& actor = "tester") const {
    Context c;
    c.now = now;
    c.actor = actor;
    c.category = &category;
    c.calendar = &calendar;
    return c;
  }
  Case NewCase(CaseId id, Reporter reporter, const std::string& actor = "tester",
               const std::string& channel = "resident") const {
    CaseOrigin o;
    o.channel = channel;
    o.category = category.code;
    o.title = "井盖缺失";
    o.reporter = std::move(reporter);
    return Evolve(Case{}, Receive(id, o, Ctx(actor)));
  }
  // The events a command adds, folded.
  Case Apply(Case s, const Command& c, std::vector<CaseEvent>* out = nullptr, const std::string& actor = "tester") {
    auto events = Decide(s, c, Ctx(actor));
    EXPECT_TRUE(events.ok()) << (events.ok() ? "" : events.error().message);
    if (!events.ok()) return s;
    for (const auto& e : *events) {
      s = Evolve(s, e);
      if (out) out->push_back(e);
    }
    return s;
  }
};

Reporter Named(const std::string& name, bool anonymous) {
  Reporter r;
  r.name = name;
  r.phone = {"cipher", "137****1111", "lookup of " + name};  // one person, one phone: joins count once each
  r.anonymous = anonymous;
  return r;
}

// The finding: an anonymous reporter merged into another case became a joined reporter that reveal opened.
TEST(Anonymity, TheFlagTravelsThroughAMergeAndRevealRefuses) {
  Fixture f;
  Case target = f.NewCase(CaseId(1), Named("张三", false));
  const Case merged = f.NewCase(CaseId(2), Named("钱七", true));
  // CaseService::Merge joins the merged case's reporter as it is, with the case it came from.
  std::vector<CaseEvent> joins;
  target = f.Apply(target, Join{merged.origin.reporter, merged.id}, &joins);
  ASSERT_EQ(target.joined.size(), 1u);
  EXPECT_TRUE(target.joined[0].reporter.anonymous);
  EXPECT_TRUE(std::get<events::Joined>(joins[0].body).reporter.anonymous) << "the event carries it";

  auto at = ReporterAt(target, 1);
  ASSERT_TRUE(at.ok());
  const auto refused = MayReveal(**at, 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  EXPECT_NE(refused.error().message.find("asked to stay anonymous"), std::string::npos) << refused.error().message;
  EXPECT_TRUE(MayReveal(**ReporterAt(target, 0), 0).ok()) << "the named first reporter may be revealed";
  EXPECT_FALSE(MayReveal(merged.origin.reporter, 0).ok()) << "nor on the merged case itself";
  EXPECT_EQ(ReporterAt(target, 2).error().code, ErrorCode::kInvalid);
  EXPECT_EQ(ReporterAt(target, -1).error().code, ErrorCode::kInvalid);
}

TEST(Anonymity, OnlyTheFlagIsShownButToTheCentre) {
  auto dir = *reference::Directory::Build({{"c", "县", reference::RegionKind::kCounty, "", ""}}, {}, {}, {});
  const auto admin = access::MakeSubject("a", {{"admin", "*"}}, *dir);
  const auto dispatcher = access::MakeSubject("d", {{"dispatcher", "c"}}, *dir);
  const auto leader = access::MakeSubject("l", {{"leader", "c"}}, *dir);
  const Reporter anonymous = Named("钱七", true), named = Named("张三", false);
  for (const auto* who : {&admin, &leader}) EXPECT_EQ(ViewOf(anonymous, who), ReporterView::kFlagOnly);
  EXPECT_EQ(ViewOf(anonymous, nullptr), ReporterView::kFlagOnly);
  EXPECT_EQ(ViewOf(anonymous, &dispatcher), ReporterView::kMasked) << "masked only, for the follow-up call";
  EXPECT_EQ(ViewOf(named, &admin), ReporterView::kMasked);
  EXPECT_EQ(ViewOf(named, nullptr), ReporterView::kMasked);
}

// An anonymous resident's login names them: left out of the trail where they act as themselves.
TEST(Anonymity, TheActorIsLeftOutWhereItIsTheAnonymousReporter) {
  Fixture f;
  std::vector<CaseEvent> trail;
  Case c = f.NewCase(CaseId(3), Named("", true), "resident-a");
  const CaseEvent received = Receive(CaseId(3), c.origin, f.Ctx("resident-a"));
  c = f.Apply(c, Dispatch{"cgj"}, &trail, "dispatcher");
  c = f.Apply(c, Join{Named("孙八", true), CaseId()}, &trail, "resident-b");   // an anonymous join
  c = f.Apply(c, Join{Named("周九", false), CaseId()}, &trail, "resident-c");  // a named join
  c = f.Apply(c, Join{Named("吴十", true), CaseId(9)}, &trail, "dispatcher");  // brought by a merge
  c = f.Apply(c, Accept{}, &trail, "cgj-staff");
  c = f.Apply(c, Resolve{"已修复"}, &trail, "cgj-staff");
  c = f.Apply(c, Review{true, ""}, &trail, "dispatcher");
  c = f.Apply(c, Rate{Rating::kSatisfied, true, "", 0}, &trail, "resident-a");  // rates their own case
  c = f.Apply(c, Rate{Rating::kSatisfied, true, "", 1}, &trail, "dispatcher");  // the centre's follow-up call
  ASSERT_EQ(trail.size(), 9u);
  EXPECT_TRUE(HidesActor(c, received));
  const std::vector<bool> hidden = {false, true, false, false, false, false, false, true, false};
  for (size_t i = 0; i < trail.size(); ++i)
    EXPECT_EQ(HidesActor(c, trail[i]), hidden[i]) << i << " " << Name(TypeOf(trail[i]));
  // A named first reporter's own intake keeps its actor.
  const Case named = f.NewCase(CaseId(4), Named("张三", false), "resident-d");
  EXPECT_FALSE(HidesActor(named, Receive(CaseId(4), named.origin, f.Ctx("resident-d"))));
  // The hotline operator who took an anonymous call in is not the reporter: their name stays on the trail.
  const Case call = f.NewCase(CaseId(5), Named("", true), "operator", "12345");
  EXPECT_FALSE(HidesActor(call, Receive(CaseId(5), call.origin, f.Ctx("operator"))));
}

}  // namespace
}  // namespace civicgrid::cases

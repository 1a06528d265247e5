#include "domain/cases/lifecycle.h"

#include <gtest/gtest.h>

namespace civicgrid::cases {
namespace {

using cases::CaseStatus;
using cases::EventType;

struct Fixture {
  reference::Category category{"06001", "06", "测试", "test", 2, 5};
  calendar::WorkCalendar calendar;                          // weekends only: enough to test the machine
  TimePoint now = *ParseTime("2026-11-24T09:00:00+08:00");  // a Tuesday
  Context Ctx() const {
    Context c;
    c.now = now;
    c.actor = "tester";
    c.category = &category;
    c.calendar = &calendar;
    return c;
  }
  Case NewCase() const {
    cases::CaseOrigin o;
    o.channel = "12345";
    o.category = category.code;
    o.title = "井盖缺失";
    return Evolve(Case{}, Receive(CaseId(7), o, Ctx()));
  }
  Result<Case> Apply(Case s, const Command& c) const {
    auto events = Decide(s, c, Ctx());
    if (!events.ok()) return events.error();
    for (const auto& e : *events) s = Evolve(s, e);
    return s;
  }
};

// Every action in every status: allowed (and the status it leads to) or 409.
TEST(Lifecycle, TransitionTable) {
  Fixture f;
  const Case received = f.NewCase();
  const Case dispatched = *f.Apply(received, Dispatch{"cgj"});
  const Case accepted = *f.Apply(dispatched, Accept{});
  const Case resolved = *f.Apply(accepted, Resolve{"已修复"});
  const Case reviewed = *f.Apply(resolved, Review{true, ""});
  const Case rated_bad = *f.Apply(reviewed, Rate{cases::Rating::kDissatisfied, false, "没修好"});
  const Case closed = *f.Apply(reviewed, Close{});
  const Case invalid = *f.Apply(received, MarkInvalid{"重复骚扰"});

  struct Row {
    const char* name;
    const Case* state;
    Command command;
    std::optional<CaseStatus> to;  // nullopt: must be refused with 409
  };
  Case target = f.NewCase();
  target.id = cases::CaseId(99);
  const std::vector<Row> table = {
      {"received+dispatch", &received, Dispatch{"cgj"}, CaseStatus::kDispatched},
      {"received+accept", &received, Accept{}, std::nullopt},
      {"received+resolve", &received, Resolve{"x"}, std::nullopt},
      {"received+invalid", &received, MarkInvalid{"x"}, CaseStatus::kInvalid},
      {"received+close", &received, Close{}, std::nullopt},
      {"dispatched+accept", &dispatched, Accept{}, CaseStatus::kAccepted},
      {"dispatched+return", &dispatched, Return{"非本单位职责"}, CaseStatus::kReceived},
      {"dispatched+dispatch", &dispatched, Dispatch{"zjj"}, std::nullopt},
      {"dispatched+resolve", &dispatched, Resolve{"x"}, std::nullopt},
      {"accepted+contact", &accepted, Contact{"已电话联系"}, CaseStatus::kAccepted},
      {"accepted+return", &accepted, Return{"x"}, CaseStatus::kReceived},
      {"accepted+extension", &accepted, RequestExtension{3, "需采购材料"}, CaseStatus::kAccepted},
      {"accepted+decision", &accepted, DecideExtension{true, ""}, std::nullopt},
      {"accepted+resolve", &accepted, Resolve{"已修复"}, CaseStatus::kResolved},
      {"accepted+rating", &accepted, Rate{cases::Rating::kSatisfied, true, ""}, std::nullopt},
      {"accepted+invalid", &accepted, MarkInvalid{"x"}, std::nullopt},
      {"resolved+review", &resolved, Review{true, ""}, CaseStatus::kResolved},
      {"resolved+review-refuse", &resolved, Review{false, "照片不清"}, CaseStatus::kAccepted},
      {"resolved+rating-unreviewed", &resolved, Rate{cases::Rating::kSatisfied, true, ""}, std::nullopt},
      {"resolved+close-unreviewed", &resolved, Close{}, std::nullopt},
      {"reviewed+rating", &reviewed, Rate{cases::Rating::kSatisfied, true, ""}, CaseStatus::kResolved},
      {"reviewed+close", &reviewed, Close{}, CaseStatus::kClosed},
      {"reviewed+reopen-unrated", &reviewed, Reopen{"x"}, std::nullopt},
      {"rated-bad+reopen", &rated_bad, Reopen{"群众不满意"}, CaseStatus::kDispatched},
      {"rated-bad+rating-again", &rated_bad, Rate{cases::Rating::kSatisfied, true, ""}, std::nullopt},
      {"closed+reopen-satisfied", &closed, Reopen{"x"}, std::nullopt},
      {"closed+dispatch", &closed, Dispatch{"cgj"}, std::nullopt},
      {"invalid+dispatch", &invalid, Dispatch{"cgj"}, std::nullopt},
      {"invalid+reopen", &invalid, Reopen{"x"}, std::nullopt},
  };
  for (const auto& row : table) {
    Context ctx = f.Ctx();
    auto events = Decide(*row.state, row.command, ctx);
    if (row.to) {
      ASSERT_TRUE(events.ok()) << row.name << ": " << events.error().message;
      Case s = *row.state;
      for (const auto& e : *events) s = Evolve(s, e);
      EXPECT_EQ(s.status, *row.to) << row.name;
      EXPECT_EQ(s.version, row.state->version + 1) << row.name;
    } else {
      ASSERT_FALSE(events.ok()) << row.name;
      EXPECT_EQ(events.error().code, ErrorCode::kConflict) << row.name;
      EXPECT_EQ(events.error().allowed, AllowedActions(*row.state)) << row.name;
      EXPECT_NE(events.error().message.find(std::string(Name(row.state->status))), std::string::npos) << row.name;
    }
  }
}

TEST(Lifecycle, DeadlinesAtIntakeAndDispatch) {
  Fixture f;
  const Case c = f.NewCase();
  EXPECT_EQ(c.accept_by, f.now + hours{2});
  EXPECT_EQ(c.resolve_by, *ParseTime("2026-12-01T09:00:00+08:00"));  // 5 working days from Tuesday
  f.now += hours{30};
  const Case d = *f.Apply(c, Dispatch{"cgj"});
  EXPECT_EQ(d.accept_by, f.now + hours{2});  // the new handler's own window
  EXPECT_EQ(d.resolve_by, c.resolve_by);     // the reporter's clock keeps running
}

TEST(Lifecycle, FractionalAcceptHours) {
  Fixture f;
  f.category.accept_hours = 0.5;
  EXPECT_EQ(f.NewCase().accept_by, f.now + minutes{30});
}

TEST(Lifecycle, UrgentLimitsRunOnTheClock) {
  Fixture f;
  f.now = *ParseTime("2026-11-27T20:00:00+08:00");  // a Friday evening
  f.category.resolve_days = 1;                      // a water outage: within 24 hours, weekend or not
  EXPECT_EQ(f.NewCase().resolve_by, f.now + hours{24});
  f.category.resolve_days = 0.25;
  EXPECT_EQ(f.NewCase().resolve_by, f.now + hours{6});
  f.category.resolve_days = 2;
  EXPECT_EQ(f.NewCase().resolve_by, *ParseTime("2026-12-01T20:00:00+08:00"));
}

TEST(Lifecycle, ExtensionsMoveTheDeadlineAndAreCapped) {
  Fixture f;
  Case s = *f.Apply(*f.Apply(f.NewCase(), Dispatch{"cgj"}), Accept{});
  const auto before = *s.resolve_by;
  s = *f.Apply(s, RequestExtension{3, "需采购"});
  EXPECT_EQ(s.pending_extension, 3.0);
  EXPECT_EQ(f.Apply(s, RequestExtension{1, "again"}).error().code, ErrorCode::kConflict);
  s = *f.Apply(s, DecideExtension{true, "同意"});
  EXPECT_EQ(*s.resolve_by, before + days{3});  // Tue 1 Dec → Fri 4 Dec
  EXPECT_EQ(s.extension_days, 3);
  auto too_many = f.Apply(s, RequestExtension{8, "more"});
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(too_many.error().field, "days");
  s = *f.Apply(s, RequestExtension{7, "more"});
  s = *f.Apply(s, DecideExtension{false, "不同意"});
  EXPECT_EQ(s.extension_days, 3);
  EXPECT_FALSE(s.pending_extension);
  EXPECT_EQ(f.Apply(s, RequestExtension{0, "zero"}).error().field, "days");
}

TEST(Lifecycle, ReturnOnlyWithinTwoWorkingDaysAndWithAReason) {
  Fixture f;
  Case s = *f.Apply(f.NewCase(), Dispatch{"cgj"});
  EXPECT_EQ(f.Apply(s, Return{"  "}).error().field, "reason");
  f.now += days{3};  // Tue 09:00 → Fri 09:00: three working days later
  auto late = f.Apply(s, Return{"不归我管"});
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kConflict);
  f.now -= days{2};
  Case r = *f.Apply(s, Return{"不归我管"});
  EXPECT_EQ(r.status, CaseStatus::kReceived);
  EXPECT_EQ(r.org, "");
  EXPECT_EQ(r.returns, 1);
}

TEST(Lifecycle, ReopenStartsNewDeadlinesAndClearsTheRating) {
  Fixture f;
  Case s = *f.Apply(*f.Apply(f.NewCase(), Dispatch{"cgj"}), Accept{});
  s = *f.Apply(*f.Apply(*f.Apply(s, Resolve{"好了"}), Review{true, ""}),
               Rate{cases::Rating::kBasicallySatisfied, false, "还在漏"});
  s = *f.Apply(s, Close{});
  f.now += days{7};
  s = *f.Apply(s, Reopen{"没解决"});
  EXPECT_EQ(s.status, CaseStatus::kDispatched);
  EXPECT_EQ(s.org, "cgj");
  EXPECT_FALSE(s.rating);
  EXPECT_FALSE(s.closed_at);
  EXPECT_EQ(s.accept_by, f.now + hours{2});
  EXPECT_EQ(s.resolve_by, f.calendar.AddWorkingDays(f.now, 5));
}

TEST(Lifecycle, MergeNeedsAnOpenTarget) {
  Fixture f;
  Case s = f.NewCase();
  Context ctx = f.Ctx();
  EXPECT_EQ(Decide(s, Merge{CaseId(42)}, ctx).error().field, "into");
  EXPECT_EQ(Decide(s, Merge{s.id}, ctx).error().field, "into");
  Case target = f.NewCase();
  target.id = cases::CaseId(42);
  ctx.merge_target = &target;
  auto ok = Decide(s, Merge{CaseId(42)}, ctx);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(Evolve(s, (*ok)[0]).merged_into, CaseId(42));
  target.status = CaseStatus::kClosed;
  EXPECT_EQ(Decide(s, Merge{CaseId(42)}, ctx).error().field, "into");
}

TEST(Lifecycle, TextLimits) {
  Fixture f;
  Case s = *f.Apply(f.NewCase(), Dispatch{"cgj"});
  std::string long_reason;
  for (int i = 0; i < 2001; ++i) long_reason += "字";
  EXPECT_EQ(f.Apply(s, Return{long_reason}).error().field, "reason");
  EXPECT_EQ(Utf8Length("字a"), 2u);
}

}  // namespace

// ---- the command centre (issue 3) ----

std::vector<EventType> Types(const std::vector<CaseEvent>& events) {
  std::vector<EventType> out;
  for (const auto& e : events) out.push_back(TypeOf(e));
  return out;
}

TEST(Alerts, ReminderThenOverdueThenNoticeEachOnce) {
  Fixture f;  // category: accept 2 h, resolve 5 working days
  Case c = *f.Apply(f.NewCase(), Dispatch{"cgj"});
  Rules rules;
  auto next = NextAlert(c, rules);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->timer, "accept");
  EXPECT_EQ(next->stage, 1);
  EXPECT_EQ(next->at, f.now + std::chrono::minutes(96)) << "80% of two hours";
  // Not yet due: nothing to write.
  EXPECT_TRUE(Decide(c, FireAlerts{}, f.Ctx())->empty());
  Fixture later = f;
  later.now = f.now + std::chrono::minutes(97);
  auto events = Decide(c, FireAlerts{}, later.Ctx());
  ASSERT_EQ(Types(*events), std::vector{EventType::kReminded});
  EXPECT_EQ(std::get<events::Reminded>((*events)[0].body).deadline, "accept");
  for (const auto& e : *events) c = Evolve(c, e);
  EXPECT_EQ(LightOf(c), Light::kYellow);
  EXPECT_TRUE(Decide(c, FireAlerts{}, later.Ctx())->empty()) << "a reminder fires once";
  later.now = f.now + std::chrono::hours(3);
  events = Decide(c, FireAlerts{}, later.Ctx());
  ASSERT_EQ(Types(*events), std::vector{EventType::kOverdue});
  for (const auto& e : *events) c = Evolve(c, e);
  EXPECT_EQ(LightOf(c), Light::kRed);
  // Accepting ends the accept timer; the light follows the active timers only.
  c = *later.Apply(c, Accept{});
  EXPECT_EQ(LightOf(c), Light::kNone);
  EXPECT_EQ(NextAlert(c, rules)->timer, "resolve");
}

TEST(Alerts, ADownedServerCatchesUpInOneCommandAndEscalatesOnce) {
  Fixture f;
  Case c = *f.Apply(*f.Apply(f.NewCase(), Dispatch{"community-1"}), Accept{});
  Fixture later = f;
  later.now = f.now + std::chrono::days(30);  // every stage of resolve has passed
  Context ctx = later.Ctx();
  ctx.town_org = "town-1";
  auto events = Decide(c, FireAlerts{}, ctx);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(Types(*events), (std::vector{EventType::kReminded, EventType::kOverdue, EventType::kSupervisionNotice,
                                         EventType::kEscalated}));
  for (const auto& e : *events) c = Evolve(c, e);
  EXPECT_EQ(c.level, cases::Level::kTown);
  EXPECT_EQ(c.org, "town-1");
  EXPECT_EQ(c.status, CaseStatus::kDispatched);
  EXPECT_EQ(std::get<events::Escalated>(events->back().body).trigger, "overdue");
  EXPECT_GT(*c.resolve_by, later.now) << "the town gets fresh limits";
  // Nothing more is due right now.
  EXPECT_TRUE(Decide(c, FireAlerts{}, ctx)->empty());
}

TEST(Escalation, ReturnedTwiceClimbsToTownThenJoint) {
  Fixture f;
  Context ctx = f.Ctx();
  ctx.town_org = "town-1";
  auto apply = [&](Case s, const Command& cmd) {
    auto events = Decide(s, cmd, ctx);
    EXPECT_TRUE(events.ok()) << (events.ok() ? "" : events.error().message);
    for (const auto& e : *events) s = Evolve(s, e);
    return s;
  };
  Case c = apply(f.NewCase(), Dispatch{"community-1"});
  c = apply(c, Return{"不属于本社区"});
  EXPECT_EQ(c.level, cases::Level::kCommunity);
  EXPECT_EQ(c.returned_by, "community-1");
  c = apply(c, Dispatch{"community-2"});
  c = apply(c, Return{"也不属于我们"});
  EXPECT_EQ(c.level, cases::Level::kTown) << "returned twice";
  EXPECT_EQ(c.org, "town-1");
  EXPECT_EQ(c.status, CaseStatus::kDispatched);
  c = apply(c, Escalate{"条块都要参与"});
  EXPECT_EQ(c.level, cases::Level::kJoint);
  auto again = Decide(c, Escalate{"x"}, ctx);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST(Escalation, TriggersAreConfigurable) {
  Fixture f;
  Context ctx = f.Ctx();
  ctx.rules.escalate_on = {};
  Case c = *f.Apply(f.NewCase(), Dispatch{"a"});
  auto first = Decide(c, Return{"x"}, ctx);
  ASSERT_TRUE(first.ok());
  for (const auto& e : *first) c = Evolve(c, e);
  c = *f.Apply(c, Dispatch{"b"});
  auto events = Decide(c, Return{"y"}, ctx);
  EXPECT_EQ(Types(*events), std::vector{EventType::kReturned});
}

TEST(Whistle, DepartmentsCheckInReportAndTheLeadResolves) {
  Fixture f;
  Case c = *f.Apply(f.NewCase(), Dispatch{"town-1"});
  c = *f.Apply(c, Accept{});
  c = *f.Apply(c, BlowWhistle{"cgj", {"zjj", "scjgj"}, std::nullopt, "占道经营反复"});
  ASSERT_TRUE(c.whistle);
  EXPECT_EQ(c.org, "cgj");
  EXPECT_EQ(c.level, cases::Level::kTown);
  ASSERT_EQ(c.whistle->parts.size(), 3u);
  EXPECT_EQ(c.whistle->parts[0].check_in_by, f.now + std::chrono::minutes(30)) << "half an hour by default";
  EXPECT_FALSE(f.Apply(c, BlowWhistle{"cgj", {}, 1.0, ""}).ok()) << "one whistle";
  EXPECT_FALSE(f.Apply(c, ReportPart{"zjj", "x"}).ok()) << "check in first";
  EXPECT_FALSE(f.Apply(c, CheckIn{"gaj"}).ok()) << "not a department of this whistle";
  c = *f.Apply(c, CheckIn{"cgj"});
  c = *f.Apply(c, CheckIn{"zjj"});
  // scjgj misses its check-in: an event against it, and the case climbs to joint handling.
  Fixture later = f;
  later.now = f.now + std::chrono::minutes(31);
  auto events = Decide(c, FireAlerts{}, later.Ctx());
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(Types(*events), (std::vector{EventType::kReminded, EventType::kCheckInMissed, EventType::kEscalated}));
  EXPECT_EQ(std::get<events::CheckInMissed>((*events)[1].body).org, "scjgj");
  for (const auto& e : *events) c = Evolve(c, e);
  EXPECT_TRUE(c.whistle->parts[2].missed);
  EXPECT_EQ(c.level, cases::Level::kJoint);
  c = *later.Apply(c, CheckIn{"scjgj"});  // late, but still counted as missed
  EXPECT_TRUE(c.whistle->parts[2].missed);
  c = *later.Apply(c, ReportPart{"zjj", "已拆除违建"});
  auto early = later.Apply(c, Resolve{"已处理"});
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.error().message.find("cgj, scjgj"), std::string::npos) << early.error().message;
  c = *later.Apply(c, ReportPart{"scjgj", "已查处"});
  c = *later.Apply(c, ReportPart{"cgj", "已清理"});
  c = *later.Apply(c, Resolve{"三部门联合处置完毕"});
  EXPECT_EQ(c.status, CaseStatus::kResolved);
}

TEST(Supervision, FlagWithNewDeadlineAndNotice) {
  Fixture f;
  Case c = *f.Apply(*f.Apply(f.NewCase(), Dispatch{"cgj"}), Accept{});
  EXPECT_FALSE(f.Apply(c, Supervise{"尽快处理", f.now - std::chrono::hours(1)}).ok()) << "past deadline";
  c = *f.Apply(c, Supervise{"尽快处理", f.now + std::chrono::hours(10)});
  ASSERT_EQ(c.supervisions.size(), 1u);
  EXPECT_EQ(c.timers.at("supervision").due, f.now + std::chrono::hours(10));
  auto next = NextAlert(c, Rules{});
  EXPECT_EQ(next->timer, "supervision");
  EXPECT_EQ(next->at, f.now + std::chrono::hours(8));
}

TEST(Returns, TheCentreDecidesADisputedReturn) {
  Fixture f;
  Case c = *f.Apply(*f.Apply(f.NewCase(), Dispatch{"cgj"}), Return{"应由住建处理"});
  EXPECT_EQ(c.returned_by, "cgj");
  EXPECT_FALSE(f.Apply(c, DecideReturn{true, "cgj", ""}).ok()) << "upheld: another org";
  EXPECT_FALSE(f.Apply(c, DecideReturn{false, "", ""}).ok()) << "refusal needs a note";
  Case upheld = *f.Apply(c, DecideReturn{true, "zjj", "改派住建"});
  EXPECT_EQ(upheld.org, "zjj");
  EXPECT_EQ(upheld.status, CaseStatus::kDispatched);
  Case refused = *f.Apply(c, DecideReturn{false, "", "属城管职责"});
  EXPECT_EQ(refused.org, "cgj");
  EXPECT_TRUE(refused.returned_by.empty());
}

TEST(Reporters, EveryReporterIsAskedAndRates) {
  Fixture f;
  Case c = *f.Apply(*f.Apply(f.NewCase(), Dispatch{"cgj"}), Accept{});
  cases::Reporter other;
  other.name = "李四";
  c = *f.Apply(c, Join{other, CaseId(12), {}});
  c = *f.Apply(*f.Apply(c, Resolve{"已修复"}), Review{true, ""});
  EXPECT_TRUE(IsTimerActive(c, "follow_up"));
  c = *f.Apply(c, Rate{cases::Rating::kSatisfied, true, "", 0});
  EXPECT_TRUE(IsTimerActive(c, "follow_up")) << "the joined reporter is still to be asked";
  EXPECT_FALSE(f.Apply(c, Rate{cases::Rating::kSatisfied, true, "", 0}).ok());
  EXPECT_FALSE(f.Apply(c, Rate{cases::Rating::kSatisfied, true, "", 2}).ok());
  c = *f.Apply(c, Rate{cases::Rating::kBasicallySatisfied, true, "", 1});
  EXPECT_EQ(c.joined[0].rating, cases::Rating::kBasicallySatisfied);
  EXPECT_FALSE(IsTimerActive(c, "follow_up"));
}

// Joins are idempotent per reporter: the same phone (its keyed hash) or the same signed-in resident adds
// nobody; a blank reporter is refused naming the field.
TEST(Reporters, JoinsCountEachReporterOnce) {
  Fixture f;
  Case c = f.NewCase();
  cases::Reporter someone;
  someone.name = "周九";
  EXPECT_EQ(ReporterOf(c, Join{someone, CaseId(), "tester"}), 0) << "a resident who reported it is its reporter";
  c.taken_by = "hotline";  // from here, taken in by the hotline
  c.origin.reporter.phone.lookup = "hash-first";
  cases::Reporter blank;
  auto refused = f.Apply(c, Join{blank, CaseId(), {}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "reporter");
  cases::Reporter spaces;
  spaces.name = "\u3000\u200b";
  EXPECT_FALSE(f.Apply(c, Join{spaces, CaseId(), {}}).ok()) << "blank after the text rule";

  cases::Reporter a;
  a.name = "孙八";
  a.phone.cipher = "x";
  a.phone.lookup = "hash-a";
  Context hotline = f.Ctx();
  hotline.actor = "hotline";  // a channel key joins a caller on their behalf
  auto by_hotline = [&](const Case& state, const cases::Reporter& r) {
    auto events = Decide(state, Join{r, CaseId(), {}}, hotline);
    EXPECT_TRUE(events.ok());
    Case out = state;
    if (events.ok())
      for (const auto& e : events.value()) out = Evolve(out, e);
    return out;
  };
  c = by_hotline(c, a);
  ASSERT_EQ(c.joined.size(), 1u);
  cases::Reporter a_again = a;
  a_again.name = "孙先生";
  a_again.phone.cipher = "y";  // sealed again: another ciphertext, the same keyed hash
  auto again = Decide(c, Join{a_again, CaseId(), {}}, f.Ctx());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(ReporterOf(c, Join{a_again, CaseId(), {}}), 1);

  cases::Reporter first;
  first.phone.cipher = "z";
  first.phone.lookup = "hash-first";
  EXPECT_EQ(ReporterOf(c, Join{first, CaseId(), {}}), 0) << "the case's own reporter";
  EXPECT_TRUE(Decide(c, Join{first, CaseId(), {}}, f.Ctx())->empty());

  // A signed-in resident (the fixture's actor) is one reporter, whatever it types; staff joining on behalf
  // of callers (no resident) add each new caller.
  cases::Reporter b;
  b.name = "李四";
  c = *f.Apply(c, Join{b, CaseId(), "tester"});
  ASSERT_EQ(c.joined.size(), 2u);
  cases::Reporter b2;
  b2.name = "李小四";
  EXPECT_TRUE(Decide(c, Join{b2, CaseId(), "tester"}, f.Ctx())->empty());
  EXPECT_EQ(ReporterOf(c, Join{b2, CaseId(), "tester"}), 2);
  c = by_hotline(c, b2);
  EXPECT_EQ(c.joined.size(), 3u);
}

TEST(Routing, DispatchByRuleIsExplained) {
  Fixture f;
  Case c = *f.Apply(f.NewCase(), Dispatch{"cgj", 12, "rule 12: category 06 → cgj"});
  ASSERT_TRUE(c.routing);
  EXPECT_EQ(c.routing->rule, 12);
  EXPECT_EQ(c.routing->reason, "rule 12: category 06 → cgj");
}

}  // namespace civicgrid::cases

// The scenario format and interpreter against a fake product: parsing, variables, JSON paths, comparisons
// and, above all, that a failure names the right line and what differed.
#include "testing/scenario.h"

#include <gtest/gtest.h>

#include <functional>

namespace civicgrid::testing {
namespace {

// Answers every request with `answer(request)`; records what it was sent.
class FakeProduct final : public Product {
 public:
  std::function<http::Response(const http::Request&)> answer;
  std::vector<http::Request> sent;
  TimePoint now = *ParseTime("2026-11-24T09:00:00+08:00");
  int settles = 0, restarts = 0;

  http::Response Call(http::Request& request) override {
    sent.push_back(request);
    return answer(request);
  }
  const std::string* TokenOf(const std::string& login) const override {
    static const std::map<std::string, std::string> kTokens = {{"admin", "t-admin"}, {"cgj", "t-cgj"}};
    auto it = kTokens.find(login);
    return it == kTokens.end() ? nullptr : &it->second;
  }
  TimePoint Now() const override { return now; }
  Status SetClock(TimePoint to) override {
    now = to;
    return OkStatus();
  }
  Status Restart(milliseconds down) override {
    ++restarts;
    now += down;
    return OkStatus();
  }
  Status Settle() override {
    ++settles;
    return OkStatus();
  }
};

http::Response Json(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  if (status >= 400) r.content_type = "application/problem+json";
  return r;
}

Outcome Play(const std::string& text, FakeProduct& product) {
  auto steps = ParseScenario(text);
  EXPECT_TRUE(steps.ok()) << steps.error().message;
  if (!steps.ok()) return {};
  return RunScenario(*steps, product);
}

TEST(ScenarioParse, StepsCommentsAndContinuations) {
  auto steps = ParseScenario(
      "# a comment\n"
      "\n"
      "as cgj\n"
      "post /api/v1/cases {\"a\": 1,\n"
      "    \"b\": 2}\n"
      "  # a comment inside is dropped\n"
      "expect status 201\r\n");
  ASSERT_TRUE(steps.ok()) << steps.error().message;
  ASSERT_EQ(steps->size(), 3u);
  EXPECT_EQ((*steps)[1].line, 4);
  EXPECT_EQ((*steps)[1].verb, "post");
  EXPECT_EQ((*steps)[1].text, "/api/v1/cases {\"a\": 1, \"b\": 2}");
  EXPECT_EQ((*steps)[2].text, "status 201");
}

TEST(ScenarioParse, TyposFailBeforeAnythingRuns) {
  auto bad = ParseScenario("as admin\n\npots /api/v1/cases\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("line 3"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("'pots'"), std::string::npos);
  bad = ParseScenario("expect stauts 200\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("stauts"), std::string::npos);
  EXPECT_FALSE(ParseScenario("  indented first\n").ok());
}

TEST(ScenarioParse, Durations) {
  EXPECT_EQ(ParseDuration("90m"), milliseconds{90 * 60000});
  EXPECT_EQ(ParseDuration("1d2h30m"), milliseconds{(24 + 2) * 3600000LL + 30 * 60000});
  EXPECT_EQ(ParseDuration("1.5h"), milliseconds{5400000});
  EXPECT_EQ(ParseDuration("45s"), milliseconds{45000});
  EXPECT_FALSE(ParseDuration("3"));
  EXPECT_FALSE(ParseDuration("3w"));
  EXPECT_FALSE(ParseDuration(""));
  EXPECT_FALSE(ParseDuration("-1h"));
}

TEST(ScenarioRun, PassesWhenTheRepliesMatch) {
  FakeProduct p;
  p.answer = [](const http::Request& r) {
    if (r.method == "POST")
      return Json(201, R"({"id": 7, "status": "received", "grid": {"code": "320923001001001"},
      "allowed_actions": ["dispatch", "invalid"], "items": [{"id": 3}, {"id": 5}], "n": 2.0, "org": null})");
    return Json(200, R"({"items": [{"type": "received"}, {"type": "overdue", "payload": {"deadline": "accept"}}]})");
  };
  Outcome o = Play(R"(as cgj
post /api/v1/cases {"title": "t"}
expect status 201
expect field status = received
expect field grid.code = 320923001001001
expect field allowed_actions contains dispatch
expect field allowed_actions lacks accept
expect field items.length = 2
expect field items.-1.id = 5
expect field items.*.id = [3, 5]
expect field n = 2
expect field n > 1.5
expect field org = null
expect no field whistle
let id = id
let label = "case-$id"
post /api/v1/cases/$id/accept {"note": "$label"}
expect event overdue payload.deadline = accept
expect no event escalated
expect events received overdue
)",
                   p);
  EXPECT_TRUE(o.passed) << o.line << ": " << o.message;
  ASSERT_GE(p.sent.size(), 2u);
  EXPECT_EQ(p.sent[0].headers.at("authorization"), "Bearer t-cgj");
  EXPECT_EQ(p.sent[1].path, "/api/v1/cases/7/accept");
  EXPECT_EQ(p.sent[1].body, R"({"note": "case-7"})");
  // The audit trail is read as the admin, of the case the last request was about.
  EXPECT_EQ(p.sent.back().path, "/api/v1/cases/7/events");
  EXPECT_EQ(p.sent.back().headers.at("authorization"), "Bearer t-admin");
  EXPECT_EQ(p.settles, 2) << "settled after every request";
}

TEST(ScenarioRun, AFailureNamesItsLineAndWhatDiffered) {
  FakeProduct p;
  p.answer = [](const http::Request&) { return Json(200, R"({"status": "dispatched", "returns": 1})"); };
  Outcome o = Play("get /api/v1/cases/3\nexpect field returns = 1\n\nexpect field status = accepted\n", p);
  EXPECT_FALSE(o.passed);
  EXPECT_EQ(o.line, 4);
  EXPECT_NE(o.message.find("expected = accepted"), std::string::npos) << o.message;
  EXPECT_NE(o.message.find("\"dispatched\""), std::string::npos) << o.message;
  EXPECT_NE(o.context.find("GET /api/v1/cases/3"), std::string::npos) << o.context;
}

TEST(ScenarioRun, ARequestWithoutExpectStatusMustSucceed) {
  FakeProduct p;
  p.answer = [](const http::Request&) { return Json(409, R"({"status": 409, "detail": "not now", "field": "org"})"); };
  Outcome o = Play("as admin\npost /api/v1/cases/3/accept\nexpect field status = 409\n", p);
  EXPECT_FALSE(o.passed);
  EXPECT_EQ(o.line, 2);
  EXPECT_NE(o.message.find("409"), std::string::npos) << o.message;
  EXPECT_NE(o.message.find("not now"), std::string::npos) << o.message;
  FakeProduct q;
  q.answer = p.answer;
  o = Play("post /api/v1/cases/3/accept\nexpect status 409\nexpect error-field org\n", q);
  EXPECT_TRUE(o.passed) << o.message;
  o = Play("post /api/v1/cases/3/accept\nexpect status 409\nexpect error-field note\n", q);
  EXPECT_FALSE(o.passed);
  EXPECT_EQ(o.line, 3);
}

TEST(ScenarioRun, ClockVariablesAndCallers) {
  FakeProduct p;
  p.answer = [](const http::Request&) { return Json(200, "{}"); };
  Outcome o = Play(
      "advance 1d2h\npost /x {\"due\": \"${now+1h}\"}\nset clock 2026-12-07T09:00+08:00\nas nobody\nget /y\n"
      "restart after 90m\n",
      p);
  EXPECT_TRUE(o.passed) << o.message;
  EXPECT_EQ(p.sent[0].body, R"({"due": "2026-11-25T12:00:00.000+08:00"})");
  EXPECT_EQ(p.now, *ParseTime("2026-12-07T10:30:00+08:00"));
  EXPECT_EQ(p.restarts, 1);
  EXPECT_FALSE(p.sent[1].headers.count("authorization"));
  o = Play("as stranger\n", p);
  EXPECT_FALSE(o.passed);
  EXPECT_NE(o.message.find("stranger"), std::string::npos);
  o = Play("post /x {\"a\": $missing}\n", p);
  EXPECT_FALSE(o.passed);
  EXPECT_NE(o.message.find("$missing"), std::string::npos);
}

TEST(ScenarioRun, QueryStringsAreDecodedLikeTheServerDoes) {
  FakeProduct p;
  p.answer = [](const http::Request&) { return Json(200, "{}"); };
  Outcome o = Play("get /api/v1/cases?q=%E4%BA%95%E7%9B%96&limit=5\n", p);
  EXPECT_TRUE(o.passed) << o.message;
  EXPECT_EQ(p.sent[0].path, "/api/v1/cases");
  EXPECT_EQ(p.sent[0].query.at("q"), "井盖");
  EXPECT_EQ(p.sent[0].query.at("limit"), "5");
}

}  // namespace
}  // namespace civicgrid::testing

#include "http/message.h"

#include <gtest/gtest.h>

namespace civicgrid::http {
namespace {

TEST(QueryString, DecodesChineseAndPlus) {
  std::map<std::string, std::string> q;
  ASSERT_TRUE(ParseQueryString("q=%E4%BA%95%E7%9B%96&a=b+c&empty=&flag", q));
  EXPECT_EQ(q["q"], "井盖");
  EXPECT_EQ(q["a"], "b c");
  EXPECT_EQ(q["empty"], "");
  EXPECT_TRUE(q.count("flag"));
}

TEST(QueryString, RejectsBadEscapes) {
  std::map<std::string, std::string> q;
  EXPECT_FALSE(ParseQueryString("a=%zz", q));
  EXPECT_FALSE(ParseQueryString("a=%4", q));
  EXPECT_FALSE(ParseQueryString("a=%", q));
}

TEST(QueryString, KeepsEveryValueInOrder) {
  Request req;
  ASSERT_TRUE(ParseQueryString("status=a&x=1&status=b", req.query, &req.query_all));
  EXPECT_EQ(req.query["status"], "b");
  EXPECT_EQ(QueryValues(req, "status"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(QueryValues(req, "y"), std::vector<std::string>{});
}

TEST(CheckQuery, NamesAnUnknownOrRepeatedSingleParameter) {
  Request req;
  ASSERT_TRUE(ParseQueryString("status=a&status=b&limit=1", req.query, &req.query_all));
  EXPECT_TRUE(CheckQuery(req, {"status*", "limit"}).ok());
  auto unknown = CheckQuery(req, {"status*"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().field, "limit");
  EXPECT_EQ(unknown.error().code, ErrorCode::kBadRequest);
  auto repeated = CheckQuery(req, {"status", "limit"});
  ASSERT_FALSE(repeated.ok());
  EXPECT_EQ(repeated.error().field, "status");
  // A request built by hand, without query_all, is checked on its map.
  Request hand;
  hand.query["colour"] = "red";
  EXPECT_FALSE(CheckQuery(hand, {"status*"}).ok());
  EXPECT_TRUE(CheckQuery(Request{}, {}).ok());
}

}  // namespace
}  // namespace civicgrid::http

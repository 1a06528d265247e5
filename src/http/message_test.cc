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

}  // namespace
}  // namespace civicgrid::http

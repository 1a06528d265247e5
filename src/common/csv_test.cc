#include "common/csv.h"

#include <gtest/gtest.h>

namespace civicgrid::csv {
namespace {

TEST(Csv, QuotedFieldsAndCrLf) {
  auto rows = Parse("a,b\r\n\"x, \"\"y\"\"\",2\r\nz,\"multi\nline\"\r\n", {"a", "b"});
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0]["a"], "x, \"y\"");
  EXPECT_EQ((*rows)[1]["b"], "multi\nline");
}

TEST(Csv, Errors) {
  EXPECT_FALSE(Parse("a,b\n1\n", {}).ok());
  EXPECT_FALSE(Parse("a,b\n\"1,2\n", {}).ok());
  EXPECT_FALSE(Parse("a\n1\n", {"b"}).ok());
  EXPECT_FALSE(Parse("", {}).ok());
  EXPECT_TRUE(Parse("\xEF\xBB\xBF" "a\n1", {"a"}).ok());
}

}  // namespace
}  // namespace civicgrid::csv

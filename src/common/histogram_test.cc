#include "common/histogram.h"

#include <gtest/gtest.h>

namespace civicgrid {
namespace {

TEST(HistogramTest, CumulativeBucketsSumAndCount) {
  Histogram h;
  h.Observe(0.0003);  // ≤ 0.0005
  h.Observe(0.0005);  // on a bound: counted in that bucket (le is ≤)
  h.Observe(0.003);   // ≤ 0.005
  h.Observe(30);      // above every bound: +Inf only
  const std::string text = h.Render("x_seconds", "kind=\"a\"");
  EXPECT_NE(text.find("x_seconds_bucket{kind=\"a\",le=\"0.0005\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_bucket{kind=\"a\",le=\"0.002\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_bucket{kind=\"a\",le=\"0.005\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_bucket{kind=\"a\",le=\"10\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_bucket{kind=\"a\",le=\"+Inf\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_sum{kind=\"a\"} 30.0038\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_count{kind=\"a\"} 4\n"), std::string::npos) << text;
  EXPECT_EQ(h.count(), 4u);
}

TEST(HistogramTest, NoLabels) {
  Histogram h;
  const std::string text = h.Render("y_seconds", "");
  EXPECT_NE(text.find("y_seconds_bucket{le=\"+Inf\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("y_seconds_sum 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("y_seconds_count 0\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace civicgrid

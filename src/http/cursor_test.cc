#include "http/cursor.h"

#include <gtest/gtest.h>

namespace civicgrid::http {
namespace {

TEST(Cursor, KeysetRoundTrips) {
  auto c = DecodeCursor(EncodeKeysetCursor(42), false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->before, 42);
  EXPECT_FALSE(c->offset);
  c = DecodeCursor(EncodeKeysetCursor(INT64_MAX), false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->before, INT64_MAX);
}

TEST(Cursor, OffsetRoundTrips) {
  auto c = DecodeCursor(*EncodeOffsetCursor(20), true);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->offset, 20);
  EXPECT_FALSE(c->before);
}

// Found by tests/fuzz/cursor_fuzz.cc: a ranked list at offset 9900 with limit 500 used to issue "o10400",
// which the decoder refuses as not issued by this server. The encoder now ends the list instead.
TEST(Cursor, NoOffsetCursorPastTheCap) {
  EXPECT_FALSE(EncodeOffsetCursor(kMaxRankedOffset + 400));
  ASSERT_TRUE(EncodeOffsetCursor(kMaxRankedOffset));
  EXPECT_TRUE(DecodeCursor(*EncodeOffsetCursor(kMaxRankedOffset), true).ok());
}

TEST(Cursor, RefusesWhatItDidNotIssue) {
  for (const char* text :
       {"", "c", "o", "x5", "c0", "c-3", "c+3", "c3x", "c 3", "c99999999999999999999", "o10001", "o0"})
    EXPECT_FALSE(DecodeCursor(text, false).ok() || DecodeCursor(text, true).ok()) << text;
  // A keyset cursor does not continue a ranked list, nor an offset cursor a plain one.
  EXPECT_FALSE(DecodeCursor("c5", true).ok());
  EXPECT_FALSE(DecodeCursor("o5", false).ok());
  auto e = DecodeCursor("zzz", false);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(e.error().field, "cursor");
}

}  // namespace
}  // namespace civicgrid::http

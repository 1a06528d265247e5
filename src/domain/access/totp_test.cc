#include "domain/access/totp.h"

#include <gtest/gtest.h>

namespace civicgrid::access {
namespace {

TEST(Totp, Rfc6238TestVectorsForSha1) {
  const std::string key = "12345678901234567890";  // RFC 6238 appendix B
  EXPECT_EQ(TotpCode(key, FromMillis(59'000), 8), "94287082");
  EXPECT_EQ(TotpCode(key, FromMillis(1111111109'000), 8), "07081804");
  EXPECT_EQ(TotpCode(key, FromMillis(1234567890'000), 8), "89005924");
  EXPECT_EQ(TotpCode(key, FromMillis(20000000000'000), 8), "65353130");
}

TEST(Totp, Base32RoundTripAndDrift) {
  EXPECT_EQ(Base32Encode("12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(*Base32Decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), "12345678901234567890");
  EXPECT_FALSE(Base32Decode("!!"));
  const std::string secret = NewTotpSecret();
  const TimePoint now = FromMillis(1790000000000);
  const std::string code = TotpCode(*Base32Decode(secret), now);
  EXPECT_TRUE(VerifyTotp(secret, code, now + seconds{25}));
  EXPECT_FALSE(VerifyTotp(secret, code, now + seconds{95}));
  EXPECT_FALSE(VerifyTotp(secret, "12345", now));
}

TEST(Totp, MatchNamesTheCodesStep) {
  const std::string secret = NewTotpSecret();
  const TimePoint now = FromMillis(1790000000000);  // step 59666666, 20 s into it
  const std::string code = TotpCode(*Base32Decode(secret), now);
  EXPECT_EQ(TotpStep(now), 59666666);
  // The same code, seen from the step before, its own and the one after: always its own step.
  EXPECT_EQ(MatchTotp(secret, code, now - seconds{30}), 59666666);
  EXPECT_EQ(MatchTotp(secret, code, now), 59666666);
  EXPECT_EQ(MatchTotp(secret, code, now + seconds{30}), 59666666);
  EXPECT_EQ(MatchTotp(secret, code, now + seconds{60}), std::nullopt);
  EXPECT_EQ(MatchTotp(secret, "abcdef", now), std::nullopt);
}

}  // namespace
}  // namespace civicgrid::access

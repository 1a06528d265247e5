// Stored event payloads are the audit trail of every store ever written: the typed events must read what
// older releases wrote (when events were one struct of optional fields) and write it back byte for byte.
#include "store/codec.h"

#include <gtest/gtest.h>

namespace civicgrid::store {
namespace {

struct Golden {
  cases::EventType type;
  const char* payload;  // as the release before typed events wrote it (keys sorted, set fields only)
};

const Golden kGolden[] = {
    {cases::EventType::kAccepted, R"({})"},
    {cases::EventType::kDispatched,
     R"({"accept_by":1764000000000,"org":"320923-cgj","rule":3,"text":"rule 3: category 06 → 320923-cgj"})"},
    {cases::EventType::kDispatched, R"({"accept_by":1764000000000,"org":"320923-cgj"})"},
    {cases::EventType::kReturned, R"({"org":"320923-cgj","text":"非本单位职责"})"},
    {cases::EventType::kExtensionRequested, R"({"days":2.5,"text":"需要协调"})"},
    {cases::EventType::kExtensionDecided, R"({"approve":true,"days":2.5,"resolve_by":1764900000000,"text":"同意"})"},
    {cases::EventType::kReviewed, R"({"approve":true,"due":1765000000000})"},
    {cases::EventType::kReviewed, R"({"approve":false,"text":"照片不清楚"})"},
    {cases::EventType::kRated, R"({"rating":"dissatisfied","reporter_index":2,"solved":false,"text":"没修好"})"},
    {cases::EventType::kReopened,
     R"({"accept_by":1764000000000,"org":"320923-cgj","resolve_by":1764500000000,"text":"群众不满意"})"},
    {cases::EventType::kMerged, R"({"into":42})"},
    {cases::EventType::kCheckInMissed, R"({"deadline":"check_in:320923-zjj","due":1764000000000,"org":"320923-zjj"})"},
    {cases::EventType::kReminded, R"({"deadline":"accept","due":1764000000000})"},
    {cases::EventType::kEscalated,
     R"({"accept_by":1764000000000,"level":"town","org":"320923001","resolve_by":1764500000000,"trigger":"overdue"})"},
    {cases::EventType::kEscalated, R"({"level":"joint","text":"难事条块一起办","trigger":"manual"})"},
    {cases::EventType::kWhistled, R"({"due":1764001800000,"org":"320923-cgj","orgs":["320923-zjj"],"text":"吹哨"})"},
    {cases::EventType::kPartReported, R"({"org":"320923-zjj","text":"已处理"})"},
    {cases::EventType::kSupervised, R"({"due":1764500000000,"text":"限期办结"})"},
    {cases::EventType::kReturnDecided,
     R"({"accept_by":1764000000000,"approve":true,"org":"320923-zjj","text":"改派"})"},
    {cases::EventType::kJoined,
     R"({"from":7,"reporter":{"anonymous":false,"id_number":null,"name":"李四","phone":{"cipher":"c1","lookup":"l1","masked":"138****5678"}}})"},
    {cases::EventType::kReceived,
     R"({"accept_by":1764007200000,"duplicates":[3,5],"origin":{"address":"人民路","category":"06013","channel":"12345","description":"路面破损","external_id":"","grid":"320923001001001","location":{"lat":33.78,"lon":119.81},"number":"GD20261124-0000001","region_path":"/320923/320923001/320923001001/320923001001001/","reporter":{"anonymous":false,"id_number":null,"name":"张三","phone":null},"title":"路面破损"},"resolve_by":1764600000000})"},
};

TEST(Codec, ReadsAndWritesOlderPayloadsByteForByte) {
  for (const auto& g : kGolden) {
    cases::CaseEvent e;
    e.body = cases::EmptyBody(g.type);
    ASSERT_TRUE(DecodeEventPayload(g.payload, e).ok()) << g.payload;
    EXPECT_EQ(cases::TypeOf(e), g.type);
    EXPECT_EQ(EncodeEventPayload(e), g.payload);
  }
}

TEST(Codec, TypedFieldsComeFromTheirStoredKeys) {
  cases::CaseEvent e;
  e.body = cases::EmptyBody(cases::EventType::kRated);
  ASSERT_TRUE(DecodeEventPayload(kGolden[8].payload, e).ok());
  const auto& rated = std::get<cases::events::Rated>(e.body);
  EXPECT_EQ(rated.rating, cases::Rating::kDissatisfied);
  EXPECT_EQ(rated.reporter, 2);
  EXPECT_EQ(rated.comment, "没修好");
  e.body = cases::EmptyBody(cases::EventType::kWhistled);
  ASSERT_TRUE(DecodeEventPayload(kGolden[15].payload, e).ok());
  const auto& whistled = std::get<cases::events::Whistled>(e.body);
  EXPECT_EQ(whistled.lead, "320923-cgj");
  EXPECT_EQ(whistled.co, std::vector<std::string>{"320923-zjj"});
  EXPECT_EQ(whistled.check_in_by, FromMillis(1764001800000));
  e.body = cases::EmptyBody(cases::EventType::kMerged);
  EXPECT_FALSE(DecodeEventPayload("{not json", e).ok());
}

}  // namespace
}  // namespace civicgrid::store

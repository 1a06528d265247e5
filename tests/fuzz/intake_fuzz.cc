// libFuzzer target: a POST /api/v1/cases body as the server decodes it (http::ParseObject, then
// http::ParseIntake). Checks: no crash, no sanitizer report, no exception out of the decoder, and every
// refusal is a 4xx (kBadRequest or kInvalid) naming the offending field.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "http/intake_decode.h"
#include "http/json_util.h"

using namespace civicgrid;

namespace {
void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "intake_fuzz: invariant broken: %s\n", what);
    abort();
  }
}
void CheckRefusal(const Error& e) {
  Check(e.code == ErrorCode::kBadRequest || e.code == ErrorCode::kInvalid, "a refusal is a 400 or a 422");
  Check(!e.field.empty(), "a refusal names the field");
  Check(!e.message.empty(), "a refusal says why");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto object = http::ParseObject(body);
  if (!object.ok()) {
    CheckRefusal(object.error());
    return 0;
  }
  auto intake = http::ParseIntake(*object);
  if (!intake.ok()) {
    CheckRefusal(intake.error());
    return 0;
  }
  // Accepted: the required fields were strings in the body, and a location carries both coordinates.
  Check(object->contains("channel") && object->contains("category") && object->contains("title"),
        "accepted without a required field");
  if (intake->location) Check(object->at("location").is_object(), "a location from something not an object");
  return 0;
}

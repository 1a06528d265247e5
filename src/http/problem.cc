#include "http/problem.h"

#include <nlohmann/json.hpp>

#include "common/log.h"

namespace civicgrid::http {
namespace {

const char* TitleOf(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}

}  // namespace

int StatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest: return 400;
    case ErrorCode::kInvalid: return 422;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kUnauthorized: return 401;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kMethodNotAllowed: return 405;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kUriTooLong: return 414;
    case ErrorCode::kTooManyRequests: return 429;
    case ErrorCode::kHeadersTooLarge: return 431;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

Response ProblemResponse(const Error& error) {
  using nlohmann::json;
  const int status = StatusOf(error.code);
  json j = {{"type", "about:blank"}, {"title", TitleOf(status)}, {"status", status}, {"detail", error.message}};
  if (!error.field.empty()) j["field"] = error.field;
  if (!error.allowed.empty()) j["allowed_actions"] = error.allowed;
  if (status == 500) {
    log::Error("internal error: " + error.message);
    j["detail"] = "internal error";  // details stay in the log
  }
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = j.dump(-1, ' ', false, json::error_handler_t::replace);
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  if (error.retry_after > 0) r.headers.emplace_back("Retry-After", std::to_string(error.retry_after));
  return r;
}

}  // namespace civicgrid::http

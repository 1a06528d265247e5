// Expected failures as values (LevelDB's Status, with a payload). Errors become HTTP problem documents in
// exactly one place (http/problem.cc), also those the server finds before a request is parsed; the code
// here only says what went wrong and which field.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace civicgrid {

enum class ErrorCode {
  kBadRequest,        // the request cannot be read at all (malformed JSON, bad query syntax): 400
  kInvalid,           // readable but wrong (missing field, wrong type, unknown code, out of range): 422
  kNotFound,          // 404
  kConflict,          // an action not allowed in the current state, or a lost race: 409
  kUnauthorized,      // 401
  kForbidden,         // 403
  kMethodNotAllowed,  // the path exists, the method does not: 405
  kTooLarge,          // a body over its limit: 413
  kUriTooLong,        // 414
  kTooManyRequests,   // a rate limit: 429, with retry_after
  kHeadersTooLarge,   // 431
  kUnavailable,       // the store cannot take writes (disk full, shutting down), or too busy: 503
  kInternal,          // a bug or an unexpected store failure: 500
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;                 // the offending input field, when there is one
  std::vector<std::string> allowed;  // for kConflict on a case: the actions allowed now
  int retry_after = 0;               // seconds, for kTooManyRequests and kUnavailable; 0: not said
};

inline Error Invalid(std::string field, std::string message) {
  return Error{ErrorCode::kInvalid, std::move(message), std::move(field), {}};
}
inline Error BadRequest(std::string field, std::string message) {
  return Error{ErrorCode::kBadRequest, std::move(message), std::move(field), {}};
}
inline Error NotFound(std::string message) { return Error{ErrorCode::kNotFound, std::move(message), {}, {}}; }
inline Error Conflict(std::string message, std::vector<std::string> allowed = {}) {
  return Error{ErrorCode::kConflict, std::move(message), {}, std::move(allowed)};
}
inline Error Internal(std::string message) { return Error{ErrorCode::kInternal, std::move(message), {}, {}}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace civicgrid

#pragma once

// Errors at boundaries are values: a Result holds either what was asked for or an Error whose
// message names the place and says what was expected and what was found.

#include <string>
#include <utility>
#include <variant>

#include "allocator/check.hpp"

namespace mesosim {

struct Error {
  std::string message;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    MESOSIM_CHECK(ok(), error_message_or_empty().c_str());
    return std::get<0>(v_);
  }
  T& value() & {
    MESOSIM_CHECK(ok(), error_message_or_empty().c_str());
    return std::get<0>(v_);
  }
  T&& value() && {
    MESOSIM_CHECK(ok(), error_message_or_empty().c_str());
    return std::get<0>(std::move(v_));
  }
  const Error& error() const {
    MESOSIM_CHECK(!ok(), "Result holds a value, not an error");
    return std::get<1>(v_);
  }

 private:
  std::string error_message_or_empty() const { return ok() ? "" : std::get<1>(v_).message; }
  std::variant<T, Error> v_;
};

// For operations that return nothing but may fail.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}
  static Status success() { return {}; }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace mesosim

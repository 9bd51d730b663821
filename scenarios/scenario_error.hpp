#pragma once

// What a scenario that cannot be loaded gets: a value naming the place (file, line and column,
// 1-based; or the --set override that brought the value in) and what was expected there.

#include <string>
#include <utility>
#include <variant>

#include "allocator/check.hpp"

namespace mesosim {

struct ScenarioError {
  std::string file;  // as given, or "--set" for an override
  int line = 0;      // 1-based; 0 when the place is not in a file
  int column = 0;    // 1-based; 0 when the place is not in a file
  // The whole message, place included: "unknown key 'alocator' at quickstart.yaml:3:1; did you
  // mean 'allocator'?"
  std::string message;
};

// A scenario-level value or the ScenarioError that prevented it.
template <typename T>
class [[nodiscard]] ScenarioResult {
 public:
  ScenarioResult(T value) : v_(std::move(value)) {}
  ScenarioResult(ScenarioError error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& {
    MESOSIM_CHECK(ok(), "ScenarioResult holds an error");
    return std::get<0>(v_);
  }
  T&& value() && {
    MESOSIM_CHECK(ok(), "ScenarioResult holds an error");
    return std::get<0>(std::move(v_));
  }
  const ScenarioError& error() const {
    MESOSIM_CHECK(!ok(), "ScenarioResult holds a value");
    return std::get<1>(v_);
  }

 private:
  std::variant<T, ScenarioError> v_;
};

}  // namespace mesosim

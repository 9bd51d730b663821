#pragma once

// Resource names ("cpus", "mem", "disk", "gpus", "ports", or any other) interned into small
// dense ids, so resource arithmetic and the sorter compare integers and index arrays instead of
// hashing strings.
//
// The table is process-wide and append-only; the five well-known names have fixed ids 0..4 and
// other names get the next id the first time they are seen. Interning is thread-safe.

#include <cstdint>
#include <string_view>

namespace mesosim {

class ResourceName {
 public:
  static constexpr uint16_t kMaxNames = 1024;

  static constexpr ResourceName cpus() { return ResourceName(0); }
  static constexpr ResourceName mem() { return ResourceName(1); }
  static constexpr ResourceName disk() { return ResourceName(2); }
  static constexpr ResourceName gpus() { return ResourceName(3); }
  static constexpr ResourceName ports() { return ResourceName(4); }

  // Aborts if more than kMaxNames distinct names are interned (a bug, not input: callers that
  // take names from input check `interned_count()` or validate names first).
  static ResourceName of(std::string_view name);
  static constexpr ResourceName from_id(uint16_t id) { return ResourceName(id); }
  // How many names exist now; every id is below this.
  static uint16_t interned_count();

  constexpr uint16_t id() const { return id_; }
  std::string_view str() const;

  constexpr auto operator<=>(const ResourceName&) const = default;

 private:
  constexpr explicit ResourceName(uint16_t id) : id_(id) {}
  uint16_t id_;
};

}  // namespace mesosim

#include "allocator/resource_name.hpp"

#include <array>
#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>

#include "allocator/check.hpp"

namespace mesosim {
namespace {

// Readers index `names` without a lock: a slot is written once, before `count` is published.
struct NameTable {
  std::array<const std::string*, ResourceName::kMaxNames> names{};
  std::atomic<uint16_t> count{0};
  std::mutex mu;
  std::unordered_map<std::string_view, uint16_t> index;  // guarded by mu

  NameTable() {
    for (const char* n : {"cpus", "mem", "disk", "gpus", "ports"}) add(n);
  }
  uint16_t add(std::string_view name) {
    const uint16_t id = count.load(std::memory_order_relaxed);
    MESOSIM_CHECK(id < ResourceName::kMaxNames, "too many distinct resource names");
    names[id] = new std::string(name);  // never freed: the table lives for the process
    index.emplace(*names[id], id);
    count.store(id + 1, std::memory_order_release);
    return id;
  }
};

NameTable& table() {
  static NameTable t;
  return t;
}

}  // namespace

ResourceName ResourceName::of(std::string_view name) {
  NameTable& t = table();
  std::lock_guard lock(t.mu);
  auto it = t.index.find(name);
  if (it != t.index.end()) return ResourceName(it->second);
  return ResourceName(t.add(name));
}

uint16_t ResourceName::interned_count() { return table().count.load(std::memory_order_acquire); }

std::string_view ResourceName::str() const {
  NameTable& t = table();
  MESOSIM_CHECK(id_ < t.count.load(std::memory_order_acquire), "unknown resource name id");
  return *t.names[id_];
}

}  // namespace mesosim

#pragma once

// Dense integer handles for the allocator's clients.
//
// The owner of an allocator (a master) assigns them and may reuse one only after removing it;
// the allocator indexes vectors by them, so they should stay small and dense. External names
// (Mesos's string IDs) live with the owner, not here.

#include <compare>
#include <cstdint>
#include <functional>

namespace mesosim {

template <typename Tag>
struct DenseId {
  uint32_t value = 0;
  constexpr auto operator<=>(const DenseId&) const = default;
};

struct AgentIdTag {};
struct FrameworkIdTag {};
using AgentId = DenseId<AgentIdTag>;
using FrameworkId = DenseId<FrameworkIdTag>;

}  // namespace mesosim

template <typename Tag>
struct std::hash<mesosim::DenseId<Tag>> {
  size_t operator()(mesosim::DenseId<Tag> id) const noexcept { return id.value; }
};

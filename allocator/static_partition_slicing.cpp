// StaticPartitionAllocator's partition arithmetic: validating the partitions, finding a role's
// partition, slicing an agent and placing whole agents. Routing to the inner allocators is in
// static_partition_allocator.cpp; semantics are described in static_partition_allocator.hpp.

#include <cmath>

#include <fmt/format.h>

#include "allocator/role_name.hpp"
#include "allocator/static_partition_allocator.hpp"

namespace mesosim {

Result<std::unique_ptr<StaticPartitionAllocator>> StaticPartitionAllocator::create(
    AllocatorOptions options, std::vector<Partition> partitions, Mode mode) {
  if (partitions.empty()) return Error{"static partitioning needs at least one partition"};
  std::vector<int64_t> ppb;
  int64_t sum = 0;
  for (size_t i = 0; i < partitions.size(); ++i) {
    const Partition& p = partitions[i];
    if (Status s = validate_role(p.role); !s.ok()) {
      return Error{fmt::format("partition #{}: {}", i, s.error().message)};
    }
    for (size_t j = 0; j < i; ++j) {
      if (partitions[j].role == p.role) {
        return Error{fmt::format("duplicate partition: role '{}' is given partitions #{} and #{}",
                                 p.role, j, i)};
      }
    }
    if (!(p.share > 0) || !std::isfinite(p.share)) {
      return Error{
          fmt::format("partition '{}': share must be positive, found {}", p.role, p.share)};
    }
    if (p.share > 1) {
      return Error{
          fmt::format("partition '{}': share must be at most 1, found {}", p.role, p.share)};
    }
    ppb.push_back(std::llround(p.share * static_cast<double>(kBillion)));
    if (ppb.back() == 0) {
      return Error{
          fmt::format("partition '{}': share {} is below the precision of 1e-9", p.role, p.share)};
    }
    sum += ppb.back();
  }
  if (sum > kBillion) {
    std::string shares;
    for (const auto& p : partitions) {
      shares += fmt::format("{}{}: {}", shares.empty() ? "" : ", ", p.role, p.share);
    }
    return Error{fmt::format("partition shares sum to {}, more than 1 ({})",
                             static_cast<double>(sum) / kBillion, shares)};
  }
  return std::unique_ptr<StaticPartitionAllocator>(
      new StaticPartitionAllocator(options, std::move(partitions), std::move(ppb), mode));
}

size_t StaticPartitionAllocator::partition_of(std::string_view role) const {
  while (true) {
    for (size_t p = 0; p < partitions_.size(); ++p) {
      if (partitions_[p].role == role) return p;
    }
    const size_t slash = role.rfind('/');
    if (slash == std::string_view::npos) return kNone;
    role = role.substr(0, slash);
  }
}

std::string StaticPartitionAllocator::partition_list() const {
  std::string out;
  for (const auto& p : partitions_) out += fmt::format("{}'{}'", out.empty() ? "" : ", ", p.role);
  return out;
}

size_t StaticPartitionAllocator::next_whole_owner() const {
  uint64_t n = 1;
  for (uint64_t held : whole_agents_) n += held;
  size_t best = kNone;
  __int128 best_deficit = 0;
  for (size_t p = 0; p <= partitions_.size(); ++p) {
    const int64_t ppb = p < partitions_.size() ? share_ppb_[p] : idle_ppb_;
    if (ppb == 0) continue;
    const __int128 deficit =
        static_cast<__int128>(n) * ppb - static_cast<__int128>(whole_agents_[p]) * kBillion;
    if (best == kNone || deficit > best_deficit) {
      best = p;
      best_deficit = deficit;
    }
  }
  return best;
}

StaticPartitionAllocator::Split StaticPartitionAllocator::split(const Resources& total,
                                                                size_t owner) const {
  Split s{std::vector<Resources>(partitions_.size()), {}};
  auto share_of = [](uint64_t amount, int64_t ppb) {  // floor(amount * ppb / 1e9), no overflow
    return static_cast<int64_t>(static_cast<unsigned __int128>(amount) *
                                static_cast<uint64_t>(ppb) / kBillion);
  };
  auto holder = [&](const ResourceKey& key) -> Resources& {
    if (key.reservation.is_reserved()) {
      const size_t p = partition_of(key.reservation.role());
      return p == kNone ? s.unowned : s.slices[p];
    }
    return owner < partitions_.size() ? s.slices[owner] : s.unowned;
  };
  const bool whole = mode_ == Mode::kWholeAgents;
  for (const auto& e : total.scalar_entries()) {
    if (whole || e.key.reservation.is_reserved()) {
      holder(e.key).add(e.key, e.value);
      continue;
    }
    const int64_t unit = e.key.name == ResourceName::gpus() ? 1000 : 1;
    Scalar left = e.value;
    for (size_t p = 0; p < partitions_.size(); ++p) {
      int64_t part = share_of(static_cast<uint64_t>(e.value.milli()), share_ppb_[p]);
      part -= part % unit;
      s.slices[p].add(e.key, Scalar::from_milli(part));
      left -= Scalar::from_milli(part);
    }
    s.unowned.add(e.key, left);
  }
  for (const auto& e : total.range_entries()) {
    if (whole || e.key.reservation.is_reserved()) {
      holder(e.key).add(e.key, e.value);
      continue;
    }
    RangeSet rest = e.value;
    const uint64_t count = rest.count();
    for (size_t p = 0; p < partitions_.size(); ++p) {
      const RangeSet part = rest.take_first(static_cast<uint64_t>(share_of(count, share_ppb_[p])));
      rest.subtract(part);
      s.slices[p].add(e.key, part);
    }
    s.unowned.add(e.key, rest);
  }
  return s;
}

}  // namespace mesosim

#pragma once

// The simulated network: the Transport every simulated party (master, agents, schedulers, the
// leader detector) talks through, with latency, jitter, partitions and crashes. Agent health
// checks between a master and SimAgents travel on a channel of their own (sim_health.hpp),
// which a NetworkListener keeps informed of faults.
//
// What it promises:
// - Latency. A message sent at time t arrives no earlier than t + fixed and, unless it queues
//   behind an earlier message on the same pair, no later than t + fixed + jitter; the jitter is
//   drawn uniformly from [0, jitter] microseconds by the Rng given to the constructor.
// - Order. Messages from one endpoint to another arrive in the order sent, as over one TCP
//   connection: a message is never delivered before the previous one on its ordered
//   (from, to) pair, whatever the incarnations of the two sides. Different pairs interleave
//   freely.
// - Loss. A message is dropped, never delivered and counted in dropped(), when
//   - at send time either side is down or the pair is partitioned;
//   - a partition between the pair starts while it is in flight (even if healed before its
//     arrival time: the connection broke and its data is gone);
//   - its receiver crashes or stops while it is in flight (a message is addressed to one
//     incarnation and never reaches the next);
//   - its sender crashes while it is in flight. A crashed process's TCP connections are reset,
//     so data it had sent but that had not arrived is lost. A stop() is a graceful close
//     instead: what the sender had already sent is still delivered, then the Exited notice.
// - Links. After link(self, peer), when peer crashes or stops, self receives ExitedMessage{peer}
//   from peer after the usual latency, behind any message still in flight from peer to self
//   and ahead of anything a restarted peer sends, provided self is up and not partitioned from
//   peer at that moment (a partition is silence, not a disconnect). A link is forgotten once
//   either side crashes or stops; linking to a peer that is already down yields the Exited
//   notice at once (after latency).
// - Determinism. Delivery times and order depend only on the Rng's seed and the sequence of
//   calls, never on addresses or hashing. Partitions are kept in a sorted set; anything that
//   notifies several endpoints does so in ascending endpoint order.
// - Always-available endpoints. An endpoint added with add_always_available() (the leader
//   detector, modelling ZooKeeper) is never partitioned: partitions involving it are ignored.
//   Crashing or stopping it is a bug.
//
// Every delivery runs as an EventQueue timer holding a pointer to this network: the network
// must outlive any run of the queue that reaches its pending deliveries (destroying the queue
// without running them is fine). A Process pointer given to add() or restart() must stay valid
// until its endpoint crashes or stops, or until the network is destroyed. Misuse (an unknown
// endpoint, crashing a down endpoint, ...) fails a MESOSIM_CHECK. Used from one thread only.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "allocator/flat_table.hpp"
#include "allocator/rng.hpp"
#include "allocator/time.hpp"
#include "sim/event_queue.hpp"
#include "sim/master/flat_index.hpp"
#include "sim/master/transport.hpp"

namespace mesosim {

// Each message's one-way delay is fixed + a uniform draw from [0, jitter]. Both must be >= 0.
struct LatencyModel {
  Duration fixed = Duration::micros(500);
  Duration jitter = Duration::micros(200);
};

// Told of faults before they take effect, so that a component modelling traffic of its own
// (sim_health.hpp) can lose what the fault loses.
class NetworkListener {
 public:
  virtual ~NetworkListener() = default;
  // crash() (crash = true) or stop() of `endpoint`, while it is still up.
  virtual void going_down(Endpoint endpoint, bool crash) = 0;
  // A partition between a and b is about to start (it did not hold before).
  virtual void partitioning(Endpoint a, Endpoint b) = 0;
};

// Called right before a message is handed to its receiving Process (Exited notices included),
// with the delivery time.
using DeliveryObserver =
    std::function<void(Time at, Endpoint from, Endpoint to, const Message& message)>;

class SimNetwork final : public Transport {
 public:
  SimNetwork(EventQueue& queue, Rng rng, LatencyModel latency);
  SimNetwork(const SimNetwork&) = delete;
  SimNetwork& operator=(const SimNetwork&) = delete;

  // Registers a party, up, at incarnation 0. Endpoints are dense: the n-th add() returns n-1.
  // Requires a unique name and a non-null process.
  Endpoint add(std::string name, Process* process);
  // As add(), for a service modelled as perfectly available: never partitioned, never crashed.
  Endpoint add_always_available(std::string name, Process* process);
  const std::string& name(Endpoint endpoint) const;
  std::optional<Endpoint> find(std::string_view name) const;
  // Endpoints registered so far.
  size_t size() const { return parties_.size(); }

  // Transport. Sending from or to a down endpoint, or across a partition, drops the message.
  void send(Endpoint from, Endpoint to, Message&& message) override;
  // Linking from a down endpoint does nothing, as its sends do. Requires self != peer.
  void link(Endpoint self, Endpoint peer) override;

  // The endpoint goes down abruptly: its Process is no longer called, messages in flight to it
  // and from it are dropped, linked peers are told. Requires it up.
  void crash(Endpoint endpoint);
  // The endpoint goes down gracefully: as crash(), except that messages it already sent are
  // still delivered. Requires it up.
  void stop(Endpoint endpoint);
  // Brings a down endpoint back as its next incarnation, served by `fresh` (non-null).
  void restart(Endpoint endpoint, Process* fresh);
  bool up(Endpoint endpoint) const;
  // 0 when added, one more at each restart().
  uint64_t incarnation(Endpoint endpoint) const;

  // Cuts both directions between a and b; messages in flight between them are lost. Ignored
  // when either is always available. Requires a != b.
  void partition(Endpoint a, Endpoint b);
  // Restores both directions. Messages lost while partitioned stay lost.
  void heal(Endpoint a, Endpoint b);
  // Partitions every endpoint of side_a from every endpoint of side_b (the sides must be
  // disjoint); endpoints on the same side still reach each other.
  void partition_groups(const std::vector<Endpoint>& side_a, const std::vector<Endpoint>& side_b);
  void heal_all();
  bool partitioned(Endpoint a, Endpoint b) const;

  void set_observer(DeliveryObserver observer) { observer_ = std::move(observer); }
  // One listener at most (nullptr: none); it must outlive the network or be unset first.
  void set_listener(NetworkListener* listener) { listener_ = listener; }

  // sent() counts every send() call plus every Exited notice the network generates; each of
  // them ends up delivered or dropped: sent() == delivered() + dropped() + in_flight().
  // A drop is counted at send time when the message never leaves, otherwise at the time it
  // would have arrived.
  uint64_t sent() const { return sent_; }
  uint64_t delivered() const { return delivered_; }
  uint64_t dropped() const { return dropped_; }
  uint64_t in_flight() const { return in_flight_count_; }

 private:
  // A set of endpoints without a node per member: open addressing, linear probing. A master is
  // linked to and by every agent, so these sets reach the size of the cluster, and a tree's
  // insert is a cache miss per level. Its order is the hash's: a walk whose order reaches the
  // run goes through sorted(). The table's mechanics are allocator/flat_table.hpp's.
  class EndpointSet {
   public:
    void insert(Endpoint e);
    void erase(Endpoint e);
    void clear();
    std::vector<Endpoint> sorted() const;
    template <class F>
    void for_each(F&& f) const {
      members_.for_each([&](const Member& m) { f(Endpoint{m.value}); });
    }

   private:
    static constexpr uint32_t kEmpty = UINT32_MAX;
    struct Member {
      uint32_t value = kEmpty;  // kEmpty: free
    };
    struct MemberTraits {
      static bool empty(const Member& m) { return m.value == kEmpty; }
      static uint64_t hash(const Member& m) { return m.value; }
      static size_t home(uint64_t v, size_t mask, unsigned /*shift*/) {
        return (v * size_t{0x9E3779B1}) & mask;
      }
      static constexpr size_t kInitialCapacity = 4;
    };
    FlatTable<Member, MemberTraits> members_;
  };
  // Per ordered pair (from << 32 | to), the arrival time of its latest message, in an open-
  // addressing table (linear probing, Fibonacci hashing, never shrinks): looked up on every
  // send, never walked, so its order cannot leak into behaviour. A new leader adds two pairs
  // per agent at once; a node per pair was a cache miss per send. The table's mechanics are
  // allocator/flat_table.hpp's.
  class PairFloors {
   public:
    // The floor of `key`, inserted as `due` if it has none yet; `fresh` tells which.
    Time& at(uint64_t key, Time due, bool& fresh);

   private:
    struct Slot {
      uint64_t key = kEmpty;
      Time floor;
    };
    static constexpr uint64_t kEmpty = UINT64_MAX;  // no pair: endpoints are below UINT32_MAX
    struct SlotTraits {
      static bool empty(const Slot& s) { return s.key == kEmpty; }
      static uint64_t hash(const Slot& s) { return s.key; }
      static size_t home(uint64_t key, size_t /*mask*/, unsigned shift) {
        return (key * 0x9E3779B97F4A7C15ULL) >> shift;
      }
      static constexpr size_t kInitialCapacity = 64;
    };
    FlatTable<Slot, SlotTraits> slots_;
  };
  struct Party {
    std::string name;
    Process* process = nullptr;  // null while down
    bool up = true;
    bool always_available = false;
    uint64_t incarnation = 0;
    EndpointSet watchers;  // endpoints linked to this one
    EndpointSet watching;  // endpoints this one is linked to
  };
  // A message on its way. `exit_notice` marks the Exited notices the network itself generates:
  // they come from a peer already down, so a sender-side crash must not cut them.
  struct InFlight {
    Endpoint from;
    Endpoint to;
    uint64_t to_incarnation = 0;
    bool exit_notice = false;
    bool cut = false;  // its connection broke while it was in flight
    bool occupied = false;
    Message message;
  };
  enum class Shutdown { kCrash, kStop };

  Endpoint add_party(std::string name, Process* process, bool always_available);
  void require_known(Endpoint endpoint) const;
  Party& party(Endpoint endpoint);
  const Party& party(Endpoint endpoint) const;
  Duration draw_latency();
  void enqueue(Endpoint from, Endpoint to, Message&& message, bool exit_notice);
  void deliver(uint32_t slot);
  void release(uint32_t slot);
  void go_down(Endpoint endpoint, Shutdown how);
  void notify_watchers(Endpoint endpoint);
  void forget_links(Endpoint endpoint);
  // Marks as cut every in-flight message for which `broken(message)` holds.
  void cut_in_flight(const std::function<bool(const InFlight&)>& broken);
  static std::pair<Endpoint, Endpoint> ordered(Endpoint a, Endpoint b);

  EventQueue& queue_;
  // A message's delivery: a plain timer whose argument is its slot, with the size of the
  // message's kind in the high half (for the hint's prefetch).
  EventQueue::PlainKind delivery_;
  Rng rng_;
  LatencyModel latency_;
  std::vector<Party> parties_;
  std::map<std::string, Endpoint, std::less<>> by_name_;
  // Unordered pairs stored as (smaller, larger).
  std::set<std::pair<Endpoint, Endpoint>> partitions_;
  // Per ordered pair, the arrival time of its latest message: the next one may not arrive
  // earlier.
  PairFloors fifo_floor_;
  // Messages in flight live in reusable slots, so that a delivery is a plain timer whose
  // argument names its slot (delivery_). Slots stay where they are while others are added
  // (receive() reads its message in place while sending more), 32 to a chunk: a std::deque
  // allocated each 840-byte slot apart, and finding one read its entry in the deque's map first,
  // two misses per delivery where the chunk's address is one (bench/README.md).
  StableSlots<InFlight, 32> in_flight_;
  std::vector<uint32_t> free_slots_;
  DeliveryObserver observer_;
  NetworkListener* listener_ = nullptr;
  uint64_t sent_ = 0;
  uint64_t delivered_ = 0;
  uint64_t dropped_ = 0;
  uint64_t in_flight_count_ = 0;
};

}  // namespace mesosim

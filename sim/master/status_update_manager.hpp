#pragma once

// The agent's reliable, ordered delivery of task status updates (Mesos's status update
// manager, src/slave/task_status_update_manager.*).
//
// What it promises:
// - Order. Each task (framework id, task id) has one stream of updates, delivered in the order
//   they were added. Only the stream's head, its oldest unacknowledged update, is ever in
//   flight; the next one is sent only once the head is acknowledged.
// - Retries. The head is sent at once, then resent after retry_min, 2 × retry_min, 4 ×, ...
//   with the interval capped at retry_max, until an acknowledgement carrying its uuid arrives.
//   An acknowledgement with any other uuid changes nothing.
// - Latest state. Every update sent carries `latest_state` = the newest state added to its
//   stream, so a master that sees only the head still learns the task's current state.
// - Pause. While paused nothing is sent and no retry timer is pending; updates are only queued.
//   resume() sends the head of every stream at once, with the backoff reset, in stream order
//   (framework id, then task id).
//
// The agent pauses it while it is not registered with a master (and while it is crashed) and
// resumes it on (re-)registration. It reaches the network only through the `forward` callback.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "allocator/time.hpp"
#include "sim/master/clock.hpp"
#include "sim/master/id_hash.hpp"
#include "sim/master/protocol.hpp"
#include "sim/master/uuid.hpp"

namespace mesosim {

class StatusUpdateManager {
 public:
  // Takes the copy send_head() makes by rvalue reference, so that it moves onward once, into the
  // message (by value, std::function moved it twice more on the way).
  using Forward = std::function<void(v1::StatusUpdate&&)>;

  // Starts paused. Requires 0 < retry_min <= retry_max.
  StatusUpdateManager(Clock& clock, Duration retry_min, Duration retry_max, Forward forward);
  // Cancels every pending retry timer.
  ~StatusUpdateManager();
  StatusUpdateManager(const StatusUpdateManager&) = delete;
  StatusUpdateManager& operator=(const StatusUpdateManager&) = delete;

  // Appends `update` (which must carry a uuid) to its task's stream; sends it now if it became
  // the head and the manager is not paused.
  void add(v1::StatusUpdate update);

  struct Acknowledged {
    bool matched = false;      // the uuid was the head's: the head was removed
    bool stream_done = false;  // ... and the stream has no update left
    bool terminal = false;     // ... and the head removed had a terminal state
  };
  // Removes the head of the task's stream if its uuid is `uuid`, cancelling its retry timer and
  // sending the next update (unless paused).
  Acknowledged acknowledge(const v1::FrameworkID& framework_id, const v1::TaskID& task_id,
                           const Uuid& uuid);

  void pause();
  void resume();
  bool paused() const { return paused_; }

  // Drops the streams of one framework (it was shut down) or of every framework (the machine
  // was lost) without sending anything.
  void remove_framework(const v1::FrameworkID& framework_id);
  void clear();

  // Updates not yet acknowledged, in one task's stream or in all.
  size_t pending(const v1::FrameworkID& framework_id, const v1::TaskID& task_id) const;
  size_t pending() const;
  // StatusUpdateMessages handed to `forward`; of those, the ones that resent an update.
  uint64_t sent() const { return sent_; }
  uint64_t resent() const { return resent_; }

 private:
  struct Stream {
    std::vector<v1::StatusUpdate> updates;  // oldest first; rarely more than two
    v1::TaskState latest_state = v1::TaskState::TASK_STAGING;
    Duration backoff;
    bool head_sent = false;  // the head went out at least once (so sending it again is a resend)
    TimerId retry;
  };
  using Key = std::pair<v1::FrameworkID, v1::TaskID>;
  static IdPairView view(const Key& k) { return {k.first.value, k.second.value}; }
  using KeyHash = IdPairHash<Key, view>;
  using KeyEqual = IdPairEqual<Key, view>;

  using Streams = std::unordered_map<Key, Stream, KeyHash, KeyEqual>;

  // The task's stream; a new empty one (spare_, if there is one) if it has none.
  Streams::iterator find_or_open(const v1::FrameworkID& framework_id, const v1::TaskID& task_id);
  void send_head(Stream& stream);
  void on_retry(Stream& stream);

  Clock& clock_;
  Duration retry_min_;
  Duration retry_max_;
  Forward forward_;
  bool paused_ = true;
  // Hashed: a stream is found by its task on every add and acknowledgement. resume() walks the
  // streams in key order (it sorts), the one walk whose order is seen. Nodes are stable, so
  // retry timers hold a Stream& safely.
  Streams streams_;
  // The node of the last stream emptied by an acknowledgement, with its key's strings and its
  // updates' vector, reused by the next new stream: a task's streams come and go with each
  // update (one at a time is in flight), and this saves their allocations.
  Streams::node_type spare_;
  uint64_t sent_ = 0;
  uint64_t resent_ = 0;
};

}  // namespace mesosim

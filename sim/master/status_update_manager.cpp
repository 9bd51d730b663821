#include "sim/master/status_update_manager.hpp"

#include <algorithm>

#include "allocator/check.hpp"

namespace mesosim {

StatusUpdateManager::StatusUpdateManager(Clock& clock, Duration retry_min, Duration retry_max,
                                         Forward forward)
    : clock_(clock), retry_min_(retry_min), retry_max_(retry_max), forward_(std::move(forward)) {
  MESOSIM_CHECK(retry_min_ > Duration::zero() && retry_min_ <= retry_max_,
                "status update retry interval must satisfy 0 < min <= max");
}

StatusUpdateManager::~StatusUpdateManager() { pause(); }

void StatusUpdateManager::add(v1::StatusUpdate update) {
  MESOSIM_CHECK(update.status.uuid.has_value(), "a reliable status update needs a uuid");
  // Usually a new stream: the previous update of the task was acknowledged long ago.
  Stream& stream = find_or_open(update.framework_id, update.status.task_id)->second;
  stream.latest_state = update.status.state;
  stream.updates.push_back(std::move(update));
  if (stream.updates.size() == 1 && !paused_) {
    stream.backoff = retry_min_;
    send_head(stream);
  }
}

StatusUpdateManager::Acknowledged StatusUpdateManager::acknowledge(
    const v1::FrameworkID& framework_id, const v1::TaskID& task_id, const Uuid& uuid) {
  auto it = streams_.find(IdPairView{framework_id.value, task_id.value});
  if (it == streams_.end()) return {};
  Stream& stream = it->second;
  // Only the head is in flight, so an ack for anything else is a duplicate or stale: Mesos
  // ignores it too, and the head keeps being retried.
  if (stream.updates.front().status.uuid != uuid) return {};
  clock_.cancel(stream.retry);
  stream.retry = {};
  const bool terminal = v1::is_terminal(stream.updates.front().status.state);
  stream.updates.erase(stream.updates.begin());
  if (stream.updates.empty()) {
    spare_ = streams_.extract(it);  // kept for the next stream, likely this task's next update
    return {.matched = true, .stream_done = true, .terminal = terminal};
  }
  stream.head_sent = false;
  stream.backoff = retry_min_;
  if (!paused_) send_head(stream);
  return {.matched = true, .stream_done = false, .terminal = terminal};
}

void StatusUpdateManager::pause() {
  paused_ = true;
  for (auto& [key, stream] : streams_) {
    clock_.cancel(stream.retry);
    stream.retry = {};
  }
}

void StatusUpdateManager::resume() {
  paused_ = false;
  std::vector<std::pair<const Key*, Stream*>> ordered;
  ordered.reserve(streams_.size());
  for (auto& [key, stream] : streams_) ordered.emplace_back(&key, &stream);
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return *a.first < *b.first; });
  for (auto& [key, stream] : ordered) {
    clock_.cancel(stream->retry);
    stream->backoff = retry_min_;
    send_head(*stream);
  }
}

void StatusUpdateManager::remove_framework(const v1::FrameworkID& framework_id) {
  std::erase_if(streams_, [&](auto& entry) {
    if (entry.first.first != framework_id) return false;
    clock_.cancel(entry.second.retry);
    return true;
  });
}

void StatusUpdateManager::clear() {
  pause();
  streams_.clear();
}

size_t StatusUpdateManager::pending(const v1::FrameworkID& framework_id,
                                    const v1::TaskID& task_id) const {
  auto it = streams_.find(IdPairView{framework_id.value, task_id.value});
  return it == streams_.end() ? 0 : it->second.updates.size();
}

size_t StatusUpdateManager::pending() const {
  size_t n = 0;
  for (const auto& [key, stream] : streams_) n += stream.updates.size();
  return n;
}

StatusUpdateManager::Streams::iterator StatusUpdateManager::find_or_open(
    const v1::FrameworkID& framework_id, const v1::TaskID& task_id) {
  if (spare_.empty()) return streams_.try_emplace(Key{framework_id, task_id}).first;
  // The spare is made the new stream before the search, so that the ids are hashed once. They
  // are assigned into its strings and the updates keep their vector's capacity: a stream opened
  // this way allocates nothing.
  spare_.key().first = framework_id;
  spare_.key().second = task_id;
  Stream& fresh = spare_.mapped();
  std::vector<v1::StatusUpdate> updates = std::move(fresh.updates);
  fresh = Stream{};
  fresh.updates = std::move(updates);
  auto [position, inserted, node] = streams_.insert(std::move(spare_));
  if (!inserted) spare_ = std::move(node);  // the task has a stream: the spare stays spare
  return position;
}

void StatusUpdateManager::send_head(Stream& stream) {
  v1::StatusUpdate update = stream.updates.front();
  update.latest_state = stream.latest_state;
  ++sent_;
  if (stream.head_sent) ++resent_;
  stream.head_sent = true;
  stream.retry = clock_.schedule(stream.backoff, [this, &stream] { on_retry(stream); });
  forward_(std::move(update));
}

void StatusUpdateManager::on_retry(Stream& stream) {
  stream.retry = {};
  stream.backoff = std::min(stream.backoff * 2, retry_max_);
  send_head(stream);
}

}  // namespace mesosim

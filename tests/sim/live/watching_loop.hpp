#pragma once

// A loop as the agent daemon's, for containerizer tests: it takes the containerizer's change
// list of watched fds (pidfds and OOM notification fds), waits with poll(2) until some are
// readable, and hands those to poll_readable(). It never calls Containerizer::poll(), so an end
// or an OOM it reports was seen through a watched fd.

#include <poll.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "live_test_util.hpp"
#include "sim/live/containerizer.hpp"

namespace mesosim::live::testing {

class WatchingLoop {
 public:
  explicit WatchingLoop(Containerizer& containerizer) : containerizer_(containerizer) { take(); }

  // Takes the changes since the last call: the watched fds are then the containerizer's.
  void take() {
    containerizer_.take_watched_fd_changes(changes_);
    for (const Containerizer::WatchedFdChange& change : changes_) {
      if (change.opened) {
        fds_.insert(change.fd);
      } else {
        fds_.erase(change.fd);
      }
    }
  }
  const std::set<int>& fds() const { return fds_; }

  // The watched fds readable after waiting up to `millis` for the first (0: now).
  std::vector<int> readable(int millis) const {
    std::vector<pollfd> polled;
    for (int fd : fds_) polled.push_back({fd, POLLIN, 0});
    std::vector<int> out;
    if (::poll(polled.data(), polled.size(), millis) <= 0) return out;
    for (const pollfd& p : polled) {
      if ((p.revents & POLLIN) != 0) out.push_back(p.fd);
    }
    return out;
  }

  // Hands readable fds to poll_readable() until `container` ends; nullopt after about
  // `seconds`. Every other end seen on the way is kept in ended().
  std::optional<ContainerEnded> run_until_end(const std::string& container, int seconds = 20) {
    for (int round = 0; round < seconds * 10; ++round) {
      std::vector<int> fds = readable(100);
      if (fds.empty()) continue;
      for (ContainerEnded& e : containerizer_.poll_readable(fds, now())) {
        ended_.push_back(std::move(e));
      }
      take();
      auto it = std::find_if(ended_.begin(), ended_.end(),
                             [&](const ContainerEnded& e) { return e.container == container; });
      if (it != ended_.end()) return *it;
    }
    return std::nullopt;
  }
  const std::vector<ContainerEnded>& ended() const { return ended_; }

 private:
  Containerizer& containerizer_;
  std::vector<Containerizer::WatchedFdChange> changes_;
  std::set<int> fds_;
  std::vector<ContainerEnded> ended_;
};

// How many fds this process has open now.
inline size_t open_fds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++n;
  }
  return n;
}

}  // namespace mesosim::live::testing

#include "sim/live/launch_pacer.hpp"

namespace mesosim::live {

LaunchPacer::Next LaunchPacer::turn(Time now) {
  if (messages_ != seen_) {
    seen_ = messages_;
    quiet_ = 0;
  } else {
    ++quiet_;
  }
  if (quiet_ >= kQuietTurns || now >= messages_until_) return {Next::Kind::kLaunch, now};
  // A message this turn: more are likely on the way, and the share left is theirs.
  if (quiet_ == 0) return {Next::Kind::kAt, messages_until_};
  return {Next::Kind::kNextTurn, now};
}

void LaunchPacer::launched(Time start, Time end) {
  quiet_ = 0;
  seen_ = messages_;
  messages_until_ = end + (end - start);
}

}  // namespace mesosim::live

#include "sim/live/launch_pacer.hpp"

namespace mesosim::live {

LaunchPacer::Next LaunchPacer::turn(Time now) {
  if (messages_ != seen_) {
    seen_ = messages_;
    quiet_ = 0;
  } else {
    ++quiet_;
  }
  return quiet_ >= kQuietTurns || now >= messages_until_ ? Next::kLaunch : Next::kNextTurn;
}

void LaunchPacer::launched(Time start, Time end) {
  quiet_ = 0;
  seen_ = messages_;
  messages_until_ = end + (end - start);
}

}  // namespace mesosim::live

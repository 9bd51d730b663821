// Master: the scheduler calls addressed to executors (MESSAGE, SHUTDOWN). The master only
// forwards them to the executor's agent, as Mesos's Master::message and Master::shutdown do; it
// does not track executors.

#include "sim/master/master_state.hpp"

namespace mesosim {

namespace sched = v1::scheduler;

void Master::State::message(Framework& f, const sched::Message& message) {
  // Mesos drops the message (counted as invalid, logged) when the agent is not registered or
  // is disconnected; an unreachable agent is not in `agents` at all.
  const Agent* a = agent_by_id(message.agent_id.value);
  if (a == nullptr || !a->connected) {
    ++invalid_framework_to_executor_messages;
    return;
  }
  send(a->endpoint, v1::FrameworkToExecutorMessage{message.agent_id, *f.info.id,
                                                   message.executor_id, message.data});
  ++valid_framework_to_executor_messages;
}

void Master::State::shutdown_executor(Framework& f, const sched::Shutdown& shutdown) {
  // Mesos: an unknown agent is logged and ignored; a known one is sent the message even while
  // disconnected (it may be lost, as any message to it).
  const Agent* a = agent_by_id(shutdown.agent_id.value);
  if (a == nullptr) return;
  send(a->endpoint, v1::ShutdownExecutorMessage{*f.info.id, shutdown.executor_id});
}

Master::FrameworkMessageCounts Master::framework_to_executor_messages() const {
  return {state_->valid_framework_to_executor_messages,
          state_->invalid_framework_to_executor_messages};
}

}  // namespace mesosim

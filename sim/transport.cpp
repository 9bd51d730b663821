#include "sim/transport.hpp"

#include <array>

namespace mesosim {

std::string message_name(const Message& message) {
  static constexpr std::array<std::string_view, 16> kNames = {
      "scheduler::Call",
      "scheduler::Event",
      "RegisterAgentMessage",
      "AgentRegisteredMessage",
      "ReregisterAgentMessage",
      "AgentReregisteredMessage",
      "RunTaskMessage",
      "KillTaskMessage",
      "StatusUpdateMessage",
      "StatusUpdateAcknowledgementMessage",
      "PingAgentMessage",
      "PongAgentMessage",
      "ShutdownFrameworkMessage",
      "ShutdownAgentMessage",
      "ExitedMessage",
      "MasterDetectedMessage"};
  static_assert(std::variant_size_v<Message> == kNames.size());
  std::string name(kNames[message.index()]);
  if (const auto* call = std::get_if<v1::scheduler::Call>(&message)) {
    name += "(" + std::string(v1::scheduler::call_type(*call)) + ")";
  } else if (const auto* event = std::get_if<v1::scheduler::Event>(&message)) {
    name += "(" + std::string(v1::scheduler::event_type(*event)) + ")";
  }
  return name;
}

}  // namespace mesosim

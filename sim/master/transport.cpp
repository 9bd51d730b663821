#include "sim/master/transport.hpp"

#include <array>

namespace mesosim {

std::string message_name(const Message& message) {
  static constexpr std::array<std::string_view, 19> kNames = {"scheduler::Call",
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
                                                              "MasterDetectedMessage",
                                                              "UsageReportMessage",
                                                              "FrameworkToExecutorMessage",
                                                              "ShutdownExecutorMessage"};
  static_assert(std::variant_size_v<Message> == kNames.size());
  std::string_view detail;
  if (const auto* call = std::get_if<v1::scheduler::Call>(&message)) {
    detail = v1::scheduler::call_type(*call);
  } else if (const auto* event = std::get_if<v1::scheduler::Event>(&message)) {
    detail = v1::scheduler::event_type(*event);
  }
  // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) on "(" + string + ")".
  std::string name(kNames[message.index()]);
  if (!detail.empty()) {
    name.append(1, '(');
    name.append(detail);
    name.append(1, ')');
  }
  return name;
}

}  // namespace mesosim

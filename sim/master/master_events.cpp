#include "sim/master/master_events.hpp"

#include <fmt/format.h>

namespace mesosim {
namespace {

using namespace master_event;

std::string line(const LeaderElected& e) { return fmt::format("LEADER_ELECTED master={}", e.master_id); }
std::string line(const AgentAdded& e) {
  return fmt::format("AGENT_ADDED agent={} hostname={} total={} reregistered={}", e.agent.value,
                     e.hostname, e.total.to_string(), e.reregistered);
}
std::string line(const AgentDisconnected& e) {
  return fmt::format("AGENT_DISCONNECTED agent={}", e.agent.value);
}
std::string line(const AgentRemoved& e) {
  return fmt::format("AGENT_REMOVED agent={} unreachable={} reason=\"{}\"", e.agent.value,
                     e.unreachable, e.reason);
}
std::string line(const FrameworkAdded& e) {
  return fmt::format("FRAMEWORK_ADDED framework={} name={} roles={} resubscribed={}",
                     e.framework.value, e.name, fmt::join(e.roles, ","), e.resubscribed);
}
std::string line(const FrameworkDisconnected& e) {
  return fmt::format("FRAMEWORK_DISCONNECTED framework={}", e.framework.value);
}
std::string line(const FrameworkRemoved& e) {
  return fmt::format("FRAMEWORK_REMOVED framework={} reason=\"{}\"", e.framework.value, e.reason);
}
std::string line(const OfferMade& e) {
  return fmt::format("OFFER_MADE offer={} framework={} agent={} role={} resources={}",
                     e.offer.value, e.framework.value, e.agent.value, e.role,
                     e.resources.to_string());
}
std::string line(const OfferDeclined& e) {
  return fmt::format("OFFER_DECLINED offer={} framework={} filter={}", e.offer.value,
                     e.framework.value, e.filter ? e.filter->to_string() : "none");
}
std::string line(const OfferAccepted& e) {
  return fmt::format("OFFER_ACCEPTED offer={} framework={} tasks={}", e.offer.value,
                     e.framework.value, e.tasks_launched);
}
std::string line(const OfferRescinded& e) {
  return fmt::format("OFFER_RESCINDED offer={} framework={} reason=\"{}\"", e.offer.value,
                     e.framework.value, e.reason);
}
std::string line(const ResourcesRecovered& e) {
  return fmt::format("RESOURCES_RECOVERED framework={} agent={} role={} resources={}",
                     e.framework.value, e.agent.value, e.role, e.resources.to_string());
}
std::string line(const TaskStateChanged& e) {
  return fmt::format("TASK_STATE task={} framework={} agent={} role={} state={} reason={} "
                     "source={} resources={}",
                     e.task.value, e.framework.value, e.agent.value, e.role, v1::to_string(e.state),
                     e.reason ? v1::to_string(*e.reason) : "none", v1::to_string(e.source),
                     e.resources.to_string());
}
std::string line(const AllocationRun& e) { return fmt::format("ALLOCATION_RUN offers={}", e.offers); }
std::string line(const OfferSkipped& e) {
  return fmt::format("OFFER_SKIPPED framework={} role={} agent={} reason={}", e.framework.value,
                     e.role, e.agent.value, to_string(e.reason));
}
std::string line(const CallRejected& e) {
  return fmt::format("CALL_REJECTED framework={} call={} message=\"{}\"",
                     e.framework ? e.framework->value : "none", e.call, e.message);
}

}  // namespace

std::string to_string(const MasterEvent& event) {
  return event.time.to_string() + " " +
         std::visit([](const auto& body) { return line(body); }, event.body);
}

}  // namespace mesosim

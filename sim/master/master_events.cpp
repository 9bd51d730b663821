#include "sim/master/master_events.hpp"

#include <array>

#include <fmt/format.h>

namespace mesosim {
namespace {

using namespace master_event;

// Each reason enum's names, in declaration order: to_string and parse share one table.
template <typename E, size_t N>
std::optional<E> parse_name(const std::array<std::string_view, N>& names, std::string_view text) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 3> kAgentRemoved{"REFUSED", "HEALTH_CHECK_FAILED",
                                                        "NOT_REREGISTERED"};
constexpr std::array<std::string_view, 3> kFrameworkRemoved{"TEARDOWN", "FAILOVER_TIMEOUT",
                                                            "NO_FAILOVER"};
constexpr std::array<std::string_view, 7> kRescinded{
    "AGENT_DISCONNECTED", "AGENT_UNREACHABLE", "FRAMEWORK_DISCONNECTED", "FRAMEWORK_FAILED_OVER",
    "FRAMEWORK_REMOVED",  "OFFER_TIMEOUT",     "FRAMEWORK_ROLE_REMOVED"};
constexpr std::array<std::string_view, 5> kRecovered{"DECLINED", "ACCEPT_UNUSED", "RESCINDED",
                                                     "OFFER_VOIDED", "TASK_RELEASED"};
constexpr std::array<std::string_view, 4> kRejected{"INVALID_CALL", "INVALID_OFFERS",
                                                    "INVALID_OPERATION", "UNKNOWN_AGENT"};

std::string quota_text(const Quota& q) {
  std::string limits;
  for (const auto& [name, value] : q.limits) {
    limits += fmt::format("{}{}:{}", limits.empty() ? "" : ";", name.str(), value.to_string());
  }
  return fmt::format("guarantees={} limits={}", q.guarantees.to_string(),
                     limits.empty() ? "none" : limits);
}

std::string line(const LeaderElected& e) { return fmt::format("LEADER_ELECTED master={}", e.master_id); }
std::string line(const MasterCrashed& e) { return fmt::format("MASTER_CRASHED master={}", e.master_id); }
std::string line(const AgentAdded& e) {
  return fmt::format("AGENT_ADDED agent={} hostname={} total={} reregistered={}", e.agent.value,
                     e.hostname, e.total.to_string(), e.reregistered);
}
std::string line(const AgentDisconnected& e) {
  return fmt::format("AGENT_DISCONNECTED agent={}", e.agent.value);
}
std::string line(const AgentRemoved& e) {
  return fmt::format("AGENT_REMOVED agent={} unreachable={} reason={} message=\"{}\"",
                     e.agent.value, e.unreachable, to_string(e.reason), e.message);
}
std::string line(const AgentTotalChanged& e) {
  return fmt::format("AGENT_TOTAL_CHANGED agent={} total={}", e.agent.value, e.total.to_string());
}
std::string line(const FrameworkAdded& e) {
  return fmt::format("FRAMEWORK_ADDED framework={} name={} roles={} resubscribed={} suppressed={}",
                     e.framework.value, e.name, fmt::join(e.roles, ","), e.resubscribed,
                     fmt::join(e.suppressed_roles, ","));
}
std::string line(const FrameworkDisconnected& e) {
  return fmt::format("FRAMEWORK_DISCONNECTED framework={}", e.framework.value);
}
std::string line(const FrameworkRemoved& e) {
  return fmt::format("FRAMEWORK_REMOVED framework={} reason={}", e.framework.value,
                     to_string(e.reason));
}
std::string line(const OffersSuppressed& e) {
  return fmt::format("OFFERS_SUPPRESSED framework={} roles={}", e.framework.value,
                     fmt::join(e.roles, ","));
}
std::string line(const OffersRevived& e) {
  return fmt::format("OFFERS_REVIVED framework={} roles={}", e.framework.value,
                     fmt::join(e.roles, ","));
}
std::string line(const WeightChanged& e) {
  return fmt::format("WEIGHT_CHANGED role={} weight={}", e.role, e.weight);
}
std::string line(const QuotaChanged& e) {
  return fmt::format("QUOTA_CHANGED role={} {}", e.role, quota_text(e.quota));
}
std::string line(const OfferMade& e) {
  return fmt::format("OFFER_MADE offer={} framework={} agent={} role={} resources={}",
                     e.offer.value, e.framework.value, e.agent.value, e.role,
                     e.resources.to_string());
}
std::string line(const OfferDeclined& e) {
  return fmt::format("OFFER_DECLINED offer={} framework={} filter={}{}", e.offer.value,
                     e.framework.value, e.filter ? e.filter->to_string() : "none",
                     e.reason ? " reason=" + *e.reason : std::string());
}
std::string line(const OfferAccepted& e) {
  return fmt::format("OFFER_ACCEPTED offer={} framework={} tasks={}", e.offer.value,
                     e.framework.value, e.tasks_launched);
}
std::string line(const OfferRescinded& e) {
  return fmt::format("OFFER_RESCINDED offer={} framework={} reason={}", e.offer.value,
                     e.framework.value, to_string(e.reason));
}
std::string line(const OfferVoided& e) {
  return fmt::format("OFFER_VOIDED offer={} framework={}", e.offer.value, e.framework.value);
}
std::string line(const ResourcesRecovered& e) {
  return fmt::format("RESOURCES_RECOVERED framework={} agent={} role={} resources={} reason={}",
                     e.framework.value, e.agent.value, e.role, e.resources.to_string(),
                     to_string(e.reason));
}
std::string line(const ResourcesAdopted& e) {
  return fmt::format("RESOURCES_ADOPTED framework={} agent={} role={} resources={}",
                     e.framework.value, e.agent.value, e.role, e.resources.to_string());
}
std::string line(const FilterSet& e) {
  return fmt::format("FILTER_SET framework={} agent={} role={} resources={} duration={}",
                     e.framework.value, e.agent.value, e.role, e.resources.to_string(),
                     e.duration.to_string());
}
std::string line(const ReservationApplied& e) {
  return fmt::format("RESERVATION_APPLIED framework={} agent={} role={} operation={} from={} to={}",
                     e.framework.value, e.agent.value, e.role, v1::to_string(e.operation),
                     e.from.to_string(), e.to.to_string());
}
std::string line(const TaskStateChanged& e) {
  return fmt::format("TASK_STATE task={} framework={} agent={} role={} state={} reason={} "
                     "source={} resources={} timestamp={} message=\"{}\"",
                     e.task.value, e.framework.value, e.agent.value, e.role, v1::to_string(e.state),
                     e.reason ? v1::to_string(*e.reason) : "none", v1::to_string(e.source),
                     e.resources.to_string(), e.timestamp.to_string(), e.message);
}
std::string line(const TaskUsage& e) {
  return fmt::format("TASK_USAGE task={} framework={} agent={} usage={} timestamp={}",
                     e.task.value, e.framework.value, e.agent.value, e.usage.to_string(),
                     e.timestamp.to_string());
}
std::string line(const AllocationRun& e) {
  return fmt::format("ALLOCATION_RUN offers={} duration={}", e.offers,
                     e.duration ? e.duration->to_string() : "unmeasured");
}
std::string line(const OfferSkipped& e) {
  return fmt::format("OFFER_SKIPPED framework={} role={} reason={} agents={}", e.framework.value,
                     e.role, to_string(e.reason), e.agents);
}
std::string line(const CallRejected& e) {
  return fmt::format("CALL_REJECTED framework={} call={} reason={} message=\"{}\"",
                     e.framework ? e.framework->value : "none", e.call, to_string(e.reason),
                     e.message);
}

template <typename T>
constexpr std::string_view type_name() {
  if constexpr (std::is_same_v<T, LeaderElected>) return "LEADER_ELECTED";
  else if constexpr (std::is_same_v<T, MasterCrashed>) return "MASTER_CRASHED";
  else if constexpr (std::is_same_v<T, AgentAdded>) return "AGENT_ADDED";
  else if constexpr (std::is_same_v<T, AgentDisconnected>) return "AGENT_DISCONNECTED";
  else if constexpr (std::is_same_v<T, AgentRemoved>) return "AGENT_REMOVED";
  else if constexpr (std::is_same_v<T, AgentTotalChanged>) return "AGENT_TOTAL_CHANGED";
  else if constexpr (std::is_same_v<T, FrameworkAdded>) return "FRAMEWORK_ADDED";
  else if constexpr (std::is_same_v<T, FrameworkDisconnected>) return "FRAMEWORK_DISCONNECTED";
  else if constexpr (std::is_same_v<T, FrameworkRemoved>) return "FRAMEWORK_REMOVED";
  else if constexpr (std::is_same_v<T, OffersSuppressed>) return "OFFERS_SUPPRESSED";
  else if constexpr (std::is_same_v<T, OffersRevived>) return "OFFERS_REVIVED";
  else if constexpr (std::is_same_v<T, WeightChanged>) return "WEIGHT_CHANGED";
  else if constexpr (std::is_same_v<T, QuotaChanged>) return "QUOTA_CHANGED";
  else if constexpr (std::is_same_v<T, OfferMade>) return "OFFER_MADE";
  else if constexpr (std::is_same_v<T, OfferDeclined>) return "OFFER_DECLINED";
  else if constexpr (std::is_same_v<T, OfferAccepted>) return "OFFER_ACCEPTED";
  else if constexpr (std::is_same_v<T, OfferRescinded>) return "OFFER_RESCINDED";
  else if constexpr (std::is_same_v<T, OfferVoided>) return "OFFER_VOIDED";
  else if constexpr (std::is_same_v<T, ResourcesRecovered>) return "RESOURCES_RECOVERED";
  else if constexpr (std::is_same_v<T, ResourcesAdopted>) return "RESOURCES_ADOPTED";
  else if constexpr (std::is_same_v<T, FilterSet>) return "FILTER_SET";
  else if constexpr (std::is_same_v<T, ReservationApplied>) return "RESERVATION_APPLIED";
  else if constexpr (std::is_same_v<T, TaskStateChanged>) return "TASK_STATE";
  else if constexpr (std::is_same_v<T, TaskUsage>) return "TASK_USAGE";
  else if constexpr (std::is_same_v<T, AllocationRun>) return "ALLOCATION_RUN";
  else if constexpr (std::is_same_v<T, OfferSkipped>) return "OFFER_SKIPPED";
  else return "CALL_REJECTED";
}

}  // namespace

std::string_view to_string(AgentRemovedReason r) { return kAgentRemoved.at(size_t(r)); }
std::optional<AgentRemovedReason> parse_agent_removed_reason(std::string_view text) {
  return parse_name<AgentRemovedReason>(kAgentRemoved, text);
}
std::string_view to_string(FrameworkRemovedReason r) { return kFrameworkRemoved.at(size_t(r)); }
std::optional<FrameworkRemovedReason> parse_framework_removed_reason(std::string_view text) {
  return parse_name<FrameworkRemovedReason>(kFrameworkRemoved, text);
}
std::string_view to_string(OfferRescindedReason r) { return kRescinded.at(size_t(r)); }
std::optional<OfferRescindedReason> parse_offer_rescinded_reason(std::string_view text) {
  return parse_name<OfferRescindedReason>(kRescinded, text);
}
std::string_view to_string(RecoveredReason r) { return kRecovered.at(size_t(r)); }
std::optional<RecoveredReason> parse_recovered_reason(std::string_view text) {
  return parse_name<RecoveredReason>(kRecovered, text);
}
std::string_view to_string(CallRejectedReason r) { return kRejected.at(size_t(r)); }
std::optional<CallRejectedReason> parse_call_rejected_reason(std::string_view text) {
  return parse_name<CallRejectedReason>(kRejected, text);
}
std::optional<SkipReason> parse_skip_reason(std::string_view text) {
  for (int i = 0; i <= int(SkipReason::kNoQuotaContribution); ++i) {
    if (to_string(SkipReason(i)) == text) return SkipReason(i);
  }
  return std::nullopt;
}

std::string_view event_type(const MasterEventBody& body) {
  return std::visit([](const auto& b) { return type_name<std::decay_t<decltype(b)>>(); }, body);
}

std::string to_string(const MasterEvent& event) {
  return event.time.to_string() + " " +
         std::visit([](const auto& body) { return line(body); }, event.body);
}

}  // namespace mesosim

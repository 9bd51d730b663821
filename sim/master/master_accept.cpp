// Master: ACCEPT — offer validation, RESERVE/UNRESERVE, LAUNCH with per-task validation.

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "allocator/role_name.hpp"
#include "sim/master/master_state.hpp"

namespace mesosim {
namespace {

namespace sched = v1::scheduler;
using v1::TaskState;
using v1::TaskStatusReason;

// Why the offers of an ACCEPT cannot be used, or nullopt.
std::optional<std::string> invalid_offers(Master::State& s, FrameworkId framework,
                                          const std::vector<v1::OfferID>& ids) {
  if (ids.empty()) return "no offers specified";
  std::set<std::string_view> seen;
  const Master::State::Offer* first = nullptr;
  for (const auto& id : ids) {
    if (!seen.insert(id.value).second) return fmt::format("offer {} appears twice", id.value);
    const Master::State::Offer* o = s.find_offer(id.value);
    if (o == nullptr) {
      return fmt::format("offer {} is no longer valid (unknown, used, declined or rescinded)",
                         id.value);
    }
    if (o->framework != framework) {
      return fmt::format("offer {} belongs to another framework", id.value);
    }
    if (first && first->agent != o->agent) return "the offers are on different agents";
    if (first && first->role != o->role) return "the offers are for different roles";
    if (!first) first = o;
  }
  return std::nullopt;
}

// Why a task cannot be launched from `available`, or nullopt.
std::optional<std::string> invalid_task(Master::State& s, const std::string& framework_id,
                                        const v1::TaskInfo& task, const std::string& agent_id,
                                        const Resources& available) {
  if (task.task_id.value.empty()) return "the task has an empty task_id";
  // Tasks launched earlier in the same ACCEPT are already in the books, so this also catches a
  // task id used twice in one call.
  if (s.find_task(IdPairView{framework_id, task.task_id.value})) {
    return fmt::format("task {} has a duplicate ID", task.task_id.value);
  }
  if (task.agent_id.value != agent_id) {
    return fmt::format("task {} names agent {} but the offers are on agent {}", task.task_id.value,
                       task.agent_id.value, agent_id);
  }
  if (task.command.has_value() == task.executor.has_value()) {
    return fmt::format("task {} must have exactly one of command and executor",
                       task.task_id.value);
  }
  if (task.resources.empty()) return fmt::format("task {} uses no resources", task.task_id.value);
  if (!available.contains(task.resources)) {
    return fmt::format("task {} uses more resources ({}) than remain in the offers ({})",
                       task.task_id.value, task.resources.to_string(), available.to_string());
  }
  return std::nullopt;
}

}  // namespace

void Master::State::drop_tasks(Framework& f, const std::vector<v1::Operation>& operations,
                               TaskStatusReason reason, const std::string& message) {
  for (const auto& op : operations) {
    if (op.type != v1::Operation::Type::LAUNCH) continue;
    for (const auto& task : op.task_infos) {
      v1::TaskStatus status =
          master_status(task.task_id, task.agent_id, std::nullopt,
                        visible_state(f, TaskState::TASK_DROPPED), reason, message);
      if (observed()) {
        publish(master_event::TaskStateChanged{task.task_id, *f.info.id, task.agent_id, "",
                                               TaskState::TASK_DROPPED, reason, status.source,
                                               task.resources, message, status.timestamp,
                                               task.name, task.labels});
      }
      send_event(f, sched::Update{std::move(status)});
    }
  }
}

void Master::State::accept(Framework& f, sched::Accept& acc) {
  if (auto error = invalid_offers(*this, f.handle, acc.offer_ids)) {
    // The valid offers among them go back unfiltered (Mesos discards them); every task is
    // dropped.
    for (const auto& id : acc.offer_ids) {
      Offer* o = find_offer(id.value);
      if (o != nullptr && o->framework == f.handle) {
        if (observed()) publish(master_event::OfferVoided{id, *f.info.id});
        remove_offer(*o, RecoveredReason::kOfferVoided, std::nullopt);
      }
    }
    drop_tasks(f, acc.operations, TaskStatusReason::REASON_INVALID_OFFERS, *error);
    reject(f.info.id, "ACCEPT", CallRejectedReason::kInvalidOffers, *error);
    return;
  }
  const Offer& first = *find_offer(acc.offer_ids.front().value);
  Agent& a = *agent_by_handle(first.agent);
  const std::string& agent_id = a.info.id->value;
  const std::string role = first.role;
  Resources available;
  size_t launched = 0;
  for (const auto& op : acc.operations) launched += op.task_infos.size();
  for (const auto& id : acc.offer_ids) {
    Offer& o = *find_offer(id.value);
    available += o.resources;
    if (observed()) publish(master_event::OfferAccepted{id, *f.info.id, launched});
    remove_offer(o, std::nullopt, std::nullopt);
  }

  for (auto& op : acc.operations) {
    if (op.type == v1::Operation::Type::RESERVE || op.type == v1::Operation::Type::UNRESERVE) {
      const bool reserve = op.type == v1::Operation::Type::RESERVE;
      const Resources to = reserve ? op.resources : op.resources.with_reservation({});
      const Resources from = reserve ? op.resources.with_reservation({}) : op.resources;
      std::optional<std::string> error;
      if (op.resources.empty() || !op.resources.filter([](const ResourceKey& k) {
                                     return !k.reservation.is_reserved() ||
                                            k.reservation.info().type !=
                                                ReservationInfo::Type::kDynamic;
                                   }).empty()) {
        error = "RESERVE/UNRESERVE takes dynamically reserved resources";
      } else if (!available.contains(from)) {
        error = fmt::format("{} of '{}' exceeds what remains in the offers ('{}')",
                            to_string(op.type), op.resources.to_string(), available.to_string());
      } else if (Status s = m.allocator_->update_allocation(f.handle, a.handle, role, from, to);
                 !s.ok()) {
        error = s.error().message;
      }
      if (error) {
        reject(f.info.id, "ACCEPT", CallRejectedReason::kInvalidOperation,
               fmt::format("operation {}: {}", to_string(op.type), *error));
        continue;
      }
      available -= from;
      available += to;
      a.info.resources -= from;
      a.info.resources += to;
      if (auto it = m.registry_.agents.find(agent_id); it != m.registry_.agents.end()) {
        it->second.info.resources = a.info.resources;
        m.registry_.changed();
      }
      if (observed()) {
        publish(master_event::ReservationApplied{*f.info.id, *a.info.id, role, op.type, from, to});
        publish(master_event::AgentTotalChanged{*a.info.id, a.info.resources});
      }
      continue;
    }
    for (auto& task : op.task_infos) {
      if (auto error = invalid_task(*this, f.info.id->value, task, agent_id, available)) {
        v1::TaskStatus status =
            master_status(task.task_id, task.agent_id, std::nullopt, TaskState::TASK_ERROR,
                          TaskStatusReason::REASON_TASK_INVALID, *error);
        if (observed()) {
          publish(master_event::TaskStateChanged{task.task_id, *f.info.id, task.agent_id, role,
                                                 TaskState::TASK_ERROR, status.reason,
                                                 status.source, task.resources, *error,
                                                 status.timestamp, task.name, task.labels});
        }
        send_event(f, sched::Update{std::move(status)});
        continue;
      }
      available -= task.resources;
      Task& t = add_task(f, a,
                         v1::Task{task.name,
                                  task.task_id,
                                  *f.info.id,
                                  a.info.id.value(),
                                  task.executor
                                      ? std::optional(task.executor->executor_id)
                                      : std::optional(v1::ExecutorID{task.task_id.value}),
                                  task.resources,
                                  TaskState::TASK_STAGING,
                                  role,
                                  task.labels});
      publish_reported(t, v1::TaskStatusSource::SOURCE_MASTER, "");
      send(a.endpoint, v1::RunTaskMessage{f.info, std::move(task), role});
    }
  }
  // What the operations left unused goes back, filtered as the call asked.
  recover(f, a, role, available, refuse_duration(acc.filters.refuse_seconds),
          RecoveredReason::kAcceptUnused);
}

}  // namespace mesosim

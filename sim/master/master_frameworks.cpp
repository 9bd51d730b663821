// Master: scheduler calls, framework subscription, failover and removal.

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "allocator/check.hpp"
#include "allocator/role_name.hpp"
#include "sim/master/master_state.hpp"

namespace mesosim {
namespace {

namespace sched = v1::scheduler;

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::optional<CallError> bad_request(std::string message) {
  return CallError{CallError::Code::kBadRequest, std::move(message)};
}

std::optional<CallError> validate_subscribe(const sched::Call& call,
                                            const std::set<std::string>& removed) {
  const auto& sub = std::get<sched::Subscribe>(call.call);
  const v1::FrameworkInfo& info = sub.framework_info;
  if (auto error = validate_framework_info(info, sub.suppressed_roles)) return error;
  if (call.framework_id && info.id && *call.framework_id != *info.id) {
    return bad_request("framework_id and framework_info.id differ");
  }
  const auto id = call.framework_id ? call.framework_id : info.id;
  if (id && removed.count(id->value)) {
    return CallError{CallError::Code::kForbidden,
                     fmt::format("framework {} has been removed", id->value)};
  }
  return std::nullopt;
}

// For the TASK_KILLED message of a removed framework's tasks.
std::string removal_text(FrameworkRemovedReason reason) {
  switch (reason) {
    case FrameworkRemovedReason::kTeardown:
      return "teardown";
    case FrameworkRemovedReason::kFailoverTimeout:
      return "failover_timeout expired";
    case FrameworkRemovedReason::kNoFailover:
      return "disconnected with failover_timeout 0";
  }
  return "unknown";
}

}  // namespace

std::optional<CallError> validate_framework_info(const v1::FrameworkInfo& info,
                                                 const std::vector<std::string>& suppressed) {
  if (info.name.empty()) return bad_request("framework_info.name is empty");
  if (info.roles.empty()) return bad_request("framework_info.roles is empty");
  if (info.roles.size() > 1 && !info.has(v1::FrameworkCapability::MULTI_ROLE)) {
    return bad_request("a framework with several roles needs the MULTI_ROLE capability");
  }
  for (size_t i = 0; i < info.roles.size(); ++i) {
    if (Status s = validate_role(info.roles[i]); !s.ok()) {
      return bad_request(fmt::format("framework_info.roles[{}]: {}", i, s.error().message));
    }
    for (size_t j = 0; j < i; ++j) {
      if (info.roles[i] == info.roles[j]) {
        return bad_request(fmt::format("framework_info.roles lists '{}' twice", info.roles[i]));
      }
    }
  }
  for (const auto& r : suppressed) {
    if (!contains(info.roles, r)) {
      return bad_request(
          fmt::format("suppressed role '{}' is not one of the framework's roles", r));
    }
  }
  if (!std::isfinite(info.failover_timeout) || info.failover_timeout < 0) {
    return bad_request("framework_info.failover_timeout must be a non-negative number of seconds");
  }
  return std::nullopt;
}

std::string_view to_string(CallError::Code code) {
  switch (code) {
    case CallError::Code::kBadRequest:
      return "bad request";
    case CallError::Code::kForbidden:
      return "forbidden";
    case CallError::Code::kNotLeader:
      return "not leader";
  }
  return "?";
}

std::optional<CallError> Master::validate(Endpoint from, const sched::Call& call) const {
  if (!leading_) return CallError{CallError::Code::kNotLeader, "this master is not the leader"};
  return state_->validate_call(from, call, nullptr);
}

std::optional<CallError> Master::State::validate_call(Endpoint from, const sched::Call& call,
                                                      Framework** caller) const {
  if (std::holds_alternative<sched::Subscribe>(call.call)) {
    return validate_subscribe(call, removed_frameworks);
  }
  if (!call.framework_id) return bad_request("the call has no framework_id");
  Framework* f = framework_by_id(call.framework_id->value);
  if (caller != nullptr) *caller = f;
  if (f == nullptr || !f->connected || f->endpoint != from) {
    return CallError{CallError::Code::kForbidden,
                     fmt::format("framework {} is not subscribed on this connection",
                                 call.framework_id->value)};
  }
  const auto& roles = f->info.roles;
  auto check_roles = [&](const std::vector<std::string>& rs) -> std::optional<CallError> {
    for (const auto& r : rs) {
      if (!contains(roles, r)) {
        return bad_request(fmt::format("role '{}' is not one of the framework's", r));
      }
    }
    return std::nullopt;
  };
  if (const auto* r = std::get_if<sched::Revive>(&call.call)) return check_roles(r->roles);
  if (const auto* r = std::get_if<sched::Suppress>(&call.call)) return check_roles(r->roles);
  if (const auto* a = std::get_if<sched::Acknowledge>(&call.call)) {
    // Any 16 bytes are a uuid, the nil one too (Mesos validates only that they parse): one that
    // names no pending update is passed on and changes nothing there.
    if (a->task_id.value.empty() || a->agent_id.value.empty()) {
      return bad_request("ACKNOWLEDGE needs task_id and agent_id");
    }
  }
  if (const auto* k = std::get_if<sched::Kill>(&call.call); k && k->task_id.value.empty()) {
    return bad_request("KILL has no task_id");
  }
  if (const auto* u = std::get_if<sched::UpdateFramework>(&call.call)) {
    return validate_update(*f, *call.framework_id, *u);
  }
  if (const auto* q = std::get_if<sched::Request>(&call.call)) {
    for (size_t i = 0; i < q->requests.size(); ++i) {
      const sched::ResourceRequest& r = q->requests[i];
      if (r.resources.empty()) return bad_request(fmt::format("REQUEST {} has no resources", i));
      if (r.count == 0) return bad_request(fmt::format("REQUEST {} asks for 0 tasks", i));
      if (r.role ? !contains(roles, *r.role) : roles.size() != 1) {
        return bad_request(r.role ? fmt::format("REQUEST {}: role '{}' is not one of the "
                                                "framework's",
                                                i, *r.role)
                                  : fmt::format("REQUEST {} names no role and the framework "
                                                "has {}",
                                                i, roles.size()));
      }
    }
  }
  return std::nullopt;
}

void Master::State::handle_call(Endpoint from, sched::Call& call) {
  if (std::holds_alternative<sched::Subscribe>(call.call)) {
    subscribe(from, call);
    return;
  }
  // Only a leader receives calls (Master::receive), so this is Master::validate, finding the
  // caller's framework once for both.
  Framework* caller = nullptr;
  if (auto error = validate_call(from, call, &caller)) {
    reject(call.framework_id, sched::call_type(call), CallRejectedReason::kInvalidCall, error->message);
    return;
  }
  Framework& f = *caller;
  std::visit(
      [&](auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, sched::Teardown>) {
          remove_framework(f, FrameworkRemovedReason::kTeardown);
        } else if constexpr (std::is_same_v<T, sched::Accept>) {
          accept(f, c);
        } else if constexpr (std::is_same_v<T, sched::Decline>) {
          decline(f, c);
        } else if constexpr (std::is_same_v<T, sched::Revive>) {
          const auto& roles = c.roles.empty() ? f.info.roles : c.roles;
          for (const auto& r : roles) std::erase(f.suppressed_roles, r);
          m.allocator_->revive(f.handle, c.roles);
          if (observed()) publish(master_event::OffersRevived{*f.info.id, roles});
        } else if constexpr (std::is_same_v<T, sched::Suppress>) {
          const auto& roles = c.roles.empty() ? f.info.roles : c.roles;
          for (const auto& r : roles) {
            if (!contains(f.suppressed_roles, r)) f.suppressed_roles.push_back(r);
          }
          m.allocator_->suppress(f.handle, c.roles);
          if (observed()) publish(master_event::OffersSuppressed{*f.info.id, roles});
        } else if constexpr (std::is_same_v<T, sched::Kill>) {
          kill(f, c);
        } else if constexpr (std::is_same_v<T, sched::Acknowledge>) {
          acknowledge(f, c);
        } else if constexpr (std::is_same_v<T, sched::Reconcile>) {
          reconcile(f, c);
        } else if constexpr (std::is_same_v<T, sched::Request>) {
          request(f, c);
        } else if constexpr (std::is_same_v<T, sched::Message>) {
          message(f, c);
        } else if constexpr (std::is_same_v<T, sched::Shutdown>) {
          shutdown_executor(f, c);
        } else if constexpr (std::is_same_v<T, sched::UpdateFramework>) {
          update_framework(f, c);
        }
      },
      call.call);
}

FrameworkInfo Master::State::allocator_info(const v1::FrameworkInfo& info,
                                            const std::vector<std::string>& suppressed) {
  FrameworkInfo out;
  out.name = info.id ? info.id->value : info.name;
  out.roles = info.roles;
  out.suppressed_roles = suppressed;
  out.gpu_resources = info.has(v1::FrameworkCapability::GPU_RESOURCES);
  out.revocable_resources = info.has(v1::FrameworkCapability::REVOCABLE_RESOURCES);
  return out;
}

Master::State::Framework& Master::State::add_framework(const v1::FrameworkInfo& info,
                                                       bool connected,
                                                       const std::vector<std::string>& suppressed) {
  const uint32_t handle = take_slot(framework_slots, free_framework_handles);
  framework_slots[handle] = std::make_unique<Framework>();
  Framework& f = *framework_slots[handle];
  const bool fresh = framework_ids.emplace(info.id->value, FrameworkId{handle}).second;
  MESOSIM_CHECK(fresh, "add_framework() of a framework id already on the books");
  framework_index.insert(flat_hash(info.id->value), handle);
  f.info = info;
  f.handle = FrameworkId{handle};
  f.connected = connected;
  f.active = connected;
  f.suppressed_roles = suppressed;
  Status s = m.allocator_->add_framework(f.handle, allocator_info(info, suppressed), connected);
  MESOSIM_CHECK(s.ok(), s.ok() ? "" : s.error().message.c_str());
  return f;
}

void Master::State::subscribe(Endpoint from, const sched::Call& call) {
  const auto& sub = std::get<sched::Subscribe>(call.call);
  if (auto error = m.validate(from, call)) {
    send(from, sched::Event{sched::Error{error->message}});
    reject(call.framework_id, "SUBSCRIBE", CallRejectedReason::kInvalidCall, error->message);
    return;
  }
  v1::FrameworkInfo info = sub.framework_info;
  std::optional<v1::FrameworkID> id = call.framework_id ? call.framework_id : info.id;
  if (!id) {
    // A retried SUBSCRIBE on a connection that already has its framework.
    if (const Framework* known = framework_at_endpoint(from)) id = known->info.id;
  }
  Framework* f = id ? framework_by_id(id->value) : nullptr;
  const bool resubscribe = f != nullptr;
  if (f) {
    // A scheduler failing over to a new connection: the old one is told and dropped, and the
    // offers it held are rescinded (Mesos does the same).
    if (f->connected && f->endpoint && *f->endpoint != from) {
      send(*f->endpoint, sched::Event{sched::Error{"Framework failed over"}});
    }
    if (f->endpoint) framework_at.erase(*f->endpoint);
    for (OfferRef ref : offers_of(f->offers)) {
      rescind_offer(offer_at(ref), OfferRescindedReason::kFrameworkFailedOver);
    }
    m.clock_.cancel(f->failover_timer);
    info.id = id;
    f->info = info;
    f->suppressed_roles = sub.suppressed_roles;
    f->connected = true;
    f->active = true;
    Status s = m.allocator_->update_framework(f->handle, allocator_info(info, sub.suppressed_roles));
    MESOSIM_CHECK(s.ok(), s.ok() ? "" : s.error().message.c_str());
    m.allocator_->activate_framework(f->handle);
  } else {
    if (!id) id = v1::FrameworkID{fmt::format("{}-{:04}", m.options_.master_id, next_framework++)};
    info.id = id;
    f = &add_framework(info, true, sub.suppressed_roles);
  }
  f->endpoint = from;
  framework_at[from] = f->handle;
  m.transport_.link(m.self_, from);
  send(from, sched::Event{sched::Subscribed{*id, m.options_.heartbeat_interval.seconds_f(),
                                            m.options_.master_id}});
  publish(master_event::FrameworkAdded{*id, info.name, info.roles, resubscribe,
                                       sub.suppressed_roles});
}

void Master::State::disconnect_framework(Framework& f) {
  if (!f.connected) return;
  f.connected = false;
  f.active = false;
  if (f.endpoint) framework_at.erase(*f.endpoint);
  m.allocator_->deactivate_framework(f.handle);
  for (OfferRef ref : offers_of(f.offers)) {
    rescind_offer(offer_at(ref), OfferRescindedReason::kFrameworkDisconnected);
  }
  publish(master_event::FrameworkDisconnected{*f.info.id});
  const Duration timeout = Duration::from_seconds(f.info.failover_timeout);
  if (timeout <= Duration::zero()) {
    remove_framework(f, FrameworkRemovedReason::kNoFailover);
    return;
  }
  const std::string id = f.info.id->value;
  f.failover_timer = m.clock_.schedule(timeout, [this, id] {
    if (Framework* g = framework_by_id(id); g && !g->connected) {
      remove_framework(*g, FrameworkRemovedReason::kFailoverTimeout);
    }
  });
}

void Master::State::remove_framework(Framework& f, FrameworkRemovedReason reason) {
  const std::string id = f.info.id->value;
  m.clock_.cancel(f.failover_timer);
  for (OfferRef ref : offers_of(f.offers)) {
    rescind_offer(offer_at(ref), OfferRescindedReason::kFrameworkRemoved);
  }
  // Agents kill its tasks; the master considers them killed now and frees their resources.
  for (TaskRef ref : tasks_of(f)) {
    Task& t = task_at(ref);
    if (!t.released) {
      transition(t,
                 master_status(t, v1::TaskState::TASK_KILLED,
                               v1::TaskStatusReason::REASON_FRAMEWORK_REMOVED,
                               "framework removed: " + removal_text(reason)),
                 false);
    }
    complete(t);
  }
  // Every registered agent hears of it, not only those the master knows to hold its tasks: an
  // agent may hold a launch the master has not heard back about (Mesos does the same).
  for (const auto& [agent_id, handle] : agent_ids) {
    send(agent_by_handle(handle)->endpoint, v1::ShutdownFrameworkMessage{*f.info.id});
  }
  m.allocator_->remove_framework(f.handle);
  forget_skips(f.handle);
  free_framework_handles.push_back(f.handle.value);
  if (f.endpoint) framework_at.erase(*f.endpoint);
  FrameworkView view{f.info, false, false, {}, 0};
  completed_frameworks.push_back(std::move(view));
  removed_frameworks.insert(id);
  // Bounded, as Mesos's completed frameworks are: one evicted may subscribe again.
  while (completed_frameworks.size() > m.options_.max_completed_frameworks) {
    removed_frameworks.erase(completed_frameworks.front().info.id->value);
    completed_frameworks.pop_front();
  }
  framework_ids.erase(id);
  framework_index.erase(flat_hash(id), f.handle.value);
  framework_slots[f.handle.value].reset();  // `f` is gone
  publish(master_event::FrameworkRemoved{v1::FrameworkID{id}, reason});
}

void Master::State::decline(Framework& f, const sched::Decline& d) {
  const std::optional<Duration> filter = refuse_duration(d.filters.refuse_seconds);
  for (const auto& oid : d.offer_ids) {
    Offer* o = find_offer(oid.value);
    if (o == nullptr || o->framework != f.handle) continue;  // Mesos ignores these
    if (observed()) {
      auto& e = reuse<master_event::OfferDeclined>(offer_declined_event);
      [[maybe_unused]] auto& [f1, f2, f3, f4] = e;  // every field is assigned
      e.offer = oid;
      e.framework = *f.info.id;
      e.filter = filter;
      if (d.reason.empty()) {
        e.reason.reset();
      } else {
        e.reason = d.reason;
      }
      emit(offer_declined_event);
    }
    remove_offer(*o, RecoveredReason::kDeclined, filter);
  }
}

void Master::State::heartbeat() {
  for (const auto& [id, handle] : framework_ids) {
    Framework& f = *framework_by_handle(handle);
    if (f.connected) send_event(f, sched::Heartbeat{});
  }
}

}  // namespace mesosim

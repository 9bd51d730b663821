#include "sim/scheduler_driver.hpp"

#include "allocator/check.hpp"

namespace mesosim {

namespace sched = v1::scheduler;

SchedulerDriver::SchedulerDriver(Endpoint self, Clock& clock, Transport& transport,
                                 v1::FrameworkInfo info, Scheduler* scheduler,
                                 SchedulerDriverOptions options)
    : self_(self),
      clock_(clock),
      transport_(transport),
      info_(std::move(info)),
      scheduler_(scheduler),
      options_(std::move(options)),
      busy_until_(clock.now()) {}

SchedulerDriver::~SchedulerDriver() {
  clock_.cancel(subscribe_timer_);
  clock_.cancel(drain_timer_);
}

void SchedulerDriver::receive(Endpoint from, Message&& message) {
  if (crashed_) return;
  if (clock_.now() < busy_until_ || !inbox_.empty()) {
    inbox_.emplace_back(from, std::move(message));
    if (drain_timer_.value == 0) {
      drain_timer_ = clock_.schedule(busy_until_ - clock_.now(), [this] {
        drain_timer_ = TimerId{};
        drain();
      });
    }
    return;
  }
  deliver(from, message);
}

void SchedulerDriver::drain() {
  while (!inbox_.empty() && clock_.now() >= busy_until_) {
    auto [from, message] = std::move(inbox_.front());
    inbox_.pop_front();
    deliver(from, message);
  }
  if (!inbox_.empty() && drain_timer_.value == 0) {
    drain_timer_ = clock_.schedule(busy_until_ - clock_.now(), [this] {
      drain_timer_ = TimerId{};
      drain();
    });
  }
}

void SchedulerDriver::deliver(Endpoint from, Message& message) {
  if (auto* detected = std::get_if<MasterDetectedMessage>(&message)) {
    const bool changed = detected->leader != master_;
    if (changed && subscribed_) {
      subscribed_ = false;
      if (scheduler_) scheduler_->disconnected(*this);
    }
    master_ = detected->leader;
    // The same leader again (e.g. right after restart()): a SUBSCRIBE already on its way is
    // retried by its timer; a second one would make the master fail the framework over twice.
    if (changed || (!subscribed_ && subscribe_timer_.value == 0)) try_subscribe();
    return;
  }
  if (auto* exited = std::get_if<ExitedMessage>(&message)) {
    if (master_ && exited->peer == *master_) {
      subscribed_ = false;
      master_.reset();
      if (scheduler_) scheduler_->disconnected(*this);
    }
    return;
  }
  auto* event = std::get_if<sched::Event>(&message);
  if (!event || !master_ || from != *master_ || !scheduler_) return;

  in_callback_ = true;
  std::visit(
      [&](auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, sched::Subscribed>) {
          subscribed_ = true;
          clock_.cancel(subscribe_timer_);
          subscribe_timer_ = TimerId{};
          info_.id = e.framework_id;
          scheduler_->subscribed(*this, e.framework_id);
        } else if constexpr (std::is_same_v<T, sched::Offers>) {
          scheduler_->offers(*this, e.offers);
        } else if constexpr (std::is_same_v<T, sched::Rescind>) {
          scheduler_->rescind(*this, e.offer_id);
        } else if constexpr (std::is_same_v<T, sched::Update>) {
          scheduler_->update(*this, e.status);
          if (options_.implicit_acknowledgements && e.status.uuid) {
            // The event is ours and read no more: its ids move into the acknowledgement.
            send_call(sched::Call{std::nullopt,
                                  sched::Acknowledge{std::move(e.status.agent_id),
                                                     std::move(e.status.task_id), *e.status.uuid}});
          }
        } else if constexpr (std::is_same_v<T, sched::Failure>) {
          scheduler_->failure(*this, e);
        } else if constexpr (std::is_same_v<T, sched::Error>) {
          // Refused before subscribing (e.g. the framework was removed): retrying cannot help
          // until another master leads.
          if (!subscribed_) clock_.cancel(subscribe_timer_);
          scheduler_->error(*this, e.message);
        }
      },
      event->event);
  in_callback_ = false;
  // Calls made in the callback leave once the decision is done (send_call holds them while the
  // scheduler is busy).
  std::swap(sending_, outbox_);
  for (auto& call : sending_) send_call(std::move(call));
  sending_.clear();
}

void SchedulerDriver::charge(Duration d) {
  MESOSIM_CHECK(d >= Duration::zero(), "decision time must not be negative");
  const Time start = busy_until_ > clock_.now() ? busy_until_ : clock_.now();
  busy_until_ = start + d;
}

void SchedulerDriver::try_subscribe() {
  clock_.cancel(subscribe_timer_);
  subscribe_timer_ = TimerId{};
  if (crashed_ || !master_ || subscribed_) return;
  transport_.link(self_, *master_);
  sched::Call call;
  call.framework_id = info_.id;
  call.call = sched::Subscribe{info_, options_.suppressed_roles};
  transport_.send(self_, *master_, std::move(call));
  subscribe_timer_ = clock_.schedule(options_.subscribe_retry, [this] { try_subscribe(); });
}

void SchedulerDriver::send_call(sched::Call&& call) {
  if (in_callback_) {
    outbox_.push_back(std::move(call));
    return;
  }
  if (busy_until_ > clock_.now()) {
    // The scheduler is still deciding: the call leaves when it is done, after the calls made
    // before it (same time, scheduled earlier), and only from the incarnation that made it. A
    // call made outside a callback (a job arrived, a model's timer) waits too: a REVIVE sent at
    // once would overtake the SUPPRESS of the decision before it and leave the framework
    // suppressed in the master's books while the model thinks it revived.
    clock_.schedule(busy_until_ - clock_.now(),
                    [this, incarnation = incarnation_, call = std::move(call)]() mutable {
                      if (!crashed_ && incarnation == incarnation_) send_call(std::move(call));
                    });
    return;
  }
  if (crashed_ || !master_ || !subscribed_) return;
  call.framework_id = info_.id;
  transport_.send(self_, *master_, std::move(call));
}

void SchedulerDriver::accept(std::vector<v1::OfferID> offers, std::vector<v1::Operation> ops,
                             v1::Filters filters) {
  send_call(sched::Call{std::nullopt, sched::Accept{std::move(offers), std::move(ops), filters}});
}

void SchedulerDriver::launch(const v1::Offer& offer, std::vector<v1::TaskInfo> tasks,
                             v1::Filters filters) {
  v1::Operation op;
  op.type = v1::Operation::Type::LAUNCH;
  op.task_infos = std::move(tasks);
  // Not `{std::move(op)}`: an initializer list's elements are const, so every TaskInfo would be
  // copied into the vector.
  std::vector<v1::Operation> ops;
  ops.push_back(std::move(op));
  accept({offer.id}, std::move(ops), filters);
}

void SchedulerDriver::decline(std::vector<v1::OfferID> offers, v1::Filters filters,
                              std::string reason) {
  send_call(
      sched::Call{std::nullopt, sched::Decline{std::move(offers), filters, std::move(reason)}});
}

void SchedulerDriver::revive(std::vector<std::string> roles) {
  send_call(sched::Call{std::nullopt, sched::Revive{std::move(roles)}});
}

void SchedulerDriver::suppress(std::vector<std::string> roles) {
  send_call(sched::Call{std::nullopt, sched::Suppress{std::move(roles)}});
}

void SchedulerDriver::kill(const v1::TaskID& task, std::optional<v1::AgentID> agent) {
  send_call(sched::Call{std::nullopt, sched::Kill{task, std::move(agent)}});
}

void SchedulerDriver::acknowledge(const v1::TaskStatus& status) {
  if (!status.uuid) return;
  send_call(sched::Call{std::nullopt,
                        sched::Acknowledge{status.agent_id, status.task_id, *status.uuid}});
}

void SchedulerDriver::reconcile(std::vector<sched::Reconcile::Task> tasks) {
  send_call(sched::Call{std::nullopt, sched::Reconcile{std::move(tasks)}});
}

void SchedulerDriver::request(std::vector<sched::ResourceRequest> requests) {
  send_call(sched::Call{std::nullopt, sched::Request{std::move(requests)}});
}

void SchedulerDriver::teardown() { send_call(sched::Call{std::nullopt, sched::Teardown{}}); }

void SchedulerDriver::message(const v1::AgentID& agent, const v1::ExecutorID& executor,
                              std::string data) {
  send_call(sched::Call{std::nullopt, sched::Message{agent, executor, std::move(data)}});
}

void SchedulerDriver::shutdown(const v1::ExecutorID& executor, const v1::AgentID& agent) {
  send_call(sched::Call{std::nullopt, sched::Shutdown{executor, agent}});
}

void SchedulerDriver::update_framework(v1::FrameworkInfo info,
                                       std::vector<std::string> suppressed_roles) {
  info.id = info_.id;
  info_ = info;
  options_.suppressed_roles = suppressed_roles;
  send_call(sched::Call{std::nullopt,
                        sched::UpdateFramework{std::move(info), std::move(suppressed_roles)}});
}

void SchedulerDriver::crash() {
  crashed_ = true;
  ++incarnation_;
  subscribed_ = false;
  clock_.cancel(subscribe_timer_);
  subscribe_timer_ = TimerId{};
  clock_.cancel(drain_timer_);
  drain_timer_ = TimerId{};
  inbox_.clear();
  outbox_.clear();
}

void SchedulerDriver::restart(Scheduler* scheduler) {
  crashed_ = false;
  scheduler_ = scheduler;
  busy_until_ = clock_.now();
  try_subscribe();
}

}  // namespace mesosim

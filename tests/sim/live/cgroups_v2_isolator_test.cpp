// The cgroups v2 back end against a fake unified hierarchy (this machine's v2 hierarchy has no
// controllers): the exact files and values written, OOM detection from memory.events, usage,
// and the whole task life cycle through the Containerizer.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "fake_cgroup_tree.hpp"
#include "live_test_util.hpp"
#include "sim/live/containerizer.hpp"
#include "watching_loop.hpp"

namespace mesosim::live {
namespace {

using namespace mesosim::live::testing;
using v1::TaskState;
using v1::TaskStatusReason;
using Writes = std::vector<std::pair<std::string, std::string>>;

// Forwards to the fake tree, counting the parent's own writes to cgroup.procs (a launch's child
// writes its pid through open_for_writing's fd instead), and handing out a read-only fd, which
// the child cannot write to, while `unwritable_procs` is set.
class JoinWitnessFs final : public CgroupFs {
 public:
  explicit JoinWitnessFs(std::shared_ptr<FakeV2Fs> fake) : fake_(std::move(fake)) {}
  Result<std::string> read(const std::string& p) const override { return fake_->read(p); }
  bool exists(const std::string& p) const override { return fake_->exists(p); }
  Status mkdir(const std::string& p) override { return fake_->mkdir(p); }
  Status rmdir(const std::string& p) override { return fake_->rmdir(p); }
  Result<std::vector<std::string>> subdirectories(const std::string& p) const override {
    return fake_->subdirectories(p);
  }
  Status write(const std::string& path, std::string_view value) override {
    if (path.size() >= 12 && path.compare(path.size() - 12, 12, "cgroup.procs") == 0) {
      ++procs_written_by_parent;
    }
    return fake_->write(path, value);
  }
  Result<int> open_for_writing(const std::string& path) override {
    if (!unwritable_procs) return fake_->open_for_writing(path);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error{"cannot open " + path};
    return fd;
  }
  int procs_written_by_parent = 0;
  bool unwritable_procs = false;

 private:
  std::shared_ptr<FakeV2Fs> fake_;
};

// Forwards to a real isolator, counting the OOM counter reads, and refusing OOM notifications
// while `refuse_notifications` is set.
class CountingIsolator final : public Isolator {
 public:
  explicit CountingIsolator(Isolator& inner) : inner_(inner) {}
  std::string_view name() const override { return inner_.name(); }
  bool enforces_limits() const override { return inner_.enforces_limits(); }
  Status prepare(const std::string& c, const ContainerLimits& l) override {
    return inner_.prepare(c, l);
  }
  Status attach(const std::string& c, pid_t pid) override { return inner_.attach(c, pid); }
  Result<std::vector<int>> open_attach_files(const std::string& c) override {
    return inner_.open_attach_files(c);
  }
  Result<std::vector<pid_t>> pids(const std::string& c) const override { return inner_.pids(c); }
  Result<ResourceStatistics> usage(const std::string& c) const override { return inner_.usage(c); }
  Result<bool> oom_killed(const std::string& c) const override {
    ++oom_reads;
    return inner_.oom_killed(c);
  }
  std::string oom_message(const std::string& c) const override { return inner_.oom_message(c); }
  Result<int> oom_notification(const std::string& c) override {
    if (refuse_notifications) return Error{"refused for " + c};
    return inner_.oom_notification(c);
  }
  Status destroy(const std::string& c) override { return inner_.destroy(c); }
  Result<std::vector<std::string>> containers() const override { return inner_.containers(); }
  std::string cgroup_path(const std::string& c) const override { return inner_.cgroup_path(c); }

  mutable size_t oom_reads = 0;
  bool refuse_notifications = false;

 private:
  Isolator& inner_;
};

class CgroupsV2IsolatorTest : public ::testing::Test {
 protected:
  CgroupsV2IsolatorTest() {
    make_fake_v2_root(mount_, "cpu memory pids");
    isolator_ = make_cgroups_v2_isolator(CgroupsV2Layout{mount_, "mesosim"}, fs_);
  }
  ~CgroupsV2IsolatorTest() override { reap_children(); }

  std::string file(const std::string& container, const std::string& name) const {
    return mount_ + "/mesosim/" + container + "/" + name;
  }
  // What the kernel leaves in the files of a container at a 64 MB limit it OOM-killed in.
  void fake_oom_kill(const std::string& container) const {
    put_file(file(container, "memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
    put_file(file(container, "memory.max"), "67108864\n");
    put_file(file(container, "memory.peak"), "67108864\n");
  }
  // The end Mesos reports for it.
  static void expect_memory_limitation(const ContainerEnded& end) {
    EXPECT_EQ(end.outcome.state, TaskState::TASK_FAILED);
    EXPECT_EQ(end.outcome.reason, TaskStatusReason::REASON_CONTAINER_LIMITATION_MEMORY);
    EXPECT_EQ(end.outcome.message, "Memory limit exceeded: Requested: 64MB Maximum Used: 64MB");
  }

  TempDir dir_;
  std::string mount_ = dir_.path() + "/unified";
  std::shared_ptr<FakeV2Fs> fs_ = std::make_shared<FakeV2Fs>(mount_);
  std::unique_ptr<Isolator> isolator_;
};

TEST_F(CgroupsV2IsolatorTest, PrepareDelegatesControllersAndWritesMesosValues) {
  ContainerLimits limits = ContainerLimits::from_resources(res("cpus:1.5;mem:100"));
  ASSERT_TRUE(isolator_->prepare("c1", limits));
  EXPECT_EQ(fs_->writes, (Writes{{"cgroup.subtree_control", "+cpu +memory +pids"},
                                 {"mesosim/cgroup.subtree_control", "+cpu +memory +pids"},
                                 {"mesosim/c1/cpu.weight", "150"},
                                 {"mesosim/c1/cpu.max", "150000 100000"},
                                 {"mesosim/c1/memory.low", "104857600"},
                                 {"mesosim/c1/memory.max", "104857600"},
                                 {"mesosim/c1/pids.max", "max"}}));
  EXPECT_EQ(isolator_->cgroup_path("c1"), mount_ + "/mesosim/c1");
  EXPECT_FALSE(isolator_->prepare("c1", limits)) << "a container is prepared once";
}

TEST_F(CgroupsV2IsolatorTest, TinyTasksGetMesosMinimumsAndCfsOffLeavesCpuUncapped) {
  ContainerLimits limits = ContainerLimits::from_resources(res("cpus:0.001;mem:16"),
                                                           /*enable_cfs=*/false);
  limits.max_processes = 64;
  ASSERT_TRUE(isolator_->prepare("small", limits));
  EXPECT_EQ(trim(slurp(file("small", "cpu.weight"))), "1");
  EXPECT_EQ(trim(slurp(file("small", "cpu.max"))), "max 100000");
  EXPECT_EQ(trim(slurp(file("small", "memory.low"))), "33554432");
  EXPECT_EQ(trim(slurp(file("small", "memory.max"))), "33554432");
  EXPECT_EQ(trim(slurp(file("small", "pids.max"))), "64");
}

TEST_F(CgroupsV2IsolatorTest, ContainerNamesThatLeaveTheRootAreRefused) {
  ContainerLimits limits = ContainerLimits::from_resources(res("cpus:1;mem:64"));
  for (const char* bad : {"../evil", "..", "a/b", ""}) {
    Status s = isolator_->prepare(bad, limits);
    ASSERT_FALSE(s) << bad;
    EXPECT_NE(s.error().message.find("invalid container name"), std::string::npos);
  }
  EXPECT_TRUE(fs_->writes.empty());
  EXPECT_FALSE(path_exists(mount_ + "/evil"));
}

TEST_F(CgroupsV2IsolatorTest, OomIsDetectedFromMemoryEventsWithMesosMessage) {
  ASSERT_TRUE(isolator_->prepare("c1", ContainerLimits::from_resources(res("cpus:1;mem:64"))));
  Result<bool> before = isolator_->oom_killed("c1");
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_FALSE(before.value());

  put_file(file("c1", "memory.events"), "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n");
  put_file(file("c1", "memory.peak"), "67108864\n");
  Result<bool> after = isolator_->oom_killed("c1");
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_TRUE(after.value());
  EXPECT_EQ(isolator_->oom_message("c1"),
            "Memory limit exceeded: Requested: 64MB Maximum Used: 64MB");
}

TEST_F(CgroupsV2IsolatorTest, MissingMemoryEventsIsAnErrorNamingTheFile) {
  ASSERT_TRUE(isolator_->prepare("c1", ContainerLimits::from_resources(res("cpus:1;mem:64"))));
  ::unlink(file("c1", "memory.events").c_str());
  Result<bool> oom = isolator_->oom_killed("c1");
  ASSERT_FALSE(oom);
  EXPECT_NE(oom.error().message.find(file("c1", "memory.events")), std::string::npos);
}

TEST_F(CgroupsV2IsolatorTest, UsageReadsCpuStatMemoryAndProcesses) {
  ASSERT_TRUE(isolator_->prepare("c1", ContainerLimits::from_resources(res("cpus:2;mem:64"))));
  put_file(file("c1", "cpu.stat"),
           "usage_usec 1750000\nuser_usec 1500000\nsystem_usec 250000\nnr_periods 10\n"
           "nr_throttled 3\nthrottled_usec 2000\n");
  put_file(file("c1", "memory.current"), "5000\n");
  put_file(file("c1", "memory.stat"), "anon 4096\nfile 904\nkernel 0\n");
  put_file(file("c1", "cgroup.procs"), std::to_string(::getpid()) + "\n");
  Result<ResourceStatistics> u = isolator_->usage("c1");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_DOUBLE_EQ(u.value().cpus_user_time_secs, 1.5);
  EXPECT_DOUBLE_EQ(u.value().cpus_system_time_secs, 0.25);
  EXPECT_EQ(u.value().cpus_nr_periods, 10u);
  EXPECT_EQ(u.value().cpus_nr_throttled, 3u);
  EXPECT_DOUBLE_EQ(u.value().cpus_throttled_time_secs, 0.002);
  EXPECT_DOUBLE_EQ(u.value().cpus_limit, 2.0);
  EXPECT_EQ(u.value().mem_total_bytes, 5000u);
  EXPECT_EQ(u.value().mem_rss_bytes, 4096u);
  EXPECT_EQ(u.value().mem_cache_bytes, 904u);
  EXPECT_EQ(u.value().mem_limit_bytes, 64u << 20);
  EXPECT_EQ(u.value().mem_soft_limit_bytes, 64u << 20);
  EXPECT_EQ(u.value().processes, 1u);
}

TEST_F(CgroupsV2IsolatorTest, TaskIsAttachedBeforeItExecsAndDestroyLeavesNothing) {
  auto witness = std::make_shared<JoinWitnessFs>(fs_);
  std::unique_ptr<Isolator> isolator =
      make_cgroups_v2_isolator(CgroupsV2Layout{mount_, "mesosim"}, witness);
  ContainerizerOptions options;
  TempDir work;
  options.work_dir = work.path();
  Containerizer containerizer(*isolator, options);
  DestroyAllOnExit cleanup(containerizer);
  // The shell's first command looks for its own pid ($$, the task's) in cgroup.procs: it is
  // there only if the child wrote it before exec.
  const std::string procs = mount_ + "/mesosim/*/cgroup.procs";
  Result<std::string> c = containerizer.launch(
      command_task("t", "if grep -qx \"$$\" " + procs + "; then echo joined; fi; sleep 30"), now());
  ASSERT_TRUE(c) << c.error().message;
  pid_t pid = *containerizer.pid(c.value());
  const std::string sandbox = *containerizer.sandbox(c.value());
  for (int i = 0; i < 500 && slurp(sandbox + "/stdout").empty(); ++i) ::usleep(10'000);

  EXPECT_EQ(slurp(sandbox + "/stdout"), "joined\n") << "the task joined its cgroup after exec";
  EXPECT_EQ(witness->procs_written_by_parent, 0) << "the child writes its own pid";
  EXPECT_EQ(slurp(file(c.value(), "cgroup.procs")), std::to_string(pid) + "\n");
  EXPECT_EQ(fs_->opened_for_writing,
            std::vector<std::string>{"mesosim/" + c.value() + "/cgroup.procs"});
  EXPECT_EQ(isolator->containers().value(), std::vector<std::string>{c.value()});

  EXPECT_TRUE(containerizer.destroy_all().empty());
  EXPECT_FALSE(process_alive(pid));
  EXPECT_FALSE(path_exists(mount_ + "/mesosim/" + c.value()));
  EXPECT_TRUE(isolator->containers().value().empty());
}

TEST_F(CgroupsV2IsolatorTest, AChildThatCannotJoinItsCgroupNeverRunsItsCommand) {
  auto witness = std::make_shared<JoinWitnessFs>(fs_);
  witness->unwritable_procs = true;
  std::unique_ptr<Isolator> isolator =
      make_cgroups_v2_isolator(CgroupsV2Layout{mount_, "mesosim"}, witness);
  ContainerizerOptions options;
  TempDir work;
  options.work_dir = work.path();
  Containerizer containerizer(*isolator, options);
  DestroyAllOnExit cleanup(containerizer);
  const std::string marker = work.path() + "/ran";
  Result<std::string> c = containerizer.launch(command_task("t", "touch " + marker), now());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("cannot place the task in container"), std::string::npos)
      << c.error().message;
  EXPECT_NE(c.error().message.find(std::strerror(EBADF)), std::string::npos) << c.error().message;
  ::usleep(100'000);
  EXPECT_FALSE(path_exists(marker)) << "the command ran outside its cgroup";
  EXPECT_TRUE(containerizer.containers().empty());
  EXPECT_TRUE(isolator->containers().value().empty()) << "the cgroup is left behind";
  EXPECT_TRUE(path_exists(work.path() + "/containers") == false ||
              read_checkpoints(work.path()).checkpoints.empty());
  int status = 0;
  EXPECT_EQ(::waitpid(-1, &status, WNOHANG), -1) << "a child is left unreaped";
  EXPECT_EQ(errno, ECHILD);
}

TEST_F(CgroupsV2IsolatorTest, ContainerizerKillsAndReportsATaskWhoseCgroupSawAnOom) {
  ContainerizerOptions options;
  TempDir work;
  options.work_dir = work.path();
  Containerizer containerizer(*isolator_, options);
  DestroyAllOnExit cleanup(containerizer);
  Result<std::string> c =
      containerizer.launch(command_task("t", "sleep 30", "cpus:1;mem:64"), now());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(containerizer.poll(now()).empty());
  fake_oom_kill(c.value());
  std::optional<ContainerEnded> end = wait_for_end(containerizer, c.value(), 5);
  ASSERT_TRUE(end);
  expect_memory_limitation(*end);
  EXPECT_FALSE(path_exists(mount_ + "/mesosim/" + c.value()));
}

TEST_F(CgroupsV2IsolatorTest, AWriteToOneMemoryEventsMakesOnlyItsNotificationReadable) {
  ContainerizerOptions options;
  TempDir work;
  options.work_dir = work.path();
  Containerizer containerizer(*isolator_, options);
  DestroyAllOnExit cleanup(containerizer);
  Result<std::string> hit =
      containerizer.launch(command_task("hit", "sleep 30", "cpus:1;mem:64"), now());
  Result<std::string> spared =
      containerizer.launch(command_task("spared", "sleep 30", "cpus:1;mem:64"), now());
  ASSERT_TRUE(hit) << hit.error().message;
  ASSERT_TRUE(spared) << spared.error().message;
  WatchingLoop loop(containerizer);
  ASSERT_EQ(loop.fds().size(), 4u) << "a pidfd and a memory.events watch each";
  EXPECT_TRUE(loop.readable(0).empty());

  fake_oom_kill(hit.value());
  std::vector<int> readable = loop.readable(0);
  ASSERT_EQ(readable.size(), 1u);
  const std::vector<int> pidfds = containerizer.pidfds();
  EXPECT_EQ(std::count(pidfds.begin(), pidfds.end(), readable.front()), 0)
      << "the readable fd is a notification, not a pidfd";

  std::optional<ContainerEnded> end = loop.run_until_end(hit.value(), 10);
  ASSERT_TRUE(end);
  expect_memory_limitation(*end);
  EXPECT_EQ(loop.ended().size(), 1u);
  EXPECT_TRUE(containerizer.running(spared.value()));
  EXPECT_EQ(loop.fds().size(), 2u);
  EXPECT_TRUE(loop.readable(0).empty()) << "the notification was read empty";
}

TEST_F(CgroupsV2IsolatorTest, PeriodicPollVisitsOnlyContainersWithoutANotification) {
  CountingIsolator counting(*isolator_);
  std::vector<std::string> said;
  ContainerizerOptions options;
  TempDir work;
  options.work_dir = work.path();
  options.log = [&](const std::string& line) { said.push_back(line); };
  Containerizer containerizer(counting, options);
  DestroyAllOnExit cleanup(containerizer);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(containerizer.launch(command_task("t" + std::to_string(i), "sleep 30"), now()));
  }
  // No loop watches yet: every container's counters are read.
  EXPECT_TRUE(containerizer.poll(now()).empty());
  EXPECT_EQ(counting.oom_reads, 3u);

  WatchingLoop loop(containerizer);
  counting.oom_reads = 0;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(containerizer.poll(now()).empty());
  EXPECT_EQ(counting.oom_reads, 0u) << "every container is watched: none is polled";
  EXPECT_EQ(containerizer.polled_containers(), 0u);
  EXPECT_TRUE(said.empty());

  // Containers whose notification is refused fall back to the poll, said once.
  counting.refuse_notifications = true;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(containerizer.launch(command_task("u" + std::to_string(i), "sleep 30"), now()));
  }
  loop.take();
  EXPECT_EQ(loop.fds().size(), 3u * 2 + 2) << "the refused two have only their pidfds";
  EXPECT_EQ(containerizer.polled_containers(), 2u);
  counting.oom_reads = 0;
  EXPECT_TRUE(containerizer.poll(now()).empty());
  EXPECT_EQ(counting.oom_reads, 2u);
  ASSERT_EQ(said.size(), 1u);
  EXPECT_NE(said.front().find("refused for "), std::string::npos) << said.front();
}

TEST_F(CgroupsV2IsolatorTest, ManyContainersLeaveNoFdOpen) {
  constexpr int kTasks = 40;
  const size_t before = open_fds();
  {
    ContainerizerOptions options;
    TempDir work;
    options.work_dir = work.path();
    Containerizer containerizer(*isolator_, options);
    DestroyAllOnExit cleanup(containerizer);
    WatchingLoop loop(containerizer);
    std::vector<std::string> ids;
    for (int i = 0; i < kTasks; ++i) {
      Result<std::string> c =
          containerizer.launch(command_task("t" + std::to_string(i), "true"), now());
      ASSERT_TRUE(c) << c.error().message;
      ids.push_back(c.value());
    }
    loop.take();
    EXPECT_EQ(loop.fds().size(), 2u * kTasks) << "a pidfd and a memory.events watch each";
    for (const std::string& id : ids) {
      if (containerizer.running(id)) {
        ASSERT_TRUE(loop.run_until_end(id)) << id;
      }
    }
    EXPECT_TRUE(containerizer.containers().empty());
    EXPECT_TRUE(loop.fds().empty());
    EXPECT_EQ(open_fds(), before) << "while the containerizer and isolator still exist";
  }
}

TEST_F(CgroupsV2IsolatorTest, AnOomWhileTheAgentWasDownIsSeenAtRecoveryThoughNoEventCame) {
  ContainerizerOptions options;
  TempDir work;
  options.work_dir = work.path();
  std::string id;
  {
    Containerizer before(*isolator_, options);
    Result<std::string> c = before.launch(command_task("t", "sleep 30", "cpus:1;mem:64"), now());
    ASSERT_TRUE(c) << c.error().message;
    id = c.value();
  }  // the agent stops; its task runs on
  put_file(file(id, "memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");

  std::unique_ptr<Isolator> restarted =
      make_cgroups_v2_isolator(CgroupsV2Layout{mount_, "mesosim"}, fs_);
  Containerizer after(*restarted, options);
  DestroyAllOnExit cleanup(after);
  RecoveryReport report = after.recover(now());
  ASSERT_EQ(report.adopted, std::vector<std::string>{id});
  WatchingLoop loop(after);
  EXPECT_EQ(loop.fds().size(), 2u) << "the adopted container is watched again";
  EXPECT_TRUE(loop.readable(0).empty()) << "the OOM came before the watch";
  EXPECT_EQ(after.polled_containers(), 1u) << "so recovery read the counters once";
  std::optional<ContainerEnded> end = wait_for_end(after, id, 5);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->outcome.state, TaskState::TASK_FAILED);
  EXPECT_EQ(end->outcome.reason, TaskStatusReason::REASON_CONTAINER_LIMITATION_MEMORY);
}

}  // namespace
}  // namespace mesosim::live

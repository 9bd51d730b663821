// Container checkpoints, /proc/<pid>/stat parsing and the agent's default resources.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "live_test_util.hpp"
#include "sim/live/agent_resources.hpp"
#include "sim/live/container_checkpoint.hpp"
#include "sim/live/proc_stat.hpp"

namespace mesosim::live {
namespace {

using namespace mesosim::live::testing;

ContainerCheckpoint sample() {
  return {"c1-1",           "task-1",
          "fw-1",           "task-1",
          "agent-1",        4242,
          123456,           "/sys/fs/cgroup/memory/mesosim/c1-1",
          "/work/slaves/x", Time::from_micros(17),
          "cgroups/v1",     true};
}

TEST(ContainerCheckpointTest, RoundTripsThroughItsJsonFile) {
  TempDir dir;
  ASSERT_TRUE(write_checkpoint(dir.path(), sample()));
  CheckpointScan scan = read_checkpoints(dir.path());
  ASSERT_TRUE(scan.unreadable.empty()) << scan.unreadable[0].message;
  ASSERT_EQ(scan.checkpoints.size(), 1u);
  const ContainerCheckpoint& c = scan.checkpoints[0];
  EXPECT_EQ(to_json(c), to_json(sample()));
  EXPECT_EQ(c.pid, 4242);
  EXPECT_EQ(c.start_ticks, 123456u);
  EXPECT_EQ(c.started_at, Time::from_micros(17));
  EXPECT_TRUE(c.kill_requested);
  ASSERT_TRUE(remove_checkpoint(dir.path(), "c1-1"));
  EXPECT_TRUE(read_checkpoints(dir.path()).checkpoints.empty());
  EXPECT_TRUE(remove_checkpoint(dir.path(), "c1-1")) << "removing twice is harmless";
}

// to_json is written by hand; its text is what nlohmann::json's dump() of the same object
// gives, escapes included, so any JSON reader (and the recovery of an older agent) reads it.
TEST(ContainerCheckpointTest, JsonIsNlohmannsDumpOfTheSameObject) {
  ContainerCheckpoint c = sample();
  c.task_id = "quote\" back\\slash \x01\x1f\b\f\n\r\t caf\xc3\xa9 \x7f";
  c.sandbox = "/work/a b/\"c\"";
  c.pid = 2147483647;
  c.start_ticks = 18446744073709551615ull;
  c.started_at = Time::from_micros(-5);
  const nlohmann::json j = {{"container", c.container},       {"task_id", c.task_id},
                            {"framework_id", c.framework_id}, {"executor_id", c.executor_id},
                            {"agent_id", c.agent_id},         {"pid", c.pid},
                            {"start_ticks", c.start_ticks},   {"cgroup", c.cgroup},
                            {"sandbox", c.sandbox},           {"started_at_us", -5},
                            {"isolator", c.isolator},         {"kill_requested", c.kill_requested}};
  EXPECT_EQ(to_json(c), j.dump() + "\n");
  c.kill_requested = false;
  EXPECT_NE(to_json(c).find("\"kill_requested\":false"), std::string::npos);
  Result<ContainerCheckpoint> back = parse_checkpoint(to_json(c), "c.json");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back.value().task_id, c.task_id);
  EXPECT_EQ(back.value().sandbox, c.sandbox);
  EXPECT_EQ(back.value().start_ticks, c.start_ticks);
}

TEST(ContainerCheckpointTest, BadFilesAreReportedWithPathAndField) {
  Result<ContainerCheckpoint> no_pid = parse_checkpoint(R"({"container":"c"})", "f.json");
  ASSERT_FALSE(no_pid);
  EXPECT_EQ(no_pid.error().message, "f.json: missing or mistyped field task_id (a string)");
  Result<ContainerCheckpoint> junk = parse_checkpoint("{not json", "g.json");
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().message, "g.json: not a JSON object");

  TempDir dir;
  ASSERT_TRUE(make_directories(checkpoint_dir(dir.path())));
  std::ofstream(checkpoint_dir(dir.path()) + "/broken.json") << "[]";
  CheckpointScan scan = read_checkpoints(dir.path());
  EXPECT_TRUE(scan.checkpoints.empty());
  ASSERT_EQ(scan.unreadable.size(), 1u);
  EXPECT_NE(scan.unreadable[0].message.find("broken.json"), std::string::npos);
}

ino_t inode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST(CheckpointFilesTest, ARemovedCheckpointsFileIsTheNextOnesNotANewInode) {
  TempDir dir;
  CheckpointFiles files(dir.path());
  const std::string json_dir = checkpoint_dir(dir.path()) + "/";
  ContainerCheckpoint first = sample();
  ASSERT_TRUE(files.write(first));
  const ino_t inode = inode_of(json_dir + "c1-1.json");
  ASSERT_NE(inode, 0u);
  ASSERT_TRUE(files.remove("c1-1"));
  EXPECT_EQ(files.spares(), 1u);
  EXPECT_FALSE(path_exists(json_dir + "c1-1.json"));
  CheckpointScan scan = read_checkpoints(dir.path());
  EXPECT_TRUE(scan.checkpoints.empty());
  EXPECT_TRUE(scan.unreadable.empty()) << "spares are not checkpoints";

  ContainerCheckpoint second = sample();
  second.container = "c2-2";
  second.kill_requested = false;
  ASSERT_TRUE(files.write(second));
  EXPECT_EQ(inode_of(json_dir + "c2-2.json"), inode) << "the spare, filled and renamed";
  EXPECT_EQ(files.spares(), 0u);
  scan = read_checkpoints(dir.path());
  ASSERT_EQ(scan.checkpoints.size(), 1u);
  EXPECT_EQ(to_json(scan.checkpoints[0]), to_json(second));

  // Rewriting an existing checkpoint with a spare at hand exchanges the two: the old file is
  // the spare afterwards.
  ContainerCheckpoint third = sample();
  third.container = "c3-3";
  ASSERT_TRUE(files.write(third));
  const ino_t third_inode = inode_of(json_dir + "c3-3.json");
  ASSERT_TRUE(files.remove("c3-3"));
  second.kill_requested = true;
  ASSERT_TRUE(files.write(second));
  EXPECT_EQ(inode_of(json_dir + "c2-2.json"), third_inode);
  EXPECT_EQ(files.spares(), 1u);
  scan = read_checkpoints(dir.path());
  ASSERT_EQ(scan.checkpoints.size(), 1u);
  EXPECT_TRUE(scan.checkpoints[0].kill_requested);

  // A later agent on the same work dir uses the spares left to it.
  CheckpointFiles later(dir.path());
  EXPECT_EQ(later.spares(), 1u);
  ASSERT_TRUE(later.remove("c2-2"));
  EXPECT_EQ(later.spares(), 2u);
  EXPECT_TRUE(read_checkpoints(dir.path()).checkpoints.empty());
  EXPECT_TRUE(later.remove("c2-2")) << "removing twice is harmless";
}

// A spare is overwritten in place, not truncated: a shorter checkpoint written into a longer
// spare is padded with whitespace to the spare's length, and reads back as itself.
TEST(CheckpointFilesTest, AShorterCheckpointInALongerSpareReadsBackWhole) {
  TempDir dir;
  CheckpointFiles files(dir.path());
  const std::string json_dir = checkpoint_dir(dir.path()) + "/";
  ContainerCheckpoint longer = sample();
  longer.sandbox = std::string(300, 's');
  ASSERT_TRUE(files.write(longer));
  const ino_t inode = inode_of(json_dir + "c1-1.json");
  const size_t long_size = slurp(json_dir + "c1-1.json").size();
  ASSERT_TRUE(files.remove("c1-1"));

  ContainerCheckpoint shorter = sample();
  shorter.container = "c2-2";
  ASSERT_TRUE(files.write(shorter));
  EXPECT_EQ(inode_of(json_dir + "c2-2.json"), inode);
  const std::string text = slurp(json_dir + "c2-2.json");
  EXPECT_EQ(text.size(), long_size);
  const std::string json = to_json(shorter);
  EXPECT_EQ(text.substr(0, json.size() - 1), json.substr(0, json.size() - 1));
  EXPECT_EQ(text.find_first_not_of(' ', json.size() - 1), text.size() - 1) << text;
  EXPECT_EQ(text.back(), '\n');
  CheckpointScan scan = read_checkpoints(dir.path());
  ASSERT_TRUE(scan.unreadable.empty()) << scan.unreadable[0].message;
  ASSERT_EQ(scan.checkpoints.size(), 1u);
  EXPECT_EQ(to_json(scan.checkpoints[0]), json);

  // A longer one than the spare grows it.
  ASSERT_TRUE(files.remove("c2-2"));
  longer.container = "c3-3";
  longer.sandbox = std::string(400, 's');
  ASSERT_TRUE(files.write(longer));
  EXPECT_EQ(inode_of(json_dir + "c3-3.json"), inode);
  EXPECT_EQ(slurp(json_dir + "c3-3.json"), to_json(longer));
}

TEST(CheckpointFilesTest, BeyondItsLimitARemovedCheckpointIsDeleted) {
  TempDir dir;
  CheckpointFiles files(dir.path(), /*max_spares=*/0);
  ASSERT_TRUE(files.write(sample()));
  ASSERT_TRUE(files.remove("c1-1"));
  EXPECT_EQ(files.spares(), 0u);
  EXPECT_FALSE(path_exists(checkpoint_dir(dir.path()) + "/c1-1.json"));
  EXPECT_FALSE(path_exists(checkpoint_dir(dir.path()) + "/spare/0"));
}

TEST(ProcStatTest, ParsesCommandNamesWithSpacesAndParentheses) {
  Result<ProcStat> st = parse_proc_stat(
      "77 (a) (b c) S 1 70 60 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 1 0 98765 1000 200",
      "/proc/77/stat");
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(st.value().pid, 77);
  EXPECT_EQ(st.value().state, 'S');
  EXPECT_EQ(st.value().ppid, 1);
  EXPECT_EQ(st.value().pgrp, 70);
  EXPECT_EQ(st.value().session, 60);
  EXPECT_EQ(st.value().utime_ticks, 5u);
  EXPECT_EQ(st.value().stime_ticks, 6u);
  EXPECT_EQ(st.value().start_ticks, 98765u);
  EXPECT_EQ(st.value().rss_pages, 200u);
  EXPECT_FALSE(parse_proc_stat("77 (x", "/proc/77/stat"));
}

TEST(ProcStatTest, CpuTimesOfWaitedForChildrenAreRead) {
  Result<ProcStat> st = parse_proc_stat(
      "8 (sh) S 1 8 8 0 -1 4194560 100 0 0 0 1 2 30 40 20 0 1 0 555 1000 7", "/proc/8/stat");
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(st.value().utime_ticks, 1u);
  EXPECT_EQ(st.value().stime_ticks, 2u);
  EXPECT_EQ(st.value().cutime_ticks, 30u);
  EXPECT_EQ(st.value().cstime_ticks, 40u);
  EXPECT_EQ(st.value().rss_pages, 7u);
}

TEST(ProcStatTest, TooFewFieldsIsAnErrorNamingTheSource) {
  Result<ProcStat> st = parse_proc_stat("77 (x) S 1 70 60 0 -1", "/proc/77/stat");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("/proc/77/stat"), std::string::npos);
}

TEST(ProcStatTest, ListingFindsThisProcessAsItsOwnStatFileDescribesIt) {
  Result<ProcStat> self = read_proc_stat(::getpid());
  ASSERT_TRUE(self) << self.error().message;
  std::vector<ProcStat> all = list_processes();
  auto it =
      std::find_if(all.begin(), all.end(), [](const ProcStat& st) { return st.pid == ::getpid(); });
  ASSERT_NE(it, all.end());
  EXPECT_EQ(it->ppid, ::getppid());
  EXPECT_EQ(it->session, ::getsid(0));
  EXPECT_EQ(it->pgrp, ::getpgrp());
  EXPECT_EQ(it->start_ticks, self.value().start_ticks);
  EXPECT_NE(it->state, 'Z');
  // pid 1 at least is listed too, unless this test is pid 1 of its own pid namespace.
  if (::getpid() != 1) {
    EXPECT_TRUE(
        std::any_of(all.begin(), all.end(), [](const ProcStat& st) { return st.pid == 1; }));
  }
}

namespace {

// A session of two: a leader (setsid) and its child; both sleep until killed.
pid_t start_session_of_two() {
  pid_t leader = ::fork();
  if (leader == 0) {
    ::setsid();
    if (::fork() == 0) {
      ::execl("/bin/sleep", "sleep", "30", nullptr);
      ::_exit(127);
    }
    ::execl("/bin/sleep", "sleep", "30", nullptr);
    ::_exit(127);
  }
  return leader;
}

}  // namespace

TEST(ProcStatTest, SessionMembersAreListedAndNoOneElse) {
  // Two sessions of our own: the test's own session is no use here, since its leader may sit in
  // a parent pid namespace (getsid then says 0, as under some CI runners).
  const pid_t first = start_session_of_two();
  ASSERT_GE(first, 0);
  const pid_t second = start_session_of_two();
  ASSERT_GE(second, 0);
  ASSERT_TRUE(eventually([&] {
    return list_session_members({first}).size() == 2 && list_session_members({second}).size() == 2;
  }));
  std::vector<ProcStat> both = list_session_members({second, first});
  ASSERT_EQ(both.size(), 4u);
  for (const ProcStat& st : both) {
    EXPECT_TRUE(st.session == first || st.session == second) << st.pid;
  }
  std::vector<ProcStat> only = list_session_members({first});
  ASSERT_EQ(only.size(), 2u);
  EXPECT_TRUE(
      std::any_of(only.begin(), only.end(), [&](const ProcStat& st) { return st.pid == first; }));
  for (const ProcStat& st : only) EXPECT_EQ(st.session, first);
  EXPECT_TRUE(list_session_members({}).empty());
  for (const ProcStat& st : both) ::kill(st.pid, SIGKILL);
  int status;
  ::waitpid(first, &status, 0);
  ::waitpid(second, &status, 0);
}

TEST(ControlFilesTest, MakeDirectoriesCreatesWhatIsMissingAndChecksWhatExists) {
  TempDir dir;
  const std::string deep = dir.path() + "/a/b/c/d";
  ASSERT_TRUE(make_directories(deep));
  EXPECT_TRUE(is_directory(deep));
  EXPECT_TRUE(make_directories(deep)) << "exists already";
  EXPECT_TRUE(make_directories(dir.path() + "/a/b/e/")) << "a trailing slash";
  EXPECT_TRUE(is_directory(dir.path() + "/a/b/e"));
  std::ofstream(dir.path() + "/file") << "x";
  Status under_file = make_directories(dir.path() + "/file/x/y");
  ASSERT_FALSE(under_file);
  EXPECT_NE(under_file.error().message.find("cannot create directory " + dir.path() + "/file/x"),
            std::string::npos)
      << under_file.error().message;
  Status is_file = make_directories(dir.path() + "/file");
  ASSERT_FALSE(is_file);
  EXPECT_NE(is_file.error().message.find("not a directory"), std::string::npos);
  EXPECT_FALSE(make_directories(""));
  EXPECT_TRUE(make_directories("/"));
}

TEST(ProcStatTest, ThisProcessIsItselfOnlyWithItsOwnStartTime) {
  Result<ProcStat> self = read_proc_stat(::getpid());
  ASSERT_TRUE(self) << self.error().message;
  EXPECT_TRUE(is_same_live_process(::getpid(), self.value().start_ticks));
  EXPECT_FALSE(is_same_live_process(::getpid(), self.value().start_ticks + 1));
}

TEST(AgentResourcesTest, DefaultsFollowMesosReserves) {
  MachineFacts big{8, 16ull << 30, 100ull << 30};
  EXPECT_EQ(
      agent_resources(big).to_string(),
      Resources::parse("cpus:8;mem:15360;disk:97280;ports:[31000-32000]").value().to_string());
  MachineFacts small{1, 1ull << 30, 4ull << 30};
  EXPECT_EQ(agent_resources(small),
            Resources::parse("cpus:1;mem:512;disk:2048;ports:[31000-32000]").value());
}

TEST(AgentResourcesTest, GivenResourcesAreKept) {
  MachineFacts big{8, 16ull << 30, 100ull << 30};
  EXPECT_EQ(agent_resources(big, Resources::parse("cpus:2;ports:[5000-5001]").value()),
            Resources::parse("cpus:2;mem:15360;disk:97280;ports:[5000-5001]").value());
}

TEST(AgentResourcesTest, ProbesThisMachine) {
  TempDir dir;
  Result<MachineFacts> facts = probe_machine(dir.path());
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts.value().cpus, static_cast<double>(::sysconf(_SC_NPROCESSORS_ONLN)));
  EXPECT_GT(facts.value().mem_total_bytes, 64ull << 20);
  EXPECT_GT(facts.value().disk_total_bytes, 0u);
  Resources r = agent_resources(facts.value());
  EXPECT_GT(r.get(ResourceName::mem()), Scalar());
  EXPECT_FALSE(probe_machine("/no/such/dir"));
}

}  // namespace
}  // namespace mesosim::live

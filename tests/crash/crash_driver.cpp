// Crash-safety driver: starts crash_writer on one directory again and again and SIGKILLs it at
// random moments (after 0, 1 or 2 further commits, plus a random delay, so kills land in every
// phase of a write). After each kill the directory must load as exactly A or exactly B, or hold
// no checkpoint at all if none was ever committed: any other outcome is a failure. At the end a
// writer runs to completion and the directory must hold nothing stray.
//   crash_driver <crash_writer> <work dir> [kills=250] [seed=1]
#include "crash_content.hpp"

#include <lineage/storage/checkpoint_io.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <thread>

#include <csignal>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace st = lineage::storage;
using clock_type = std::chrono::steady_clock;

pid_t start_writer(const char* writer, const std::filesystem::path& dir, const char* count, int& out) {
  int fds[2];
  if (::pipe(fds) != 0) {
    std::perror("pipe");
    std::exit(2);
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(2);
  }
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execl(writer, writer, dir.c_str(), count, static_cast<char*>(nullptr));
    std::perror("exec crash_writer");
    ::_exit(127);
  }
  ::close(fds[1]);
  out = fds[0];
  return pid;
}

// Reads the writer's output until `commits` more lines arrived (or it exited, or 30 s passed).
// Returns the number of lines read.
int wait_for_commits(int fd, int commits) {
  int lines = 0;
  const auto deadline = clock_type::now() + std::chrono::seconds(30);
  char buffer[256];
  while (lines < commits && clock_type::now() < deadline) {
    ::pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ::ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    for (::ssize_t i = 0; i < n; ++i) lines += buffer[i] == '\n';
  }
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: crash_driver <crash_writer> <work dir> [kills=250] [seed=1]\n");
    return 2;
  }
  const char* writer = argv[1];
  const std::filesystem::path work = argv[2];
  const long kills = argc > 3 ? std::atol(argv[3]) : 250;
  const unsigned long seed = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 1;
  std::filesystem::remove_all(work);
  std::filesystem::create_directories(work);
  const auto dir = work / "ckpt";

  const crash_test::content a = crash_test::make_content(false);
  const crash_test::content b = crash_test::make_content(true);
  std::mt19937_64 random(seed);
  long saw_a = 0, saw_b = 0, saw_none = 0, corrupt = 0, commits = 0;
  bool ever_committed = false;
  const auto started = clock_type::now();

  for (long kill = 0; kill < kills; ++kill) {
    int out = -1;
    const pid_t pid = start_writer(writer, dir, "-1", out);
    const int wanted = static_cast<int>(random() % 3);
    const int got = wait_for_commits(out, wanted);
    commits += got;
    ever_committed = ever_committed || got > 0;
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 40000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    // Lines written just before the kill still count: they mean a commit happened.
    char buffer[256];
    for (::ssize_t n; (n = ::read(out, buffer, sizeof buffer)) > 0;) {
      for (::ssize_t i = 0; i < n; ++i) {
        if (buffer[i] == '\n') {
          ++commits;
          ever_committed = true;
        }
      }
    }
    ::close(out);
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
      std::fprintf(stderr, "kill %ld: the writer ended by itself (status %d)\n", kill, status);
      ++corrupt;
      continue;
    }

    try {
      const auto m = st::try_read_manifest(dir);
      if (!m) {
        if (ever_committed) {
          std::fprintf(stderr, "kill %ld: no checkpoint after a commit\n", kill);
          ++corrupt;
        } else {
          ++saw_none;
        }
        continue;
      }
      st::verify(dir);
      const auto checked = st::read_manifest<crash_test::record>(dir);
      crash_test::content loaded;
      for (std::size_t i = 0; i < checked.partitions.size(); ++i) {
        loaded.push_back(st::load_partition<crash_test::record>(dir, checked, i));
      }
      if (loaded == a) {
        ++saw_a;
      } else if (loaded == b) {
        ++saw_b;
      } else {
        std::fprintf(stderr, "kill %ld: loaded a checkpoint that is neither A nor B\n", kill);
        ++corrupt;
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "kill %ld: %s\n", kill, e.what());
      ++corrupt;
    }
  }

  // A writer that is not killed cleans up whatever the kills left.
  int out = -1;
  const pid_t pid = start_writer(writer, dir, "1", out);
  wait_for_commits(out, 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(out);
  std::set<std::string> names;
  for (const auto& item : std::filesystem::recursive_directory_iterator(dir)) {
    names.insert(std::filesystem::relative(item.path(), dir).string());
  }
  const auto m = st::try_read_manifest(dir);
  std::size_t expected = m ? 4 + m->partitions.size() : 0;  // LOCK, MANIFEST, g<N>/, its GENERATION and parts
  const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0 && m && names.size() == expected;
  if (!clean) {
    std::fprintf(stderr, "final writer: status %d, %zu entries left in the directory:\n", status, names.size());
    for (const auto& name : names) std::fprintf(stderr, "  %s\n", name.c_str());
  }

  const double seconds = std::chrono::duration<double>(clock_type::now() - started).count();
  std::printf("crash_driver: %ld kills in %.1f s (%ld commits seen): A %ld, B %ld, none %ld, corrupt or partial %ld\n",
              kills, seconds, commits, saw_a, saw_b, saw_none, corrupt);
  const bool both = kills < 20 || (saw_a > 0 && saw_b > 0);
  if (!both) std::fprintf(stderr, "the kills never left one of the two contents: the test saw too little\n");
  std::filesystem::remove_all(work);
  return corrupt == 0 && clean && both ? 0 : 1;
}

#pragma once
// A small fixed-size pool of std::jthread workers that runs "n independent tasks" jobs.
//
// The calling thread takes part in its own job, so a task may itself submit a job (nested
// parallelism) without deadlock: a caller never waits for work that nobody is doing.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <utility>
#include <vector>

namespace lineage {

class thread_pool {
 public:
  explicit thread_pool(std::size_t threads) : size_(std::max<std::size_t>(threads, 1)) {
    // The caller is one of the `size_` threads running a job, so start one fewer worker.
    for (std::size_t i = 1; i < size_; ++i) {
      workers_.emplace_back([this](std::stop_token stop) { work(stop); });
    }
  }
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;
  ~thread_pool() {
    for (auto& w : workers_) w.request_stop();
    {
      std::lock_guard lock(mutex_);
    }
    wake_.notify_all();
  }

  std::size_t size() const noexcept { return size_; }

  // Runs task(0) ... task(n-1), on the pool and the calling thread; returns when all are done.
  // The first exception thrown by a task is rethrown here (the other tasks still finish).
  void run(std::size_t n, const std::function<void(std::size_t)>& task) {
    if (n == 0) return;
    if (n == 1 || workers_.empty()) {
      for (std::size_t i = 0; i < n; ++i) task(i);
      return;
    }
    auto j = std::make_shared<job>(n, task);
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(j);
    }
    wake_.notify_all();
    while (j->run_one()) {
    }
    j->wait();
    // Take the exception out of the job: a worker may drop the last reference to the job
    // after we return, and the exception object must not be released on that thread while
    // the caller still handles it (TSan cannot see libstdc++'s refcount and reports a race).
    if (std::exception_ptr error = std::exchange(j->error, nullptr)) std::rethrow_exception(std::move(error));
  }

 private:
  struct job {
    job(std::size_t count, const std::function<void(std::size_t)>& fn) : n(count), task(fn) {}
    const std::size_t n;
    const std::function<void(std::size_t)>& task;
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> finished{0};
    std::mutex error_mutex;
    std::exception_ptr error;

    bool exhausted() const { return next.load(std::memory_order_relaxed) >= n; }
    // Claims and runs one task; false when none was left to claim.
    bool run_one() {
      const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= n) return false;
      try {
        task(i);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
      }
      if (finished.fetch_add(1, std::memory_order_acq_rel) + 1 == n) finished.notify_all();
      return true;
    }
    void wait() {
      for (std::size_t done = finished.load(std::memory_order_acquire); done != n;
           done = finished.load(std::memory_order_acquire)) {
        finished.wait(done, std::memory_order_acquire);
      }
    }
  };

  void work(std::stop_token stop) {
    while (true) {
      std::shared_ptr<job> j;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, stop, [&] { return !queue_.empty(); });
        if (stop.stop_requested()) return;
        j = queue_.front();
        if (j->exhausted()) {
          queue_.pop_front();
          continue;
        }
      }
      while (j->run_one()) {
      }
      std::lock_guard lock(mutex_);
      if (!queue_.empty() && queue_.front() == j) queue_.pop_front();
    }
  }

  std::size_t size_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<std::shared_ptr<job>> queue_;
  std::vector<std::jthread> workers_;  // last member: joined before the rest is destroyed
};

// One pool per requested size, created on first use and kept for the life of the program.
inline thread_pool& shared_thread_pool(std::size_t threads) {
  static std::mutex mutex;
  static std::map<std::size_t, std::unique_ptr<thread_pool>> pools;
  std::lock_guard lock(mutex);
  auto& pool = pools[threads];
  if (!pool) pool = std::make_unique<thread_pool>(threads);
  return *pool;
}

}  // namespace lineage

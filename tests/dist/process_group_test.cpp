// Two ranks (threads of this process) joined through c10d's TCPStore and ProcessGroupGloo on
// localhost: gradient-style averaging and rank 0's broadcast, and a missing or dead rank ending in
// a clear error within the timeout instead of a hang.
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/local_job.h"
#include "tpq/core/error.h"
#include "tpq/dist/process_group.h"

namespace tpq::dist {
namespace {

using std::chrono::milliseconds;

using testing::free_port;
using testing::rank_env;

TEST(ProcessGroup, TwoRanksAverageAndBroadcast) {
  const int port = free_port();
  auto rank_work = [port](int rank) {
    auto group = ProcessGroup::join(rank_env(rank, 2, port), milliseconds(20000));
    EXPECT_EQ(group->backend(), "gloo");
    std::vector<at::Tensor> grads{torch::full({2, 3}, rank + 1.0), torch::full({4}, 10.0 * (rank + 1))};
    group->all_reduce_mean(grads);
    std::vector<at::Tensor> weights{torch::full({3}, static_cast<double>(rank)), torch::full({2, 2}, rank + 5.0)};
    group->broadcast_from_rank0(weights);
    group->barrier();
    return std::vector<at::Tensor>{grads[0], grads[1], weights[0], weights[1]};
  };
  auto other = std::async(std::launch::async, rank_work, 1);
  const auto mine = rank_work(0);
  const auto theirs = other.get();
  for (const auto* result : {&mine, &theirs}) {
    EXPECT_TRUE(torch::equal((*result)[0], torch::full({2, 3}, 1.5)));
    EXPECT_TRUE(torch::equal((*result)[1], torch::full({4}, 15.0)));
    EXPECT_TRUE(torch::equal((*result)[2], torch::zeros({3})));      // rank 0's
    EXPECT_TRUE(torch::equal((*result)[3], torch::full({2, 2}, 5.0)));
  }
}

TEST(ProcessGroup, MissingRankFailsWithinTheTimeout) {
  const auto start = std::chrono::steady_clock::now();
  try {
    ProcessGroup::join(rank_env(0, 2, free_port()), milliseconds(1500));
    FAIL() << "joined a job of 2 alone";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("rank 0 of 2"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("could not join the job within"), std::string::npos) << error.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
}

TEST(ProcessGroup, DeadPeerEndsTheCollectiveWithAnError) {
  const int port = free_port();
  std::promise<void> peer_gone;
  auto peer = std::async(std::launch::async, [&] {
    auto group = ProcessGroup::join(rank_env(1, 2, port), milliseconds(3000));
    group->barrier();
    group.reset();  // rank 1 dies: its connections close
    peer_gone.set_value();
  });
  auto group = ProcessGroup::join(rank_env(0, 2, port), milliseconds(3000));
  group->barrier();
  peer_gone.get_future().wait();
  peer.get();
  const auto start = std::chrono::steady_clock::now();
  std::vector<at::Tensor> grads{torch::ones({8})};
  try {
    group->all_reduce_mean(grads);
    FAIL() << "an all-reduce with a dead peer returned";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("all-reduce failed"), std::string::npos) << error.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
}

}  // namespace
}  // namespace tpq::dist

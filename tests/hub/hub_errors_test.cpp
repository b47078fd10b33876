// Each way the Hub can say no, as one clear line naming the repo, revision or file and the fix.
#include <filesystem>

#include <gtest/gtest.h>

#include "support/user_error_matchers.h"
#include "hub/support/hub_test_support.h"
#include "tpq/hub/resolve.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::HubTest;
using tpq::testing::kTinyRepo;

class HubErrors : public HubTest {};

TEST_F(HubErrors, AMissingRequiredFileIsNamed) {
  tpq::testing::StandInRepoOptions no_config;
  no_config.skip_files = {"config.json"};
  hub_->add_repo("tpq-test/no-config", fixture_, no_config);
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model("tpq-test/no-config", options()), "file 'config.json'",
                        "model 'tpq-test/no-config'", "revision 'main'", "404");
}

TEST_F(HubErrors, AMissingRevisionIsNamed) {
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model(std::string(kTinyRepo) + "@v9.9", options()), "revision 'v9.9'",
                        kTinyRepo, "branch, a tag or a full commit");
}

TEST_F(HubErrors, AMissingRepoIsNamed) {
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model("tpq-test/no-such-model", options()),
                        "model 'tpq-test/no-such-model' not found", hub_->endpoint());
}

TEST_F(HubErrors, AMissingRepoThatCouldBeAPathSaysSo) {
  TPQ_EXPECT_USER_ERROR(tpq::hub::resolve_model("results/baseline", options()), "'results/baseline' is no local directory",
                        "not found");
  TPQ_EXPECT_USER_ERROR(tpq::hub::resolve_model("./results/baseline", options()), "does not exist");
  EXPECT_EQ(hub_->requests().size(), 1u);  // the Hub id was asked for once; the path never
}

TEST_F(HubErrors, APrivateRepoWithoutATokenIs401AndSaysHowToSetOne) {
  tpq::testing::StandInRepoOptions private_repo;
  private_repo.private_repo = true;
  hub_->add_repo("tpq-test/private", fixture_, private_repo);
  hub_->set_token("hf_right");
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model("tpq-test/private", options()), "401", "private or gated", "HF_TOKEN");
  auto wrong = options();
  wrong.token = "hf_wrong";
  wrong.token_source = "the HF_TOKEN environment variable";
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model("tpq-test/private", wrong), "401", "the token from the HF_TOKEN");
  auto right = options();
  right.token = "hf_right";
  EXPECT_FALSE(tpq::hub::fetch_model("tpq-test/private", right).commit.empty());
}

TEST_F(HubErrors, AGatedRepoSaysToAcceptItsConditions) {
  tpq::testing::StandInRepoOptions gated;
  gated.gated = true;
  hub_->add_repo("tpq-test/gated", fixture_, gated);
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model("tpq-test/gated", options()), "gated", "accept its conditions",
                        "HF_TOKEN");
}

TEST_F(HubErrors, ARedirectLoopIsStopped) {
  hub_->redirect_in_circles("model.safetensors");
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model(kTinyRepo, options()), "redirect loop", "/loop/");
  EXPECT_TRUE(tpq::testing::directory_names(repo_dir() / "snapshots" / commit_).empty());
}

TEST_F(HubErrors, AServerThatKeepsFailingGivesUpWithTheStatus) {
  hub_->fail_next_requests(100, 502);
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model(kTinyRepo, options()), "502", "after 6 attempts");
}

TEST_F(HubErrors, AnUnreachableHubIsNamedAfterTheRetries) {
  auto nowhere = options();
  hub_->stop();
  nowhere.transfer.max_attempts = 2;
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model(kTinyRepo, nowhere), hub_->endpoint(), "gave up after 2 attempts");
}

TEST_F(HubErrors, BadIdsAreRefusedBeforeAnyRequest) {
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model("org/name/extra", options()), "not a Hub model id");
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model("org--x/name", options()), "not a Hub model id");
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model("org/name@", options()), "empty revision");
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model("org/name@../x", options()), "not a branch, tag or commit");
  EXPECT_TRUE(hub_->requests().empty());
}

TEST_F(HubErrors, AnEndpointThatIsNotAHubIsNamed) {
  // The LFS host answers 404 without the Hub's headers for every resolve URL.
  auto wrong = options();
  wrong.endpoint = hub_->lfs_origin();
  TPQ_EXPECT_USER_ERROR(tpq::hub::fetch_model(kTinyRepo, wrong), "config.json", "404");
}

}  // namespace

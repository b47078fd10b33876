// tpq_hub_stand_in: the tests' Hub stand-in as a program, for benchmarks/hub_download.sh and manual
// checks with Python. Serves directories as repos until SIGTERM or SIGINT.
//   tpq_hub_stand_in [--repo ORG/NAME=DIR]... [--dataset ORG/NAME=DIR]... [--drop FILE=BYTES] [--throttle BYTES_PER_S]
// Prints one "commit ORG/NAME SHA" line per repo, then "endpoint http://127.0.0.1:PORT", on stdout.
#include <csignal>
#include <cstdio>
#include <string>

#include "hub/support/hub_stand_in.h"

namespace {

bool split(const std::string& text, std::string* left, std::string* right) {
  const auto equals = text.find('=');
  if (equals == std::string::npos) return false;
  *left = text.substr(0, equals);
  *right = text.substr(equals + 1);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // Block the stop signals before the server threads start, so they inherit the mask and only
  // sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  tpq::testing::HubStandIn hub;
  std::string left, right;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if ((flag == "--repo" || flag == "--dataset") && split(value, &left, &right)) {
      tpq::testing::StandInRepoOptions options;
      options.dataset = flag == "--dataset";
      std::printf("commit %s %s\n", left.c_str(), hub.add_repo(left, right, options).c_str());
    } else if (flag == "--drop" && split(value, &left, &right)) {
      hub.drop_connection_once(left, std::stoull(right));
    } else if (flag == "--throttle") {
      hub.throttle(std::stoull(value));
    } else {
      std::fprintf(stderr, "tpq_hub_stand_in: bad argument '%s %s'\n", flag.c_str(), value.c_str());
      return 2;
    }
  }
  std::printf("endpoint %s\n", hub.endpoint().c_str());
  std::fflush(stdout);
  int received = 0;
  sigwait(&stop_signals, &received);
  hub.stop();
  return 0;
}

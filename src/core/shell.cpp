#include "tpq/core/shell.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <memory>

namespace tpq {
namespace {

using Pipe = std::unique_ptr<FILE, int (*)(FILE*)>;

std::string read_all(FILE* pipe) {
  std::string output;
  std::array<char, 4096> buffer{};
  size_t count = 0;
  while ((count = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), count);
  return output;
}

}  // namespace

std::string command_output(const std::string& command) {
  Pipe pipe(popen((command + " 2>/dev/null").c_str(), "r"), pclose);
  if (!pipe) return "";
  std::string output = read_all(pipe.get());
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r' || output.back() == ' ')) output.pop_back();
  return output;
}

ShellResult run_shell(const std::string& command) {
  ShellResult result;
  Pipe pipe(popen((command + " 2>&1").c_str(), "r"), pclose);
  if (!pipe) return result;
  result.output = read_all(pipe.get());
  const int status = pclose(pipe.release());
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool command_exists(const std::string& program) {
  return run_shell("command -v " + shell_quoted(program) + " >/dev/null").exit_code == 0;
}

}  // namespace tpq

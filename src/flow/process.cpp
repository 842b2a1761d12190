//! @file process.cpp
//! @brief fork/exec with a pipe, line by line.
#include "flow/process.h"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "ir/diagnostic.h"

namespace nngen {

int runProcess(const std::vector<std::string>& argv,
               const std::function<void(const std::string&)>& onLine, const std::string& workDir) {
  int fds[2];
  if (pipe(fds) != 0) throw Error("cannot create a pipe");
  const pid_t pid = fork();
  if (pid < 0) throw Error("cannot fork");
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    if (!workDir.empty() && chdir(workDir.c_str()) != 0) _exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  FILE* f = fdopen(fds[0], "r");
  std::string line;
  int c;
  while ((c = fgetc(f)) != EOF) {
    if (c == '\n' || c == '\r') {
      if (!line.empty()) onLine(line);
      line.clear();
    } else {
      line.push_back(static_cast<char>(c));
    }
  }
  if (!line.empty()) onLine(line);
  fclose(f);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) {
    if (WEXITSTATUS(status) == 127)
      throw Error(fmt::format("cannot run '{}': not installed?", argv[0]));
    return WEXITSTATUS(status);
  }
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

bool haveProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':'))
    if (!dir.empty() && access((dir + "/" + name).c_str(), X_OK) == 0) return true;
  return false;
}

}  // namespace nngen

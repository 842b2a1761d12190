//! @file regular_file.cpp
//! @brief Whole-file reads that refuse directories, FIFOs and devices (POSIX open/fstat/read).
#include "spec/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nngen {

namespace {

/// The problem with a file of this mode, or "" for a regular file.
std::string modeProblem(mode_t mode) {
  if (S_ISREG(mode)) return "";
  if (S_ISDIR(mode)) return "is a directory, not a file";
  return "is not a regular file (a FIFO, socket or device)";
}

std::string errnoProblem(int err) {
  if (err == ENOENT || err == ENOTDIR) return "no such file";
  return std::strerror(err);
}

}  // namespace

std::string regularFileProblem(const std::string& path) {
  if (path.empty()) return "no such file";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errnoProblem(errno);
  return modeProblem(st.st_mode);
}

std::optional<std::string> readRegularFile(const std::string& path, std::string& why) {
  why = regularFileProblem(path);  // a FIFO is refused here without ever being opened
  if (!why.empty()) return std::nullopt;
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    why = errnoProblem(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !(why = modeProblem(st.st_mode)).empty()) {
    if (why.empty()) why = errnoProblem(errno);
    ::close(fd);
    return std::nullopt;
  }
  std::string bytes;
  bytes.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      why = errnoProblem(errno);
      ::close(fd);
      return std::nullopt;
    }
    bytes.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return bytes;
}

}  // namespace nngen

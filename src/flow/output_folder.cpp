//! @file output_folder.cpp
//! @brief Safe replacement of `nngen build`'s output folder.
#include "flow/output_folder.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "ir/diagnostic.h"

namespace nngen {

namespace fs = std::filesystem;

namespace {

volatile std::sig_atomic_t gSignal = 0;

extern "C" void onSignal(int sig) { gSignal = sig; }  // SA_RESETHAND: a second signal kills

struct sigaction gOldInt, gOldTerm;

std::string quoted(const fs::path& p) { return fmt::format("'{}'", p.string()); }

/// The files a build folder's marker lists, or nullopt when the marker is missing or unreadable.
std::optional<std::set<std::string>> markerFiles(const fs::path& dir) {
  const fs::path m = dir / kBuildMarker;
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(m, ec))) return std::nullopt;
  std::ifstream in(m);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("files") || !j["files"].is_array()) return std::nullopt;
  std::set<std::string> files{kBuildMarker};
  for (const auto& f : j["files"]) {
    if (!f.is_string()) return std::nullopt;
    files.insert(f.get<std::string>());
  }
  return files;
}

/// Whether a path inside a build folder is where `nngen sim` (sim/obj_dir, sim/run) or the
/// synthesis tools run from synth/ (Yosys, Vivado) write their results.
bool producedByTools(const std::string& rel) {
  for (const char* dir : {"sim/obj_dir", "sim/run", "synth"})
    if (rel == dir || rel.starts_with(std::string(dir) + "/")) return true;
  return false;
}

/// Throws unless `p` is absent, an empty folder, or a folder nngen built that holds nothing
/// but the files it wrote and the results of the tools run on it (producedByTools).
void checkReplaceable(const fs::path& p) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(p, ec);
  if (!fs::exists(st)) return;
  const std::string rule =
      "nngen build replaces only a folder it built itself (it holds a .nngen-build.json) or an "
      "empty one; "
      "choose a new output folder";
  if (fs::is_symlink(st))
    throw Error(fmt::format("output {} is a symbolic link to nothing: {}", quoted(p), rule));
  if (!fs::is_directory(st))
    throw Error(fmt::format("output {} exists and is not a folder: {}", quoted(p), rule));
  if (fs::is_empty(p, ec)) return;
  const auto files = markerFiles(p);
  if (!files)
    throw Error(fmt::format("output {} is a folder nngen did not build: {}", quoted(p), rule));
  std::set<std::string> dirs;
  for (const auto& f : *files)
    for (fs::path d = fs::path(f).parent_path(); !d.empty(); d = d.parent_path())
      dirs.insert(d.string());
  for (auto it = fs::recursive_directory_iterator(p, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string rel = fs::relative(it->path(), p).string();
    if (producedByTools(rel)) continue;
    const bool isDir = it->is_directory() && !it->is_symlink();
    if (files->count(rel) || (isDir && dirs.count(rel))) continue;
    throw Error(fmt::format(
        "output {} holds '{}', which nngen did not write; move it away or choose another "
        "output folder (nngen never deletes files it did not create)",
        quoted(p), rel));
  }
  if (ec) throw Error(fmt::format("cannot read the output folder {}: {}", quoted(p), ec.message()));
}

}  // namespace

int interruptSignal() { return gSignal; }

OutputFolder::OutputFolder(const std::string& path) {
  std::error_code ec;
  path_ = fs::weakly_canonical(fs::absolute(path), ec);
  if (ec) throw Error(fmt::format("output folder '{}': {}", path, ec.message()));
  if (!path_.has_filename()) path_ = path_.parent_path();
  if (path_ == path_.root_path())
    throw Error(fmt::format("output folder '{}' is the root folder", path));
  checkReplaceable(path_);
}

OutputFolder::~OutputFolder() { release(); }

fs::path OutputFolder::begin(const std::function<void(const std::string&)>& progress) {
  const fs::path parent = path_.parent_path();
  std::error_code ec;
  for (fs::path a = parent; !a.empty() && !fs::exists(fs::symlink_status(a, ec));
       a = a.parent_path())
    createdParent_ = a;
  fs::create_directories(parent, ec);
  if (ec)
    throw Error(fmt::format("cannot create the folder '{}': {}", parent.string(), ec.message()));

  // Lock X.nngen-lock; after taking it, check that the file is still the one at the path (a
  // finishing build unlinks it while holding the lock).
  lockPath_ = parent / (path_.filename().string() + ".nngen-lock");
  for (bool waited = false;;) {
    lockFd_ = ::open(lockPath_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (lockFd_ < 0)
      throw Error(fmt::format("cannot create the lock file '{}': {}", lockPath_.string(),
                              std::strerror(errno)));
    if (::flock(lockFd_, LOCK_EX | LOCK_NB) != 0) {
      if (!waited) progress(fmt::format("waiting for another nngen build of {}", quoted(path_)));
      waited = true;
      while (::flock(lockFd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
    struct stat held {
    }, now{};
    if (::fstat(lockFd_, &held) == 0 && ::stat(lockPath_.c_str(), &now) == 0 &&
        held.st_ino == now.st_ino && held.st_dev == now.st_dev)
      break;
    ::close(lockFd_);
    lockFd_ = -1;
  }
  checkReplaceable(path_);  // another build may have written it while we waited

  // Temporaries of earlier builds of X: their builds are gone, since we hold the lock.
  const std::string stem = path_.filename().string();
  for (const auto& e : fs::directory_iterator(parent, ec)) {
    const std::string n = e.path().filename().string();
    const bool stale = (n.size() == stem.size() + 17 && n.starts_with(stem + ".nngen-tmp-")) ||
                       n == stem + ".nngen-old";
    if (stale && e.is_directory() && !e.is_symlink()) {
      progress(fmt::format("removing {} left by an interrupted build", quoted(e.path())));
      fs::remove_all(e.path(), ec);
    }
  }

  std::string tmpl = (parent / (stem + ".nngen-tmp-XXXXXX")).string();
  if (!::mkdtemp(tmpl.data()))
    throw Error(
        fmt::format("cannot create a folder beside {}: {}", quoted(path_), std::strerror(errno)));
  tmp_ = tmpl;
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::chmod(tmp_.c_str(), 0777 & ~mask);  // as `mkdir` would, not mkdtemp's 0700

  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sa.sa_flags = SA_RESETHAND | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  gSignal = 0;
  ::sigaction(SIGINT, &sa, &gOldInt);
  ::sigaction(SIGTERM, &sa, &gOldTerm);
  handlers_ = true;
  return tmp_;
}

void OutputFolder::checkInterrupted() const {
  if (gSignal)
    throw Error(fmt::format("interrupted by {}: the output folder {} was left as it was",
                            gSignal == SIGINT ? "SIGINT" : "SIGTERM", quoted(path_)));
}

void OutputFolder::commit(const std::vector<std::string>& files) {
  checkInterrupted();
  nlohmann::ordered_json marker;
  marker["nngen"] = NNGEN_VERSION;
  marker["note"] =
      "written by nngen build; nngen replaces this folder only while it holds nothing else";
  marker["files"] = files;
  {
    std::ofstream o(tmp_ / kBuildMarker);
    o << marker.dump(2) << "\n";
    if (!o) throw Error(fmt::format("cannot write '{}'", (tmp_ / kBuildMarker).string()));
  }
  std::error_code ec;
  if (fs::exists(fs::symlink_status(path_, ec))) {
    // Swap both names in one step; the temporary name then holds the old build.
    if (::renameat2(AT_FDCWD, tmp_.c_str(), AT_FDCWD, path_.c_str(), RENAME_EXCHANGE) != 0) {
      if (errno != EINVAL && errno != ENOSYS)
        throw Error(fmt::format("cannot replace {}: {}", quoted(path_), std::strerror(errno)));
      // File system without RENAME_EXCHANGE: two renames.
      const fs::path old = path_.string() + ".nngen-old";
      fs::rename(path_, old);
      fs::rename(tmp_, path_);
      fs::rename(old, tmp_);
    }
  } else {
    fs::rename(tmp_, path_);
    tmp_.clear();
  }
  createdParent_.clear();
  release();
}

void OutputFolder::release() {
  std::error_code ec;
  if (!tmp_.empty()) fs::remove_all(tmp_, ec);
  tmp_.clear();
  if (!createdParent_.empty())  // only folders that are still empty
    for (fs::path a = path_.parent_path(); a.string().size() >= createdParent_.string().size();
         a = a.parent_path())
      if (!fs::remove(a, ec)) break;
  createdParent_.clear();
  if (lockFd_ >= 0) {
    ::unlink(lockPath_.c_str());  // while still holding the lock: see begin()
    ::close(lockFd_);
    lockFd_ = -1;
  }
  if (handlers_) {
    ::sigaction(SIGINT, &gOldInt, nullptr);
    ::sigaction(SIGTERM, &gOldTerm, nullptr);
    handlers_ = false;
  }
}

}  // namespace nngen

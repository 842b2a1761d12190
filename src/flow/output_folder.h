//! @file output_folder.h
//! @brief The output folder of `nngen build`: what may be replaced, atomic replacement, locking
//!        against concurrent builds, cleanup after failures and interrupts.
//!
//! Promise (docs/architecture.md, "The output folder"): nngen replaces only a folder it wrote
//! itself (recognized by the marker file `.nngen-build.json` listing the files it wrote) or an
//! empty folder; it never deletes or overwrites anything else. A build writes everything into a
//! temporary sibling `X.nngen-tmp-XXXXXX` and swaps it into place in one rename, so `X` is
//! always either the old build or the new one, never a mix.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace nngen {

/// The marker file nngen writes into every output folder (JSON: nngen version, spec, files).
inline constexpr const char* kBuildMarker = ".nngen-build.json";

/// One output folder being (re)built. Typical use:
///
///     OutputFolder out(opt.outDir);     // refuses a target nngen may not replace, no side effects
///     ... load, compile ...
///     fs::path tmp = out.begin(progress);  // lock, stale cleanup, temporary folder
///     ... write files into tmp, calling out.checkInterrupted() between steps ...
///     out.commit(files);                 // marker, atomic swap, unlock
///
/// Destroying it without commit() removes the temporary folder (and parent folders begin()
/// created), so a failed or interrupted build leaves nothing behind. Not thread-safe; several
/// OutputFolder objects (threads or processes) on the same path serialize through a lock file.
class OutputFolder {
 public:
  /// Resolves `path` (symbolic links in it followed) and checks that it may be written.
  /// @throws Error when the path exists and is not a folder nngen built (a regular file, a
  ///         non-empty folder without the marker, a folder holding files the marker does not
  ///         list, except the results of nngen sim in sim/obj_dir and sim/run and of the synthesis
  ///         tools in synth/), naming the path and the first offending file.
  explicit OutputFolder(const std::string& path);
  ~OutputFolder();
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;

  /// The resolved absolute path of the output folder.
  const std::filesystem::path& path() const { return path_; }

  /// Creates missing parent folders, takes the lock `X.nngen-lock` (waiting while another
  /// build of the same X holds it), checks the target again, removes stale temporaries of
  /// earlier builds of X (`X.nngen-tmp-*`, left by a crash or a second Ctrl-C), creates the
  /// temporary folder with the permissions of a `mkdir` under the current umask, and installs
  /// SIGINT/SIGTERM handlers that make checkInterrupted() throw.
  /// @returns the temporary folder to write into
  /// @throws Error when a folder cannot be created or the target is no longer replaceable
  std::filesystem::path begin(const std::function<void(const std::string&)>& progress);

  /// Throws Error when SIGINT or SIGTERM arrived since begin(); the destructor then cleans up.
  /// A second signal kills the process at once (the next build removes what it left).
  void checkInterrupted() const;

  /// Writes the marker listing `files` (paths relative to the folder), replaces the output
  /// folder by the temporary one in one atomic rename (RENAME_EXCHANGE where the file system
  /// supports it), removes the old build and releases the lock.
  /// @throws Error when the rename fails (the old output is then left as it was)
  void commit(const std::vector<std::string>& files);

 private:
  void release();

  std::filesystem::path path_;
  std::filesystem::path tmp_;
  std::filesystem::path lockPath_;
  std::filesystem::path createdParent_;  // the outermost parent folder begin() created
  int lockFd_ = -1;
  bool handlers_ = false;
};

/// The signal (SIGINT or SIGTERM) that interrupted a build in this process, or 0.
int interruptSignal();

}  // namespace nngen

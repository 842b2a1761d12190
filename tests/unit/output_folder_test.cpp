//! @file output_folder_test.cpp
//! @brief `nngen build -o X` never deletes or overwrites what nngen did not write: it refuses
//!        files and foreign folders, replaces only its own builds, cleans up after failures,
//!        interrupts and crashes, serializes concurrent builds, and follows the umask.
#include "flow/output_folder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "flow/flow.h"

namespace fs = std::filesystem;
using ::testing::HasSubstr;

namespace {

const fs::path kSpec = fs::path(NNGEN_TEST_DATA) / ".." / "configs" / "tiny" / "tiny.yaml";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class OutputFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fs::path("nngen_output_" + std::to_string(::getpid()) + "_" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Builds the tiny example into `out`; returns the error message, or "" on success.
  std::string build(
      const fs::path& out, const nngen::Progress& progress = [](const std::string&) {}) {
    nngen::BuildOptions opt;
    opt.spec = kSpec.string();
    opt.outDir = out.string();
    try {
      nngen::buildDesign(opt, progress);
    } catch (const nngen::Error& e) {
      return e.what();
    }
    return "";
  }
  /// Names in dir_ other than the ones given.
  std::vector<std::string> leftovers(std::set<std::string> expected) {
    std::vector<std::string> extra;
    for (auto& e : fs::directory_iterator(dir_))
      if (!expected.count(e.path().filename().string()))
        extra.push_back(e.path().filename().string());
    return extra;
  }
  fs::path dir_;
};

TEST_F(OutputFolder, RefusesAnExistingFile) {
  const fs::path f = dir_ / "net.yaml";
  std::ofstream(f) << "precious";
  EXPECT_THAT(build(f), HasSubstr("exists and is not a folder"));
  EXPECT_EQ(slurp(f), "precious");
  EXPECT_EQ(leftovers({"net.yaml"}), std::vector<std::string>{});
}

TEST_F(OutputFolder, RefusesAFolderNngenDidNotBuild) {
  fs::create_directories(dir_ / "work" / "sub");
  std::ofstream(dir_ / "work" / "notes.txt") << "mine";
  std::ofstream(dir_ / "work" / "sub" / "data.bin") << "mine too";
  EXPECT_THAT(build(dir_ / "work"), HasSubstr("is a folder nngen did not build"));
  EXPECT_EQ(slurp(dir_ / "work" / "notes.txt"), "mine");
  EXPECT_EQ(slurp(dir_ / "work" / "sub" / "data.bin"), "mine too");
  EXPECT_EQ(leftovers({"work"}), std::vector<std::string>{});
}

TEST_F(OutputFolder, RefusesTheCurrentFolder) {
  // `nngen build net.yaml -o .` inside the spec's folder used to delete that folder.
  std::ofstream(dir_ / "net.yaml") << "spec";
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  const std::string e = build(".");
  fs::current_path(cwd);
  EXPECT_THAT(e, HasSubstr("is a folder nngen did not build"));
  EXPECT_EQ(slurp(dir_ / "net.yaml"), "spec");
}

TEST_F(OutputFolder, RefusesADanglingSymlink) {
  fs::create_symlink(dir_ / "nowhere", dir_ / "link");
  EXPECT_THAT(build(dir_ / "link"), HasSubstr("symbolic link to nothing"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "link"));
}

TEST_F(OutputFolder, BuildsIntoNewEmptyAndItsOwnFolders) {
  EXPECT_EQ(build(dir_ / "a" / "b" / "rtl"), "");  // parents created
  EXPECT_TRUE(fs::exists(dir_ / "a" / "b" / "rtl" / nngen::kBuildMarker));
  fs::create_directories(dir_ / "empty");
  EXPECT_EQ(build(dir_ / "empty"), "");
  EXPECT_TRUE(fs::exists(dir_ / "empty" / "tiny_top.v"));
  // A rebuild replaces the old build, including what nngen sim and synthesis left in it.
  fs::create_directories(dir_ / "empty" / "sim" / "run");
  std::ofstream(dir_ / "empty" / "sim" / "run" / "output.bin") << "x";
  std::ofstream(dir_ / "empty" / "synth" / "xcvu9p_stat.json") << "{}";
  std::ofstream(dir_ / "empty" / "tiny_top.v") << "edited";
  EXPECT_EQ(build(dir_ / "empty"), "");
  EXPECT_FALSE(fs::exists(dir_ / "empty" / "sim" / "run"));
  EXPECT_THAT(slurp(dir_ / "empty" / "tiny_top.v"), HasSubstr("module tiny_top"));
  EXPECT_EQ(leftovers({"a", "empty"}), std::vector<std::string>{});
}

TEST_F(OutputFolder, RefusesItsOwnBuildHoldingAForeignFile) {
  ASSERT_EQ(build(dir_ / "rtl"), "");
  std::ofstream(dir_ / "rtl" / "notes.txt") << "mine";
  EXPECT_THAT(build(dir_ / "rtl"), HasSubstr("holds 'notes.txt', which nngen did not write"));
  fs::remove(dir_ / "rtl" / "notes.txt");
  std::ofstream(dir_ / "rtl" / "model" / "extra.npy") << "mine";
  EXPECT_THAT(build(dir_ / "rtl"), HasSubstr("holds 'model/extra.npy'"));
  EXPECT_EQ(slurp(dir_ / "rtl" / "model" / "extra.npy"), "mine");
  std::ofstream(dir_ / "rtl" / "sim" / "mine.txt") << "mine";  // sim/ outside obj_dir and run
  fs::remove(dir_ / "rtl" / "model" / "extra.npy");
  EXPECT_THAT(build(dir_ / "rtl"), HasSubstr("holds 'sim/mine.txt'"));
}

TEST_F(OutputFolder, RemovesStaleTemporariesOfTheSameOutput) {
  fs::create_directories(dir_ / "rtl.nngen-tmp-a1b2c3" / "sim");
  std::ofstream(dir_ / "rtl.nngen-tmp-a1b2c3" / "sim" / "stimulus.bin") << "half";
  fs::create_directories(dir_ / "other.nngen-tmp-a1b2c3");  // another output's: left alone
  EXPECT_EQ(build(dir_ / "rtl"), "");
  EXPECT_EQ(leftovers({"rtl", "other.nngen-tmp-a1b2c3"}), std::vector<std::string>{});
}

TEST_F(OutputFolder, FollowsTheUmask) {
  for (mode_t mask : {mode_t{022}, mode_t{077}, mode_t{002}}) {
    const mode_t old = ::umask(mask);
    const fs::path out = dir_ / ("rtl" + std::to_string(mask));
    const std::string e = build(out);
    ::umask(old);
    ASSERT_EQ(e, "");
    struct stat st {};
    ASSERT_EQ(::stat(out.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0777 & ~mask) << "umask " << std::oct << mask;
  }
}

TEST_F(OutputFolder, InterruptLeavesTheOldBuildAndNoTemporary) {
  ASSERT_EQ(build(dir_ / "rtl"), "");
  const std::string before = slurp(dir_ / "rtl" / "tiny_top.v");
  // SIGINT arrives while the test images run through the reference (files half written).
  const std::string e = build(dir_ / "rtl", [](const std::string& line) {
    if (line.find("running the C++ reference") != std::string::npos) std::raise(SIGINT);
  });
  EXPECT_THAT(e, HasSubstr("interrupted by SIGINT"));
  EXPECT_EQ(nngen::interruptSignal(), SIGINT);
  EXPECT_EQ(slurp(dir_ / "rtl" / "tiny_top.v"), before);
  EXPECT_EQ(leftovers({"rtl"}), std::vector<std::string>{});
  // The handler is gone again: the default disposition is back after the build.
  struct sigaction now {};
  ::sigaction(SIGINT, nullptr, &now);
  EXPECT_EQ(now.sa_handler, SIG_DFL);
}

TEST_F(OutputFolder, ConcurrentBuildsOfOneOutputSerialize) {
  // Several processes build into the same folder at once: each either writes a whole build or
  // waits for the other; none fails and nothing is left beside the output.
  std::vector<pid_t> kids;
  for (int i = 0; i < 3; ++i) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      const std::string e = build(dir_ / "rtl");
      if (!e.empty()) std::fprintf(stderr, "child: %s\n", e.c_str());
      ::_exit(e.empty() ? 0 : 1);
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_TRUE(fs::exists(dir_ / "rtl" / nngen::kBuildMarker));
  EXPECT_THAT(slurp(dir_ / "rtl" / "tiny_top.v"), HasSubstr("endmodule"));
  EXPECT_EQ(leftovers({"rtl"}), std::vector<std::string>{});
}

}  // namespace

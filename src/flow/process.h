//! @file process.h
//! @brief Running external tools (Verilator, Yosys, the simulation driver) with live output.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace nngen {

/// Runs `argv` (no shell), feeding each line of its combined stdout+stderr to `onLine` as it
/// arrives. @returns the exit status (or 128 + signal). @throws Error if it cannot start.
int runProcess(const std::vector<std::string>& argv,
               const std::function<void(const std::string&)>& onLine,
               const std::string& workDir = "");

/// Whether a program is on PATH.
bool haveProgram(const std::string& name);

}  // namespace nngen

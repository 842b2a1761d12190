//! @file import.cpp
//! @brief `nngen import`, and the import step of `nngen build MODEL`.
#include <fmt/format.h>

#include "flow/flow.h"
#include "flow/output_folder.h"

namespace nngen {

ImportSummary importModel(const ImportOptions& opt, const std::string& outDir,
                          const Progress& progress) {
  OutputFolder out(outDir);  // refuses a folder nngen may not replace before any work
  progress(fmt::format("importing {}", opt.model));
  const std::filesystem::path tmp = out.begin(progress);
  ImportSummary s = importInto(opt, tmp);
  out.commit(s.files);
  return s;
}

}  // namespace nngen

//! @file import.cpp
//! @brief The choice of front end by the model file's extension.
#include "import/import.h"

#include <cctype>

#include "ir/diagnostic.h"

namespace nngen {

std::string modelExtension(const std::string& path) {
  std::string e = std::filesystem::path(path).extension().string();
  for (char& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

bool isModelFile(const std::string& path) {
  const std::string e = modelExtension(path);
  return e == ".h5" || e == ".hdf5" || e == ".json" || e == ".onnx";
}

ImportSummary importInto(const ImportOptions& opt, const std::filesystem::path& dir) {
  if (!isModelFile(opt.model))
    throw Error(SourceLoc{opt.model, 0}, "",
                "not a model file nngen imports (Keras .h5/.hdf5 or architecture .json, .onnx)");
  return modelExtension(opt.model) == ".onnx" ? importOnnx(opt, dir) : importKeras(opt, dir);
}

}  // namespace nngen

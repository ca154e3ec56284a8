// rsmkit fuzz: a standalone main that feeds files (or every file of the
// directories given) to a harness once each, so CTest can replay the corpora
// and every past crash under any compiler, without libFuzzer.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

void collect(const std::string &path, std::vector<std::string> *out) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  if (!S_ISDIR(st.st_mode)) {
    out->push_back(path);
    return;
  }
  DIR *d = opendir(path.c_str());
  while (dirent *e = d ? readdir(d) : nullptr)
    if (e->d_name[0] != '.') collect(path + "/" + e->d_name, out);
  if (d) closedir(d);
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 2 || std::string(argv[1]) == "--help") {
    std::printf("usage: %s FILE_OR_DIR...\nRuns the harness once on every input file.\n", argv[0]);
    return argc < 2 ? 2 : 0;
  }
  std::vector<std::string> files;
  for (int i = 1; i < argc; i++) collect(argv[i], &files);
  for (const auto &f : files) {
    std::ifstream in(f, std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(data.data(), data.size());
  }
  std::printf("replayed %zu inputs: %zu passed, 0 failed\n", files.size(), files.size());
  return 0;
}

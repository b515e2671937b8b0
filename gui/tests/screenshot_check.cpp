// Runs the real faultline-gui on one scenario under Xvfb (ctest wraps this in xvfb-run): four
// screenshots, the third one back in time, each state checked against a fresh run by
// --verify-seek. Then checks that every image is a real picture (not blank) and that the
// pictures change as the run proceeds. Exit 0 on success.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <stb_image.h>

namespace {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<unsigned char> rgb;
};

bool load(const std::string& path, Image& out) {
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &out.width, &out.height, &channels, 3);
  if (data == nullptr) return false;
  out.rgb.assign(data, data + static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height) * 3);
  stbi_image_free(data);
  return true;
}

// Not blank: many distinct colours, and a good share of pixels away from the background.
bool looks_like_a_picture(const Image& image, std::string& why) {
  const std::size_t pixels = image.rgb.size() / 3;
  std::vector<bool> seen(1u << 15, false);
  std::size_t distinct = 0;
  std::size_t away = 0;
  const unsigned char r0 = image.rgb[0], g0 = image.rgb[1], b0 = image.rgb[2];
  for (std::size_t p = 0; p < pixels; ++p) {
    const unsigned char r = image.rgb[p * 3], g = image.rgb[p * 3 + 1], b = image.rgb[p * 3 + 2];
    const unsigned key = (r >> 3) << 10 | (g >> 3) << 5 | (b >> 3);
    if (!seen[key]) {
      seen[key] = true;
      ++distinct;
    }
    if (std::abs(r - r0) + std::abs(g - g0) + std::abs(b - b0) > 24) ++away;
  }
  const double share = static_cast<double>(away) / static_cast<double>(pixels);
  why = std::to_string(distinct) + " colours, " + std::to_string(static_cast<int>(share * 1000) / 10.0) + "% of pixels away from the background";
  return distinct >= 64 && share >= 0.05;
}

double changed_share(const Image& a, const Image& b) {
  if (a.rgb.size() != b.rgb.size()) return 1.0;
  std::size_t changed = 0;
  for (std::size_t p = 0; p < a.rgb.size(); p += 3) {
    if (a.rgb[p] != b.rgb[p] || a.rgb[p + 1] != b.rgb[p + 1] || a.rgb[p + 2] != b.rgb[p + 2]) ++changed;
  }
  return static_cast<double>(changed) / static_cast<double>(a.rgb.size() / 3);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s FAULTLINE_GUI SCENARIO OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string gui = argv[1];
  const std::string scenario = argv[2];
  const std::string out = argv[3];
  std::filesystem::create_directories(out);
  const std::vector<std::string> instants{"20%", "65%", "35%", "end"};
  std::string command = "'" + gui + "' '" + scenario + "' --verify-seek";
  std::vector<std::string> files;
  for (std::size_t k = 0; k < instants.size(); ++k) {
    files.push_back(out + "/shot-" + std::to_string(k + 1) + ".png");
    std::filesystem::remove(files.back());
    command += " --at " + instants[k] + " --screenshot '" + files.back() + "'";
  }
  std::printf("%s\n", command.c_str());
  std::fflush(stdout);
  const int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "FAIL: faultline-gui exited with status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 1;
  }
  int failures = 0;
  std::vector<Image> images(files.size());
  for (std::size_t k = 0; k < files.size(); ++k) {
    std::string why;
    if (!load(files[k], images[k])) {
      std::fprintf(stderr, "FAIL: %s was not written or is not a PNG\n", files[k].c_str());
      return 1;
    }
    if (images[k].width != 1280 || images[k].height != 800) {
      std::fprintf(stderr, "FAIL: %s is %dx%d, expected 1280x800\n", files[k].c_str(), images[k].width, images[k].height);
      ++failures;
    }
    const bool picture = looks_like_a_picture(images[k], why);
    std::printf("%s at %s: %s%s\n", files[k].c_str(), instants[k].c_str(), why.c_str(), picture ? "" : "  <- looks blank");
    failures += picture ? 0 : 1;
  }
  // The picture changes as simulated time passes (and when it goes back).
  for (std::size_t k = 1; k < images.size(); ++k) {
    const double share = changed_share(images[k - 1], images[k]);
    std::printf("%s -> %s: %.2f%% of pixels changed\n", instants[k - 1].c_str(), instants[k].c_str(), share * 100);
    if (share < 0.002) {
      std::fprintf(stderr, "FAIL: the picture hardly changes from %s to %s\n", instants[k - 1].c_str(), instants[k].c_str());
      ++failures;
    }
  }
  std::printf(failures == 0 ? "PASS\n" : "FAIL\n");
  return failures == 0 ? 0 : 1;
}

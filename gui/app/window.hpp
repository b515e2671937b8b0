// The GLFW window, its OpenGL 3 context and Dear ImGui's backends; one frame at a time; reading
// the rendered frame back for screenshots.
#pragma once
#include <functional>
#include <string>
#include <vector>

struct GLFWwindow;

namespace faultline::gui {

class Window {
 public:
  // Throws std::runtime_error when there is no display or no OpenGL 3 context.
  Window(int width, int height, bool visible, const char* ini_path);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  bool should_close() const;
  void set_title(const std::string& title);
  float content_scale() const;
  // Files dropped onto the window since the last call.
  std::vector<std::string> take_dropped();

  void poll(bool wait);
  // Called after the backends have read the devices and before ImGui starts the frame: the UI
  // self-test feeds its scripted mouse and keys here.
  std::function<void()> before_new_frame;
  void begin_frame();
  void end_frame();  // renders ImGui's draw data into the back buffer
  void present();
  // Writes the back buffer (call between end_frame and present) as a PNG, atomically.
  void save_png(const std::string& path);

 private:
  GLFWwindow* window_ = nullptr;
  std::vector<std::string> dropped_;
};

}  // namespace faultline::gui

// GLFW + OpenGL 3 + Dear ImGui, and PNG screenshots via stb_image_write.
#include "gui/app/window.hpp"

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <vector>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <GL/gl.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <stb_image_write.h>

#include "gui/app/theme.hpp"

namespace faultline::gui {
namespace {

void on_glfw_error(int code, const char* text) { std::fprintf(stderr, "faultline-gui: GLFW error %d: %s\n", code, text); }

}  // namespace

Window::Window(int width, int height, bool visible, const char* ini_path) {
  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit()) {
    throw std::runtime_error("cannot open a window (no display?); for headless screenshots run under xvfb-run");
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_VISIBLE, visible ? GLFW_TRUE : GLFW_FALSE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  window_ = glfwCreateWindow(width, height, "faultline", nullptr, nullptr);
  if (window_ == nullptr) {
    glfwTerminate();
    throw std::runtime_error("cannot create an OpenGL 3.3 window");
  }
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(visible ? 1 : 0);
  glfwSetWindowUserPointer(window_, this);
  glfwSetDropCallback(window_, [](GLFWwindow* w, int count, const char** paths) {
    auto* self = static_cast<Window*>(glfwGetWindowUserPointer(w));
    for (int i = 0; i < count; ++i) self->dropped_.emplace_back(paths[i]);
  });

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = ini_path;
  io.ConfigWindowsMoveFromTitleBarOnly = true;
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  theme::apply_style();
}

Window::~Window() {
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window_);
  glfwTerminate();
}

bool Window::should_close() const { return glfwWindowShouldClose(window_) != 0; }

void Window::set_title(const std::string& title) { glfwSetWindowTitle(window_, title.c_str()); }

float Window::content_scale() const {
  float x = 1, y = 1;
  glfwGetWindowContentScale(window_, &x, &y);
  return std::max(1.0f, std::min(x, 3.0f));
}

std::vector<std::string> Window::take_dropped() {
  std::vector<std::string> out;
  out.swap(dropped_);
  return out;
}

void Window::poll(bool wait) {
  if (wait) glfwWaitEventsTimeout(0.1);
  else glfwPollEvents();
}

void Window::begin_frame() {
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (before_new_frame) before_new_frame();
  ImGui::NewFrame();
}

void Window::end_frame() {
  ImGui::Render();
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  glViewport(0, 0, w, h);
  const ImVec4 background = theme::to_vec4(theme::kBackground);
  glClearColor(background.x, background.y, background.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void Window::present() { glfwSwapBuffers(window_); }

void Window::save_png(const std::string& path) {
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
  glFinish();
  glReadBuffer(GL_BACK);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
  // OpenGL's rows run bottom-up; PNG's top-down.
  stbi_flip_vertically_on_write(1);
  const std::string temporary = path + ".tmp";
  if (stbi_write_png(temporary.c_str(), w, h, 3, pixels.data(), w * 3) == 0) {
    throw std::runtime_error(path + ": cannot be written");
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    throw std::runtime_error(path + ": cannot be written (" + ec.message() + ")");
  }
}

}  // namespace faultline::gui

// The UI self-test: scripted clicks and keys on the real window (--self-test-ui).
#pragma once

namespace faultline::gui {

class App;
class Window;

// Returns 0 when every scripted interaction did what it should, 1 otherwise.
int run_ui_self_test(Window& window, App& app);

}  // namespace faultline::gui

#!/usr/bin/env bash
# Runs a command on its own Xvfb server (1280x800x24): Xvfb picks a free display number itself
# and writes it to a pipe once it accepts connections (-displayfd), so there is no fixed sleep
# and no race with other X servers on the machine (xvfb-run -a guesses from lock files). The
# server is stopped by its PID when the command ends. Usage: with-xvfb.sh COMMAND [ARGS...]
set -euo pipefail
dir=$(mktemp -d)
fifo=$dir/display
mkfifo "$fifo"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$fifo" 2>"$dir/xvfb.log" &
xvfb=$!
cleanup() { kill "$xvfb" 2>/dev/null || true; wait "$xvfb" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
# The read returns when Xvfb is ready; a generous guard in case it never is.
if ! read -r -t 120 number <"$fifo"; then
  echo "with-xvfb.sh: Xvfb did not start:" >&2
  cat "$dir/xvfb.log" >&2
  exit 1
fi
DISPLAY=":$number" "$@"

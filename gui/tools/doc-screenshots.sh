#!/bin/sh
# Regenerates the screenshots of docs/gui.md with faultline-gui itself (headless, under Xvfb).
# usage: gui/tools/doc-screenshots.sh BUILD_DIR
set -eu
build=$(cd "${1:?usage: gui/tools/doc-screenshots.sh BUILD_DIR}" && pwd)  # absolute: the editor shot runs elsewhere
root=$(cd "$(dirname "$0")/../.." && pwd)
gui="$build/faultline-gui"
out="$root/docs/images"
demo="$root/gui/examples/failover-demo.json"
fleet="$root/gui/examples/fleet-300.json"
mkdir -p "$out"
shot() { xvfb-run -a -s "-screen 0 1280x800x24" "$gui" "$@"; }

# The whole window: zone c is down, callers still list its instances.
shot "$demo" --at 2m40s --screenshot "$out/gui-overview.png" --select "frontend -> checkout" --tab discovery
# Payments fails, the breakers from checkout open, frontend ejects checkout instances.
shot "$demo" --at 3m50s --screenshot "$out/gui-breakers.png" --select "checkout -> payments" --tab events
# Panels alone.
shot "$demo" --at 45s --screenshot "$out/gui-topology.png" --panel topology --size 900x380
shot "$demo" --at 45s --screenshot "$out/gui-discovery.png" --panel discovery --size 760x400
shot "$demo" --at 45s --screenshot "$out/gui-inspector.png" --panel inspector --select "checkout#0" --size 620x420
shot "$demo" --at 4m --screenshot "$out/gui-charts.png" --panel charts --what-if breakers=off --size 1100x460
shot "$demo" --at 4m --screenshot "$out/gui-timeline.png" --panel timeline --size 900x420
shot "$demo" --at 3m45s --screenshot "$out/gui-events.png" --panel events --size 900x420
shot "$demo" --at 2m --screenshot "$out/gui-assertions.png" --panel assertions --size 900x420
shot "$demo" --at end --screenshot "$out/gui-whatif.png" --panel whatif --what-if breakers=off --size 900x600
shot "$demo" --at 0s --screenshot "$out/gui-transport.png" --panel transport --size 1280x100
# The editor, with two mistakes in the text.
scratch=$(mktemp -d)
sed -e 's/"workers": 16/"workers": "sixteen"/' -e 's/"timeout": "200ms"/"timeout": "200 ms"/' "$demo" > "$scratch/failover-demo.json"
(cd "$scratch" && shot failover-demo.json --at 0s --screenshot "$out/gui-editor.png" --panel editor --size 1000x460) || true
rm -rf "$scratch"
# 300 instances.
shot "$fleet" --at 55s --screenshot "$out/gui-fleet.png"

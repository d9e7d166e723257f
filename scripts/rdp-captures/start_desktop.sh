#!/bin/bash
# A small X desktop to share: Xvfb plus a few programs that keep changing the screen (top, a scrolling
# listing, a clock, eyes that follow the pointer, a calculator). Usage: start_desktop.sh DISPLAY WxH
set -e
cd "${RDP_WORK:?set RDP_WORK to a scratch folder}" && mkdir -p pids
disp=${1:?display, e.g. :91}; size=${2:-1280x720}; w=${size%x*}; h=${size#*x}; n=${disp#:}
Xvfb "$disp" -screen 0 "${size}x24" -nolisten tcp > "xvfb$n.log" 2>&1 & echo $! > "pids/xvfb$n"
for _ in $(seq 50); do xdpyinfo -display "$disp" >/dev/null 2>&1 && break; sleep 0.1; done
export DISPLAY=$disp
# geometry scales with the screen so a 1080p desktop is not mostly empty
xterm -geometry 100x30+0+0 -bg black -fg green -e top -d 1 > /dev/null 2>&1 & echo $! > "pids/top$n"
xterm -geometry 80x20+$((w / 2))+$((h * 46 / 100)) -bg white -fg black \
  -e bash -c 'while true; do ls -la /usr/bin | shuf -n 3; sleep 0.3; done' > /dev/null 2>&1 & echo $! > "pids/scroll$n"
xclock -update 1 -geometry 200x200+$((w - 220))+10 > /dev/null 2>&1 & echo $! > "pids/xclock$n"
xeyes -geometry 200x120+$((w - 430))+10 > /dev/null 2>&1 & echo $! > "pids/xeyes$n"
xcalc -geometry +$((w * 55 / 100))+10 > /dev/null 2>&1 & echo $! > "pids/xcalc$n"
if [ "$w" -ge 1600 ]; then
  # an editor-like terminal that the 1080p capture types into and scrolls
  xterm -geometry 110x40+0+$((h / 2 - 40)) -bg '#202840' -fg white -T typing > /dev/null 2>&1 & echo $! > "pids/typing$n"
fi
sleep 1

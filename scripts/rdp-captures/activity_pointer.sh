#!/bin/bash
# Pointer movement over the desktop (DISPLAY is the shared desktop); $1 = WxH.
size=${1:-1280x720}; w=${size%x*}; h=${size#*x}
sleep 1.5; xdotool mousemove $((w / 4)) $((h / 4))
sleep 1.5; xdotool mousemove $((w * 6 / 10)) $((h / 4))
sleep 1.5
for i in $(seq 0 20); do xdotool mousemove $((w / 3 + i * 15)) $((h * 9 / 10 - i * 10)); sleep 0.1; done
sleep 1; xdotool mousemove $((w * 7 / 10)) $((h * 6 / 10))

#!/bin/bash
# Typing and scrolling in the "typing" terminal (the 1080p desktop), plus pointer movement; $1 = WxH.
size=${1:-1920x1080}; w=${size%x*}; h=${size#*x}
win=$(xdotool search --name '^typing$' | head -n 1)
sleep 1
xdotool mousemove $((w / 8)) $((h / 2)); [ -n "$win" ] && xdotool windowfocus "$win"
for i in $(seq 1 6); do
  xdotool type --delay 40 "echo line $i of a session being recorded; ls /usr/share | head -n 12"
  xdotool key Return; sleep 0.4
done
xdotool type --delay 30 "seq 1 400"; xdotool key Return; sleep 1
for i in $(seq 1 10); do xdotool key shift+Prior; sleep 0.25; done
for i in $(seq 1 10); do xdotool key shift+Next; sleep 0.25; done
for i in $(seq 0 30); do xdotool mousemove $((w / 3 + i * 25)) $((h * 8 / 10 - i * 12)); sleep 0.08; done
xdotool type --delay 40 "man bash"; xdotool key Return; sleep 1
for i in $(seq 1 12); do xdotool key space; sleep 0.5; done
xdotool key q

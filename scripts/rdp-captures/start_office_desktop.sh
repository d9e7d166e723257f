#!/bin/bash
# An office desktop to share: Xvfb with three terminals and nothing that animates by itself (no clock, no top):
# an editor (vi on a notes file), a long document open in less, a shell. The screen changes only when
# activity_office.sh types, scrolls or switches windows. Usage: start_office_desktop.sh DISPLAY WxH
set -e
cd "${RDP_WORK:?set RDP_WORK to a scratch folder}" && mkdir -p pids office
disp=${1:?display, e.g. :95}; size=${2:-1920x1080}; w=${size%x*}; h=${size#*x}; n=${disp#:}
Xvfb "$disp" -screen 0 "${size}x24" -nolisten tcp > "xvfb$n.log" 2>&1 & echo $! > "pids/xvfb$n"
for _ in $(seq 50); do xdpyinfo -display "$disp" >/dev/null 2>&1 && break; sleep 0.1; done
export DISPLAY=$disp
printf 'Quarterly access review\n\nOwners: platform team\n\n' > office/notes.txt
font=(-fa Monospace -fs 11)
# the document being read (right), the shell (bottom left), the editor (left, on top at the start)
xterm "${font[@]}" -geometry 110x52+$((w / 2 - 40))+20 -bg '#fdfdf6' -fg '#202020' -T document \
  -e less /usr/share/common-licenses/GPL-3 > /dev/null 2>&1 & echo $! > "pids/document$n"
xterm "${font[@]}" -geometry 100x16+30+$((h - 330)) -bg '#1e1e1e' -fg '#d0d0d0' -T shell \
  -e bash --norc --noprofile > /dev/null 2>&1 & echo $! > "pids/shell$n"
xterm "${font[@]}" -geometry 105x40+20+20 -bg white -fg black -T editor \
  -e vi -u NONE -N +'set nowrap' "$RDP_WORK/office/notes.txt" > /dev/null 2>&1 & echo $! > "pids/editor$n"
sleep 1.5

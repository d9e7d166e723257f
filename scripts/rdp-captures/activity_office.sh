#!/bin/bash
# About five minutes of office work on the office desktop (start_office_desktop.sh; DISPLAY is that desktop):
# typing in the editor at human speed (about 4 characters a second), pauses of several seconds while reading,
# scrolling the document a line or a page at a time, a switch to another window now and then, a little pointer
# movement. Nothing else moves. $1 = WxH; OFFICE_SECS (default 290) is when it stops.
size=${1:-1920x1080}; w=${size%x*}; h=${size#*x}; stop=${OFFICE_SECS:-290}
editor=$(xdotool search --name '^editor$' | head -n 1)
document=$(xdotool search --name '^document$' | head -n 1)
shell=$(xdotool search --name '^shell$' | head -n 1)
to() { xdotool windowraise "$1" windowfocus "$1"; sleep 0.3; }
pointer() { xdotool mousemove --sync "$1" "$2" 2>/dev/null || xdotool mousemove "$1" "$2"; }
typeline() { xdotool type --delay 230 "$1"; xdotool key Return; }
lines=(
  "Checked the admin group on the file servers; two leavers still had access."
  "Removed them and opened a ticket for the HR feed, which lags a week."
  "Service accounts: eleven in use, three without an owner. Asked around."
  "The VPN logs show nobody used the old jump host since August."
  "Proposal: turn it off at the end of the month, after one more check."
  "Recordings of admin sessions are kept 90 days, as the policy says."
  "Next review: first week of the quarter, same scope plus the new cluster."
)
commands=("ls -l ~" "grep -c admin /etc/group" "df -h /" "date" "wc -l /etc/passwd")
sleep 1
pointer $((w / 5)) $((h / 3)); to "$editor"
xdotool key G o; sleep 0.5   # vi: the end of the file, a new line, insert mode
k=0
while [ "$SECONDS" -lt "$stop" ]; do
  # write two lines, then read them over
  to "$editor"
  typeline "${lines[$((k % ${#lines[@]}))]}"; sleep 2
  typeline "${lines[$(((k + 1) % ${#lines[@]}))]}"; sleep 7
  [ "$SECONDS" -ge "$stop" ] && break
  # read the document: a few lines at a time, long pauses, now and then a page
  pointer $((w * 3 / 4)) $((h / 2)); to "$document"; sleep 4
  for _ in 1 2 3 4 5 6; do xdotool key Down; sleep 0.7; done
  sleep 9
  [ $((k % 2)) -eq 0 ] && { xdotool key space; sleep 10; }
  for _ in 1 2 3; do xdotool key Down; sleep 0.5; done
  sleep 6
  [ "$SECONDS" -ge "$stop" ] && break
  # a quick command in the shell every other round
  if [ $((k % 2)) -eq 1 ]; then
    pointer $((w / 6)) $((h - 200)); to "$shell"
    xdotool type --delay 200 "${commands[$((k / 2 % ${#commands[@]}))]}"; xdotool key Return; sleep 5
  fi
  pointer $((w / 5)) $((h / 3))
  k=$((k + 2))
done

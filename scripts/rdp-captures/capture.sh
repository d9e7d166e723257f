#!/bin/bash
# One capture: an xfreerdp client (on CLIENT_DISPLAY) connects through the TLS man-in-the-middle (mitm.py,
# MITM_PORT -> SERVER_PORT on 127.0.0.1) that logs every decrypted server->client byte with its time; while it
# runs, pointer/typing activity goes to the shared desktop and both screens are grabbed SHOTS times.
# Env: NAME SECS SIZE CLIENT_ARGS SERVER_PORT MITM_PORT CLIENT_DISPLAY SOURCE_DISPLAY SHOTS ACTIVITY USER_ARGS
set -e
cd "${RDP_WORK:?set RDP_WORK to a scratch folder}" && mkdir -p cap pids
here=$(dirname "$(readlink -f "$0")")
name=${NAME:?}; secs=${SECS:-12}; size=${SIZE:-1280x720}; shots=${SHOTS:-5}
src=${SOURCE_DISPLAY:-:91}; cli=${CLIENT_DISPLAY:-:92}
rm -rf "shots/$name" "cap/$name".*; mkdir -p "shots/$name"
python3 "$here/mitm.py" "${MITM_PORT:?}" "${SERVER_PORT:?}" "cap/$name" > "cap/$name.mitm.log" 2>&1 &
mp=$!
sleep 0.5
echo "client_start $(date +%s.%N)" > "cap/$name.times"
# shellcheck disable=SC2086
( HOME=$RDP_WORK/home DISPLAY=$cli timeout "$secs" nice -n 5 xfreerdp /v:127.0.0.1:"$MITM_PORT" /cert:ignore \
    /sec:tls ${USER_ARGS:-/u:test /p:test} /size:"$size" -decorations /window-position:0x0 -compression $CLIENT_ARGS \
    > "cap/$name.xfreerdp.log" 2>&1; echo "rc=$?" >> "cap/$name.xfreerdp.log" ) &
cp=$!
if [ -n "${ACTIVITY:-}" ]; then DISPLAY=$src bash "$here/$ACTIVITY" "$size" > /dev/null 2>&1 & ap=$!; fi
# the first grab after the first full-screen picture, then evenly spread over the capture
sleep 2.5
gap=$(python3 -c "print(max(0.5, ($secs - 4.0) / max(1, $shots)))")
for k in $(seq 1 "$shots"); do
  t0=$(date +%s.%N); xwd -root -display "$src" -silent > "shots/$name/s_$k.xwd"; t1=$(date +%s.%N)
  xwd -root -display "$cli" -silent > "shots/$name/c_$k.xwd"; t2=$(date +%s.%N)
  echo "shot $k source $t0 $t1 client $t1 $t2" >> "cap/$name.times"
  [ "$k" -lt "$shots" ] && sleep "$gap"
done
wait $cp || true
[ -n "${ap:-}" ] && { kill "$ap" 2>/dev/null || true; }
sleep 0.5
kill $mp 2>/dev/null || true; wait $mp 2>/dev/null || true
for f in "shots/$name"/*.xwd; do convert "xwd:$f" "png:${f%.xwd}.png" && rm "$f"; done
echo "captured $name"

#!/bin/bash
# Regenerates every RDP test capture under test/fixtures/rdp/ from real programs (Debian 12 packages:
#   apt-get install -y xvfb x11-apps x11-utils xterm xdotool freerdp2-x11 freerdp2-shadow-x11 imagemagick \
#                      xrdp xorgxrdp openssl python3
# ), as root (xrdp needs a local user). Everything listens on 127.0.0.1 only.
#   scripts/rdp-captures/make_all.sh [name...]     names: planar interleaved16 interleaved15 xrdp-rfx rfx-1080p
#                                                        rfx-office-1080p (5 minutes; not in the default set)
# RDP_WORK (default /tmp/rdp-captures) is scratch space; it is left behind for inspection.
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
repo=$(readlink -f "$here/../..")
fixtures=$repo/test/fixtures/rdp
export RDP_WORK=${RDP_WORK:-/tmp/rdp-captures}
mkdir -p "$RDP_WORK"/{tls,home,pids,cap,out}
cd "$RDP_WORK"
names=("$@"); [ ${#names[@]} -eq 0 ] && names=(planar interleaved16 interleaved15 xrdp-rfx rfx-1080p)
want() { local n; for n in "${names[@]}"; do [ "$n" = "$1" ] && return 0; done; return 1; }

[ -f tls/cert.pem ] || openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=rdp -days 30 \
  -keyout tls/key.pem -out tls/cert.pem 2>/dev/null
started=()
cleanup() {
  for p in "${started[@]}"; do kill "$p" 2>/dev/null || true; done
  # the xrdp session (Xorg, its programs, chansrv) belongs to the capture user, made for this alone
  if want xrdp-rfx; then for p in $(pgrep -u "${XRDP_USER:-rdpcap}"); do kill "$p" 2>/dev/null || true; done; fi
}
trap cleanup EXIT
bg() { "$@" & started+=($!); }

# The capture as a fixture: parse the log into a .tdpcap (gzipped), the client's pictures as truth PNGs.
finish() { # name width height
  local name=$1 w=$2 h=$3 out=$fixtures/$1
  python3 "$here/parse.py" "cap/$name" --tdpcap "cap/$name.tdpcap" --width "$w" --height "$h" > "cap/$name.histogram.txt"
  python3 "$here/verify_tdpcap.py" "cap/$name.tdpcap" >> "cap/$name.histogram.txt"
  rm -rf "$out"; mkdir -p "$out"
  python3 "$here/truth.py" "$name" "$out/truth" "$w" "$h"
  gzip -9 -n -c "cap/$name.tdpcap" > "$out/$name.tdpcap.gz"
  grep -vE '^(s2c records|wrote|example)' "cap/$name.histogram.txt" > "$out/histogram.txt"
  echo "$name: $(du -sh "$out" | cut -f1)"
}

# FreeRDP's shadow server sharing a 1280x720 desktop (planar at 32 bpp, interleaved RLE at 15/16 bpp)
if want planar || want interleaved16 || want interleaved15; then
  bash "$here/start_desktop.sh" :91 1280x720; started+=($(cat pids/xvfb91) $(cat pids/top91 pids/scroll91 pids/xclock91 pids/xeyes91 pids/xcalc91))
  bg Xvfb :92 -screen 0 1280x800x24 -nolisten tcp
  HOME=$RDP_WORK/home DISPLAY=:91 bg freerdp-shadow-cli /port:3391 /bind-address:127.0.0.1 -auth /sec:tls > shadow91.log 2>&1
  sleep 2
  shadow() { NAME=$1 CLIENT_ARGS=$2 SECS=${3:-10} SHOTS=4 SERVER_PORT=3391 MITM_PORT=3392 SOURCE_DISPLAY=:91 \
    CLIENT_DISPLAY=:92 ACTIVITY=activity_pointer.sh bash "$here/capture.sh"; finish "$1" 1280 720; }
  want planar && shadow planar "/bpp:32"
  want interleaved16 && shadow interleaved16 "/bpp:16" 9
  want interleaved15 && shadow interleaved15 "/bpp:15" 9
fi

# xrdp 0.9.21 + xorgxrdp, RemoteFX: several rectangles per frame (1024x576: RemoteFX of a full desktop is big)
if want xrdp-rfx; then
  bash "$here/start_xrdp.sh"; started+=($(cat pids/sesman pids/xrdp))
  bg Xvfb :92 -screen 0 1280x800x24 -nolisten tcp 2>/dev/null || true
  xr() { XAUTHORITY=/home/${XRDP_USER:-rdpcap}/.Xauthority NAME=$1 SECS=$2 SHOTS=$3 SERVER_PORT=3393 MITM_PORT=3394 \
    SIZE=1024x576 SOURCE_DISPLAY=:10 CLIENT_DISPLAY=:92 USER_ARGS="/u:${XRDP_USER:-rdpcap} /p:${XRDP_PASS:-rdpcap-pass}" \
    CLIENT_ARGS="/bpp:32 /rfx" ACTIVITY=activity_pointer.sh bash "$here/capture.sh"; }
  # a first connection starts the session (its programs take a few seconds); the capture reconnects to it
  xr xrdp-warmup 8 1 > /dev/null
  xr xrdp-rfx 8 3; finish xrdp-rfx 1024 576
fi

# 1920x1080 RemoteFX from the shadow server with typing and scrolling, for benchmarks (17 s: about 7 MB)
if want rfx-1080p; then
  bash "$here/start_desktop.sh" :93 1920x1080; started+=($(cat pids/xvfb93 pids/top93 pids/scroll93 pids/xclock93 pids/xeyes93 pids/xcalc93 pids/typing93))
  bg Xvfb :94 -screen 0 1920x1200x24 -nolisten tcp
  HOME=$RDP_WORK/home DISPLAY=:93 bg freerdp-shadow-cli /port:3395 /bind-address:127.0.0.1 -auth /sec:tls > shadow93.log 2>&1
  sleep 2
  NAME=rfx-1080p SIZE=1920x1080 CLIENT_ARGS="/bpp:32 /rfx" SECS=17 SHOTS=3 SERVER_PORT=3395 MITM_PORT=3396 \
    SOURCE_DISPLAY=:93 CLIENT_DISPLAY=:94 ACTIVITY=activity_typing.sh bash "$here/capture.sh"
  finish rfx-1080p 1920 1080
fi
# 1920x1080 RemoteFX of five minutes of office work (typing, reading, scrolling, window switches; nothing
# animates by itself), for benchmarks. OFFICE_SECS shortens it for a trial run.
if want rfx-office-1080p; then
  secs=${OFFICE_SECS:-300}
  bash "$here/start_office_desktop.sh" :95 1920x1080
  started+=($(cat pids/xvfb95 pids/document95 pids/shell95 pids/editor95))
  bg Xvfb :96 -screen 0 1920x1200x24 -nolisten tcp
  HOME=$RDP_WORK/home DISPLAY=:95 bg freerdp-shadow-cli /port:3397 /bind-address:127.0.0.1 -auth /sec:tls > shadow95.log 2>&1
  sleep 2
  OFFICE_SECS=$((secs - 8)) NAME=rfx-office-1080p SIZE=1920x1080 CLIENT_ARGS="/bpp:32 /rfx" SECS=$secs \
    SHOTS=$((secs / 30)) SERVER_PORT=3397 MITM_PORT=3398 SOURCE_DISPLAY=:95 CLIENT_DISPLAY=:96 \
    ACTIVITY=activity_office.sh bash "$here/capture.sh"
  finish rfx-office-1080p 1920 1080
fi
echo "fixtures in $fixtures"

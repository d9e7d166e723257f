#!/bin/sh
# The video and browser tests decode our MP4s with ffmpeg and play pages in Chromium.
# On a fresh Debian machine (root, no ffmpeg, no Chromium) install them; elsewhere just say what is missing.
missing=""
command -v ffprobe >/dev/null 2>&1 || missing="$missing ffmpeg"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
else
  echo "warning: missing$missing — install them (apt-get install$missing) or the video/browser tests fail" >&2
fi

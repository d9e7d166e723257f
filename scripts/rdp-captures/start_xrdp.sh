#!/bin/bash
# An xrdp server (Debian's xrdp 0.9.21 with the xorgxrdp backend) on 127.0.0.1:$XRDP_PORT, with a local user
# whose session runs the same desktop programs as start_desktop.sh. Needs root (creates the user, runs sesman).
# Env: XRDP_PORT (3393), XRDP_USER (rdpcap), XRDP_PASS (rdpcap-pass). Prints the session's X display.
set -e
cd "${RDP_WORK:?set RDP_WORK to a scratch folder}" && mkdir -p pids xrdp
port=${XRDP_PORT:-3393}; user=${XRDP_USER:-rdpcap}; pass=${XRDP_PASS:-rdpcap-pass}
id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
echo "$user:$pass" | chpasswd
home=$(getent passwd "$user" | cut -d: -f6)
# sesman runs ~/startwm.sh (EnableUserWindowManager): the session is our desktop, no window manager
cat > "$home/startwm.sh" <<'WM'
#!/bin/bash
size=$(xdpyinfo | awk '/dimensions:/ {print $2}'); w=${size%x*}; h=${size#*x}
xsetroot -solid '#3a6ea5'
xterm -geometry 100x30+0+0 -bg black -fg green -e top -d 1 &
xterm -geometry 80x20+$((w / 2))+$((h * 46 / 100)) -bg white -fg black -e bash -c 'while true; do ls -la /usr/bin | shuf -n 3; sleep 0.3; done' &
xclock -update 1 -geometry 200x200+$((w - 220))+10 &
xeyes -geometry 200x120+$((w - 430))+10 &
exec xcalc -geometry +$((w * 55 / 100))+10
WM
chmod 755 "$home/startwm.sh"; chown "$user" "$home/startwm.sh"
# our own xrdp.ini: loopback only, TLS with the capture's certificate, straight into the Xorg session
sed -e "s|^port=3389|port=tcp://127.0.0.1:$port|" \
    -e "s|^security_layer=.*|security_layer=tls|" \
    -e "s|^certificate=.*|certificate=$RDP_WORK/tls/cert.pem|" \
    -e "s|^key_file=.*|key_file=$RDP_WORK/tls/key.pem|" \
    -e "s|^autorun=.*|autorun=Xorg|" \
    -e "s|^bulk_compression=.*|bulk_compression=false|" \
    -e "s|^fork=.*|fork=false|" \
    /etc/xrdp/xrdp.ini > xrdp/xrdp.ini
mkdir -p /run/xrdp/sockdir && chmod 1777 /run/xrdp/sockdir
xrdp-sesman --nodaemon > xrdp/sesman.out 2>&1 & echo $! > pids/sesman
xrdp --nodaemon --config "$RDP_WORK/xrdp/xrdp.ini" > xrdp/xrdp.out 2>&1 & echo $! > pids/xrdp
sleep 1
echo "xrdp on 127.0.0.1:$port for $user"

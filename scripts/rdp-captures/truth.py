#!/usr/bin/env python3
"""Turn one capture's screenshots into the fixture's truth: the client's picture (xfreerdp's window, which sits at
0,0 of the client display) cropped to the session size, named by the time after the TDP 31 record, and truth.json.

usage: truth.py NAME OUT_DIR WIDTH HEIGHT   (run in $RDP_WORK; reads cap/NAME.times, cap/NAME.tdpcap.t0, shots/NAME/)
"""
import json, os, subprocess, sys

name, out, w, h = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
t0 = float(open(f'cap/{name}.tdpcap.t0').read())
os.makedirs(out, exist_ok=True)
frames = []
for line in open(f'cap/{name}.times'):
    p = line.split()
    if p[0] != 'shot':
        continue
    k = int(p[1])
    s0, s1, c0, c1 = float(p[3]), float(p[4]), float(p[6]), float(p[7])
    # the grab of a screen takes a few tens of ms: its middle is the moment it shows
    t_ms = round(((c0 + c1) / 2 - t0) * 1000)
    src_ms = round(((s0 + s1) / 2 - t0) * 1000)
    file = f't{t_ms}.png'
    subprocess.run(['convert', f'shots/{name}/c_{k}.png', '-crop', f'{w}x{h}+0+0', '+repage', '-strip',
                    f'png:{os.path.join(out, file)}'], check=True)
    frames.append({'file': file, 't_ms': t_ms, 'source_t_ms': src_ms, 'grab_ms': round((c1 - c0) * 1000)})
json.dump({'name': name, 'width': w, 'height': h, 'frames': frames}, open(os.path.join(out, 'truth.json'), 'w'), indent=1)
print('truth', name, [f['t_ms'] for f in frames])

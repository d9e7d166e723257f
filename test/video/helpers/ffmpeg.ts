// ffprobe/ffmpeg as the judges of our files: what a real demuxer and decoder make of them.

export interface ProbedPacket {
  ptsMs: number;
  durationMs: number;
  isKey: boolean;
  size: number;
}

export interface ProbedFile {
  codec: string;
  profile: string;
  width: number;
  height: number;
  durationMs: number;
  packets: ProbedPacket[];
}

async function run(command: string[]): Promise<{ stdout: Uint8Array; stderr: string; code: number }> {
  const proc = Bun.spawn(command, { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).bytes(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { stdout, stderr, code };
}

function field(record: unknown, name: string): unknown {
  return typeof record === "object" && record !== null ? (record as Record<string, unknown>)[name] : undefined;
}

const seconds = (value: unknown) => Math.round(Number(value) * 1000);

export async function probe(path: string): Promise<ProbedFile> {
  const { stdout, stderr, code } = await run([
    "ffprobe", "-v", "error", "-print_format", "json",
    "-show_entries", "stream=codec_name,profile,width,height,duration:format=duration:packet=pts_time,duration_time,flags,size",
    "-select_streams", "v:0", "-show_packets", path,
  ]);
  if (code !== 0) throw new Error(`ffprobe failed on ${path}: ${stderr}`);
  const json: unknown = JSON.parse(new TextDecoder().decode(stdout));
  const stream = (field(json, "streams") as unknown[])[0];
  const packets = (field(json, "packets") as unknown[]).map((p) => ({
    ptsMs: seconds(field(p, "pts_time")),
    durationMs: seconds(field(p, "duration_time")),
    isKey: String(field(p, "flags")).startsWith("K"),
    size: Number(field(p, "size")),
  }));
  return {
    codec: String(field(stream, "codec_name")),
    profile: String(field(stream, "profile")),
    width: Number(field(stream, "width")),
    height: Number(field(stream, "height")),
    durationMs: seconds(field(field(json, "format"), "duration")),
    packets,
  };
}

/** Frame count and duration as the container declares them (reads the moov only). */
export async function probeStream(path: string): Promise<{ frames: number; durationMs: number }> {
  const { stdout, stderr, code } = await run([
    "ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=nb_frames,duration", "-of", "json", path,
  ]);
  if (code !== 0 || stderr.trim() !== "") throw new Error(`ffprobe failed on ${path}: ${stderr}`);
  const stream = (field(JSON.parse(new TextDecoder().decode(stdout)), "streams") as unknown[])[0];
  return { frames: Number(field(stream, "nb_frames")), durationMs: seconds(field(stream, "duration")) };
}

/**
 * Decodes the whole file: ffmpeg's exit code and error output (empty when clean), and the frame count. Frames pass
 * through with their own timestamps (`-fps_mode passthrough`): otherwise ffmpeg re-times a variable-rate video to the
 * frame rate it guesses and its null muxer complains about the collisions it made itself.
 */
export async function decodeAll(path: string): Promise<{ code: number; errors: string; frames: number }> {
  const { stderr, code } = await run([
    "ffmpeg", "-v", "error", "-nostats", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough", "-enc_time_base", "-1", "-f", "null", "-",
  ]);
  const counted = await run([
    "ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
    "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path,
  ]);
  return { code, errors: stderr.trim(), frames: Number(new TextDecoder().decode(counted.stdout).trim()) };
}

/** The picture on screen at `timeMs` (the last frame starting at or before it), as packed RGB24. */
export async function pictureAt(path: string, timeMs: number, width: number, height: number): Promise<Uint8Array> {
  // every frame up to timeMs, unchanged in timing; the last one is what a player shows at timeMs
  const { stdout, stderr, code } = await run([
    "ffmpeg", "-v", "error", "-i", path, "-vf", `select=lte(t\\,${(timeMs / 1000).toFixed(3)})`, "-fps_mode", "passthrough",
    "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
  ]);
  const frameBytes = width * height * 3;
  if (code !== 0 || stdout.length < frameBytes) throw new Error(`ffmpeg could not decode ${path} up to ${timeMs} ms: ${stderr}`);
  return stdout.subarray(stdout.length - frameBytes);
}

/**
 * The pictures on screen at each of `timesMs`, decoding the file once: each time maps to the last frame
 * starting at or before it (frames in presentation order, as ffprobe lists them), and only those frames
 * are kept. Returns RGB24 pictures in the order of `timesMs`.
 */
export async function picturesAt(path: string, timesMs: number[], width: number, height: number): Promise<Uint8Array[]> {
  const { packets } = await probe(path);
  const starts = packets.map((p) => p.ptsMs).sort((a, b) => a - b);
  const indexOf = (t: number) => {
    let i = 0;
    while (i + 1 < starts.length && starts[i + 1] <= t) i++;
    return i;
  };
  const wanted = [...new Set(timesMs.map(indexOf))].sort((a, b) => a - b);
  const { stdout, stderr, code } = await run([
    "ffmpeg", "-v", "error", "-i", path, "-vf", `select='${wanted.map((n) => `eq(n,${n})`).join("+")}'`, "-fps_mode", "passthrough",
    "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
  ]);
  const frameBytes = width * height * 3;
  if (code !== 0 || stdout.length !== wanted.length * frameBytes) throw new Error(`ffmpeg could not decode frames ${wanted.join(",")} of ${path}: ${stderr}`);
  const byIndex = new Map(wanted.map((n, k) => [n, stdout.subarray(k * frameBytes, (k + 1) * frameBytes)]));
  return timesMs.map((t) => byIndex.get(indexOf(t))!);
}

/** PSNR in dB of an RGB24 picture against the RGBA source it was encoded from. */
export function psnr(rgb: Uint8Array, rgba: Uint8Array): number {
  const pixels = rgba.length / 4;
  if (rgb.length !== pixels * 3) throw new Error(`size mismatch: ${rgb.length / 3} vs ${pixels} pixels`);
  let squared = 0;
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < 3; c++) {
      const d = rgb[i * 3 + c] - rgba[i * 4 + c];
      squared += d * d;
    }
  }
  const mse = squared / (pixels * 3);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/**
 * PSNR in dB of the luma (BT.601 Y') of an RGB24 picture against an RGBA one: what H.264 keeps at full
 * resolution. RGB PSNR also counts the 4:2:0 chroma subsampling, which alone costs coloured small text
 * (green on black in a terminal) ~27 dB whatever the encoder does.
 */
export function lumaPsnr(rgb: Uint8Array, rgba: Uint8Array): number {
  const pixels = rgba.length / 4;
  if (rgb.length !== pixels * 3) throw new Error(`size mismatch: ${rgb.length / 3} vs ${pixels} pixels`);
  let squared = 0;
  for (let i = 0; i < pixels; i++) {
    const a = 0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2];
    const b = 0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2];
    squared += (a - b) * (a - b);
  }
  const mse = squared / pixels;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** Top-level box types in file order. */
export function topLevelBoxes(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const types: string[] = [];
  for (let at = 0; at + 8 <= bytes.length; ) {
    let size = view.getUint32(at);
    types.push(String.fromCharCode(...bytes.subarray(at + 4, at + 8)));
    if (size === 1) size = Number(view.getBigUint64(at + 8));
    if (size < 8) break;
    at += size;
  }
  return types;
}

// Player page: loads the recording's details, plays the MP4 (or the live stream) of a desktop session or the
// terminal of an SSH session, and wires the controls, events list, shortcuts, downloads and "copy link at this time".
import { ApiError, getRecording, recordingUrls, type Marker, type RecordingDetail } from "./lib/api.ts";
import { byId, h, setIcon } from "./lib/dom.ts";
import { formatBytes, formatClock, formatDateTime, formatDuration } from "./lib/format.ts";
import { idleStretches } from "./lib/mp4.ts";
import { readMe, setUpHeader } from "./lib/session.ts";
import { ClipPoints } from "./player/clipPoints.ts";
import { PlayerCore } from "./player/core.ts";
import { EventsPanel } from "./player/eventsPanel.ts";
import { EvidenceCheck } from "./player/evidenceCheck.ts";
import { LegalHoldPanel } from "./player/legalHold.ts";
import { SeekPreviews } from "./player/previews.ts";
import type { PlayerMedia } from "./player/media.ts";
import { loadSampleTable } from "./player/sampleInfo.ts";
import { bindShortcuts } from "./player/shortcuts.ts";
import { Timeline } from "./player/timeline.ts";
import { mountTerminal } from "./terminal/mount.ts";
import { IDLE_LIMIT_S } from "./terminal/timing.ts";
import { errorMessage } from "../../src/errorMessage.ts";

const SPEEDS = [0.25, 0.5, 1, 1.5, 2, 4, 8, 16];
const LIVE_DETAIL_REFRESH_MS = 5000;
const params = new URLSearchParams(location.search);
const id = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] ?? "");
const urls = recordingUrls(id);

const playerEl = byId("player");
const stage = byId("stage");
const video = byId<HTMLVideoElement>("video");
const stageMessage = byId("stage-message");
const spinner = byId("spinner");
const playButton = byId<HTMLButtonElement>("play");
const timeCurrent = byId("time-current");
const timeTotal = byId("time-total");
const goLiveButton = byId<HTMLButtonElement>("go-live");
const speedSelect = byId<HTMLSelectElement>("speed");
const skipIdleBox = byId<HTMLInputElement>("skip-idle");
const zoomButton = byId<HTMLButtonElement>("zoom");
const help = byId<HTMLDialogElement>("help");
const toast = byId("toast");

const me = readMe();
setUpHeader(me);
const listUrl = sessionStorage.getItem("deskreel.listUrl");
if (listUrl?.startsWith("/")) byId<HTMLAnchorElement>("back-link").href = listUrl;

function showToast(text: string): void {
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(Number(toast.dataset.timer));
  toast.dataset.timer = String(setTimeout(() => (toast.hidden = true), 2500));
}

let clipPoints: ClipPoints | null = null;
const evidence = new EvidenceCheck(id, { warning: byId("evidence-warning"), mark: byId("evidence-mark") });
const holdPanel = new LegalHoldPanel(byId("legal-hold"), { me, onChange: (item) => holdPanel.render(item), toast: showToast });

function showPageError(text: string): void {
  const box = byId("page-error");
  box.textContent = text;
  box.hidden = false;
  byId("player-layout").hidden = true;
  for (const el of document.querySelectorAll<HTMLElement>(".head-actions")) el.hidden = true;
}

function setStageMessage(text: string | null): void {
  stageMessage.textContent = text ?? "";
  stageMessage.hidden = text === null;
}

function parseStart(): number | null {
  const raw = params.get("t");
  if (raw === null) return null;
  const t = Number(raw.replace(/s$/, ""));
  return Number.isFinite(t) && t >= 0 ? t : null;
}

function renderHead(rec: RecordingDetail): void {
  const desktop = rec.desktop_name || rec.desktop_addr || "recording";
  byId("title-text").textContent = desktop;
  setIcon(byId("title-kind"), rec.kind === "ssh" ? "terminal" : "desktop");
  document.title = `${desktop} · ${rec.user} · deskreel`;
  const subtitle = byId("subtitle");
  subtitle.replaceChildren(
    `${rec.user}${rec.login ? ` as ${rec.login}` : ""} · ${formatDateTime(rec.start)}`,
    rec.status === "live" ? h("span", { class: "live-badge" }, "LIVE") : ` · ${formatDuration(rec.duration_ms)}`,
  );
  const details: Array<[string, string]> = [
    ["Session", rec.id],
    ["User", rec.user],
    ["Login", rec.login || "–"],
    ["Desktop", rec.desktop_name || "–"],
    ["Address", rec.desktop_addr || "–"],
    ["Cluster", rec.cluster || "–"],
    ["Started", formatDateTime(rec.start)],
    ["Ended", rec.end ? formatDateTime(rec.end) : rec.status === "live" ? "still running" : "–"],
    ["Status", rec.status],
    ["Screen", rec.width && rec.height ? `${rec.width} × ${rec.height}` : "–"],
    ["Video", rec.video ? `${rec.video.state}${rec.video.bytes ? `, ${formatBytes(rec.video.bytes)}` : ""}` : "–"],
  ];
  byId("details").replaceChildren(...details.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  const mp4 = byId<HTMLAnchorElement>("download-mp4");
  const videoReady = rec.status !== "live" && rec.video?.state === "ready";
  mp4.href = urls.download;
  mp4.classList.toggle("disabled", !videoReady);
  mp4.setAttribute("aria-disabled", String(!videoReady));
  mp4.title = videoReady ? "Download the video as MP4" : "The MP4 is ready when the session has ended";
  mp4.hidden = rec.kind === "ssh"; // a terminal session has no video
  byId("clip-points").hidden = rec.kind === "ssh";
  clipPoints ??= new ClipPoints(rec.id, video, {
    setIn: byId<HTMLButtonElement>("clip-in"), setOut: byId<HTMLButtonElement>("clip-out"),
    link: byId<HTMLAnchorElement>("download-clip"), label: byId("clip-span"),
  });
  byId<HTMLAnchorElement>("download-raw").href = urls.raw;
  holdPanel.render(rec);
}

/** Plays a desktop session's video: the finished MP4, the live stream, or the MP4 once it is made. */
async function startVideo(rec: RecordingDetail, start: number | null, timeline: Timeline, setMarkers: (markers: Marker[]) => void): Promise<PlayerCore> {
  const core = new PlayerCore(stage, video, rec.duration_ms / 1000);
  const previews = new SeekPreviews(id, rec.status === "live");
  timeline.setPreviews((t) => previews.tileAt(t));
  void previews.load();
  const loadFrames = async () => {
    try {
      const table = await loadSampleTable(urls.video);
      if (!table) return;
      core.frameTimes = table.times;
      core.idle = idleStretches(table);
      timeline.setIdle(core.idle);
    } catch {
      // frame stepping falls back to 0.1 s; no idle stretches shown
    }
  };

  if (rec.status === "live") {
    core.openLive({ wsPath: urls.live, fileUrl: urls.video, startAt: start, sessionStartMs: Date.parse(rec.start) });
    let finishing = false;
    // The end comes over the live socket, or (while scrubbed back, with no socket) from the details.
    const finish = async () => {
      if (finishing) return;
      finishing = true;
      clearInterval(refreshDetail);
      previews.ended = true;
      showToast("The session has ended");
      for (let attempt = 0; attempt < 240; attempt++) {
        const fresh = await getRecording(id).catch(() => null);
        if (fresh && fresh.status !== "live") {
          core.markSessionEnded(fresh.duration_ms / 1000);
          if (fresh.video?.state === "ready") {
            renderHead(fresh);
            setMarkers(fresh.markers ?? []);
            await core.switchToFinal(urls.video, fresh.duration_ms / 1000);
            void loadFrames();
            void evidence.run();
            return;
          }
          if (fresh.video?.state === "failed") {
            renderHead(fresh);
            return;
          }
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    const refreshDetail = setInterval(async () => {
      const fresh = await getRecording(id).catch(() => null);
      if (!fresh) return;
      setMarkers(fresh.markers ?? []);
      if (fresh.status !== "live") void finish();
    }, LIVE_DETAIL_REFRESH_MS);
    core.addEventListener("liveend", () => void finish());
  } else if (rec.video?.state === "ready") {
    core.openVod(urls.video, start, start === null || params.get("play") === "1");
    void loadFrames();
  } else if (rec.video?.state === "encoding") {
    setStageMessage("The video is being made; it starts as soon as it is ready…");
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      const fresh = await getRecording(id).catch(() => null);
      if (fresh?.video?.state === "ready") {
        renderHead(fresh);
        setStageMessage(null);
        core.openVod(urls.video, start, start === null);
        void loadFrames();
        void evidence.run();
        break;
      }
      if (fresh?.video?.state === "failed") break;
    }
  }
  if (rec.video?.state === "failed") setStageMessage("The video of this recording could not be made. The raw recording can still be downloaded.");

  return core;
}

async function main(): Promise<void> {
  let rec: RecordingDetail;
  try {
    rec = await getRecording(id);
  } catch (err) {
    const status = err instanceof ApiError ? err.status : 0;
    showPageError(status === 403 || status === 404
      ? "This recording does not exist, or you may not view it."
      : `Could not load the recording: ${errorMessage(err)}`);
    return;
  }
  renderHead(rec);
  void evidence.run();

  const events = new EventsPanel((t) => core.seek(t), (visible) => timeline.setMarkers(visible));
  const timeline = new Timeline((t) => core.seek(t));
  const setMarkers = (markers: Marker[]) => {
    events.setMarkers(markers);
    timeline.setMarkers(events.visibleMarkers());
  };
  setMarkers(rec.markers ?? []);
  const start = parseStart();

  let core: PlayerMedia;
  let onZoom: (actual: boolean) => void = () => undefined;
  if (rec.kind === "ssh") {
    const mounted = await mountTerminal(stage, video, id).catch((err: unknown) => {
      setStageMessage(`The terminal of this recording could not be loaded: ${errorMessage(err)}`);
      return null;
    });
    if (!mounted) return;
    core = mounted.player;
    onZoom = (actual) => mounted.fit.setActualSize(actual);
    timeline.setIdle(core.idle);
    skipIdleBox.parentElement?.setAttribute("title", `Cut pauses in the output to ${IDLE_LIMIT_S} s`);
    if (mounted.truncated) showToast("This recording is long: only its first part can be played here");
    else if (rec.status === "live") showToast("The session is still running: this shows it up to now");
    core.seek(start ?? 0);
    if (start === null || params.get("play") === "1") core.play();
  } else {
    core = await startVideo(rec, start, timeline, setMarkers);
  }

  // Speed: ?speed= wins over the last one used.
  const storedSpeed = Number(params.get("speed") ?? localStorage.getItem("deskreel.speed") ?? "1");
  const setSpeed = (rate: number) => {
    const nearest = SPEEDS.reduce((a, b) => (Math.abs(b - rate) < Math.abs(a - rate) ? b : a));
    core.setRate(nearest);
    speedSelect.value = String(nearest);
    localStorage.setItem("deskreel.speed", String(nearest));
  };
  setSpeed(Number.isFinite(storedSpeed) ? storedSpeed : 1);
  speedSelect.addEventListener("change", () => setSpeed(Number(speedSelect.value)));

  skipIdleBox.checked = localStorage.getItem("deskreel.skipIdle") === "1";
  core.skipIdle = skipIdleBox.checked;
  skipIdleBox.addEventListener("change", () => {
    core.skipIdle = skipIdleBox.checked;
    localStorage.setItem("deskreel.skipIdle", skipIdleBox.checked ? "1" : "0");
  });

  const render = () => {
    const t = core.time;
    const duration = core.duration;
    timeCurrent.textContent = formatClock(t);
    timeTotal.textContent = formatClock(duration);
    byId("copy-link-time").textContent = formatClock(t);
    timeline.render(t, duration, core.buffered);
    events.setTime(t);
    setIcon(playButton.querySelector("svg")!, core.paused ? "play" : "pause");
    playButton.setAttribute("aria-label", core.paused ? "Play (space)" : "Pause (space)");
    const live = core.isLiveSession && !core.sessionEnded;
    goLiveButton.hidden = !live;
    goLiveButton.classList.toggle("at-edge", live && core.atLiveEdge && !core.paused);
    goLiveButton.setAttribute("aria-label", core.atLiveEdge ? "Live" : "Go to live");
    spinner.hidden = !core.waiting;
    if (speedSelect.value !== String(core.rate)) speedSelect.value = String(core.rate);
    if (core.error) setStageMessage(core.error);
    playerEl.dataset.mode = core.mode;
    playerEl.dataset.state = core.paused ? "paused" : "playing";
    playerEl.dataset.time = t.toFixed(3);
    playerEl.dataset.live = String(live && core.atLiveEdge);
    playerEl.dataset.frames = String(core.frameTimes?.length ?? 0);
    playerEl.dataset.idle = String(core.idle.length);
  };
  core.addEventListener("update", render);

  playButton.addEventListener("click", () => core.toggle());
  goLiveButton.addEventListener("click", () => core.goLive());
  stage.addEventListener("click", (event) => {
    if (event.target instanceof HTMLVideoElement || (event.target instanceof Element && event.target.closest(".terminal-view"))) core.toggle();
  });
  stage.addEventListener("dblclick", () => toggleFullscreen());

  const toggleFullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void playerEl.requestFullscreen().catch(() => showToast("Fullscreen is not available"));
  };
  byId("fullscreen").addEventListener("click", toggleFullscreen);

  const toggleZoom = () => {
    const actual = stage.classList.toggle("actual");
    stage.classList.toggle("fit", !actual);
    zoomButton.setAttribute("aria-pressed", String(actual));
    byId("zoom-label").textContent = actual ? "1:1" : "Fit";
    zoomButton.setAttribute("aria-label", actual ? "Fit to window (z)" : "Show at actual size (z)");
    onZoom(actual);
  };
  zoomButton.addEventListener("click", toggleZoom);

  const copyLink = async () => {
    const link = new URL(urls.player, location.href);
    link.searchParams.set("t", core.time.toFixed(1));
    try {
      await navigator.clipboard.writeText(link.href);
      showToast(`Link to ${formatClock(core.time)} copied`);
    } catch {
      window.prompt("Copy this link:", link.href);
    }
  };
  byId("copy-link").addEventListener("click", () => void copyLink());
  byId("help-button").addEventListener("click", () => help.showModal());
  byId<HTMLAnchorElement>("download-mp4").addEventListener("click", (event) => {
    if (byId("download-mp4").classList.contains("disabled")) event.preventDefault();
  });

  const jumpMarker = (direction: 1 | -1) => {
    const t = core.time;
    const times = events.visibleMarkers().map((m) => m.t_ms / 1000);
    const target = direction > 0 ? times.find((m) => m > t + 0.05) : [...times].reverse().find((m) => m < t - 0.3);
    if (target !== undefined) core.seek(target);
  };

  bindShortcuts({
    togglePlay: () => core.toggle(),
    seekBy: (s) => core.seek(core.time + s),
    seekByFraction: (f) => core.seek(core.time + f * core.duration),
    seekToFraction: (f) => core.seek(f * core.duration),
    seekToStart: () => core.seek(0),
    seekToEnd: () => (core.isLiveSession && !core.sessionEnded ? core.goLive() : core.seek(core.duration)),
    stepFrame: (d) => core.stepFrame(d),
    marker: jumpMarker,
    speed: (d) => {
      const i = SPEEDS.indexOf(core.rate);
      setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, i + d))]);
      showToast(`Speed ${core.rate}×`);
    },
    toggleSkipIdle: () => {
      skipIdleBox.checked = !skipIdleBox.checked;
      skipIdleBox.dispatchEvent(new Event("change"));
      showToast(skipIdleBox.checked ? "Skipping idle stretches" : "Playing idle stretches");
    },
    toggleZoom,
    toggleFullscreen,
    copyLink: () => void copyLink(),
    help: () => help.showModal(),
  });
  render();
}

void main();

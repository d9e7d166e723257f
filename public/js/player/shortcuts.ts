// Keyboard shortcuts of the player (listed in the help dialog of player.html).
import { isTypingTarget } from "../lib/dom.ts";

export interface ShortcutActions {
  togglePlay(): void;
  seekBy(seconds: number): void;
  seekByFraction(fraction: number): void;
  seekToFraction(fraction: number): void;
  seekToStart(): void;
  seekToEnd(): void;
  stepFrame(direction: 1 | -1): void;
  marker(direction: 1 | -1): void;
  speed(direction: 1 | -1): void;
  toggleSkipIdle(): void;
  toggleZoom(): void;
  toggleFullscreen(): void;
  copyLink(): void;
  help(): void;
}

export function bindShortcuts(actions: ShortcutActions): void {
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTypingTarget(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    const handled = handle(event, actions);
    if (handled) event.preventDefault();
  });
}

function handle(event: KeyboardEvent, a: ShortcutActions): boolean {
  const onButton = event.target instanceof HTMLButtonElement || event.target instanceof HTMLAnchorElement;
  switch (event.key) {
    case " ":
      if (onButton) return false; // space activates the focused button
      a.togglePlay();
      return true;
    case "k":
      a.togglePlay();
      return true;
    case "ArrowLeft":
      if (event.shiftKey) a.seekByFraction(-0.1);
      else a.seekBy(-5);
      return true;
    case "ArrowRight":
      if (event.shiftKey) a.seekByFraction(0.1);
      else a.seekBy(5);
      return true;
    case "j":
      a.seekBy(-10);
      return true;
    case "l":
      a.seekBy(10);
      return true;
    case ",":
      a.stepFrame(-1);
      return true;
    case ".":
      a.stepFrame(1);
      return true;
    case "[":
      a.marker(-1);
      return true;
    case "]":
      a.marker(1);
      return true;
    case "Home":
      a.seekToStart();
      return true;
    case "End":
      a.seekToEnd();
      return true;
    case "<":
      a.speed(-1);
      return true;
    case ">":
      a.speed(1);
      return true;
    case "i":
      a.toggleSkipIdle();
      return true;
    case "z":
      a.toggleZoom();
      return true;
    case "f":
      a.toggleFullscreen();
      return true;
    case "c":
      a.copyLink();
      return true;
    case "?":
      a.help();
      return true;
    default:
      if (/^[0-9]$/.test(event.key)) {
        a.seekToFraction(Number(event.key) / 10);
        return true;
      }
      return false;
  }
}

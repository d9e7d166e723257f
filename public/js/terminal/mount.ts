// Puts an SSH recording's terminal on the player's stage in place of the <video>, loaded and ready to play.
import { h } from "../lib/dom.ts";
import { loadTerminal } from "./data.ts";
import { TerminalFit } from "./fit.ts";
import { TerminalPlayer } from "./terminalPlayer.ts";

export interface MountedTerminal {
  player: TerminalPlayer;
  fit: TerminalFit;
  truncated: boolean;
}

declare global {
  interface Window {
    /** The terminal on the page, for tests and the browser console. */
    deskreelTerminal?: TerminalPlayer;
  }
}

export async function mountTerminal(stage: HTMLElement, video: HTMLVideoElement, id: string): Promise<MountedTerminal> {
  const recording = await loadTerminal(id);
  video.remove();
  const view = h("div", { class: "terminal-view", id: "terminal" });
  stage.prepend(view);
  const player = new TerminalPlayer(view, recording);
  const fit = new TerminalFit(stage, view);
  window.deskreelTerminal = player;
  return { player, fit, truncated: recording.truncated };
}

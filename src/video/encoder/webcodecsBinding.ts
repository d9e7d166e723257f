// Loads the native WebCodecs binding once. It is an optional dependency with a prebuilt binary per
// platform: where none installs (or it fails to load), deskreel uses the WASM encoder instead.
import { errorMessage } from "../../errorMessage.ts";
export type WebCodecsBinding = typeof import("@napi-rs/webcodecs");

export type BindingLoad = { ok: true; module: WebCodecsBinding } | { ok: false; reason: string };

let loading: Promise<BindingLoad> | null = null;

export function loadWebCodecs(): Promise<BindingLoad> {
  loading ??= import("@napi-rs/webcodecs").then(
    (module: WebCodecsBinding): BindingLoad =>
      typeof module.VideoEncoder === "function" && typeof module.VideoFrame === "function"
        ? { ok: true, module }
        : { ok: false, reason: "@napi-rs/webcodecs loaded without VideoEncoder/VideoFrame" },
    (e: unknown): BindingLoad => ({ ok: false, reason: firstLine(e) }),
  );
  return loading;
}

function firstLine(e: unknown): string {
  const text = errorMessage(e);
  return text.split("\n")[0].slice(0, 300);
}

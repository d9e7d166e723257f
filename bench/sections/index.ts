// Every benchmark section, in the order BENCHMARKS.md shows them. A new section: a module here, one line below.
import type { BenchSection } from "./common.ts";
import recording from "./recording.ts";
import encoder from "./encoder.ts";
import live from "./live.ts";
import memory from "./memory.ts";
import importSpeed from "./import.ts";
import browser from "./browser.ts";
import rdpDecode from "./rdp-decode.ts";
import rdpBitmaps from "./rdpBitmaps.ts";
import rdpVideo from "./rdpVideo.ts";
import hardening from "./hardening.ts";
import tdpb from "./tdpb.ts";
import logins from "./logins.ts";
import cluster from "./cluster.ts";
import clip from "./clip.ts";
import signing from "./signing.ts";
import previews from "./previews.ts";
import baseline from "./baseline.ts";

export const SECTIONS: BenchSection[] = [recording, encoder, live, memory, importSpeed, browser, rdpDecode, rdpBitmaps, rdpVideo, hardening, tdpb, logins, cluster, clip, signing, previews, baseline];

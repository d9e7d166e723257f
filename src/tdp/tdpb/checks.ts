// Rules on TDPB values that decoding and encoding both apply: the legacy codec's size caps, screen
// bounds and enum ranges, so a TDPB peer can send nothing a legacy one could not.
import { WIRE_LIMITS as L, overLimit } from "../limits.ts";
import type { KnownTdpbMessage, ScreenSpec } from "./messages.ts";

const utf8 = new TextEncoder();

/** Throws (through `fail`) when a value breaks a rule. `fail` gets the dotted field path and the reason. */
export type Fail = (reason: string) => never;

/** Legacy carries the RDP channel ids as u16. */
const MAX_CHANNEL_ID = 0xffff;
/** ServerHello.sessions and names: a short list of desktop sessions to choose from. */
const MAX_SESSIONS = 256;
const MAX_SESSION_NAME = 256;
const MAX_CHANNEL_NAME = 256;

export function checkPayload(m: KnownTdpbMessage, fail: Fail): void {
  switch (m.kind) {
    case "clientHello":
      text(fail, "username", m.username, L.maxUsername);
      if (m.screenSpec) screen(fail, "screen_spec", m.screenSpec.width, m.screenSpec.height);
      return;
    case "serverHello": {
      const a = m.activationSpec;
      if (a) {
        screen(fail, "activation_spec.screen", a.screenWidth, a.screenHeight);
        if (a.ioChannelId > MAX_CHANNEL_ID || a.userChannelId > MAX_CHANNEL_ID) fail("activation_spec channel ids must fit in 16 bits");
      }
      if (m.sessions.length > MAX_SESSIONS) fail(`${m.sessions.length} sessions offered, at most ${MAX_SESSIONS}`);
      m.sessions.forEach((s, i) => text(fail, `sessions[${i}].name`, s.name, MAX_SESSION_NAME));
      return;
    }
    case "pngFrame": {
      const c = m.coordinates;
      if (!c) return fail("coordinates missing");
      // Inclusive edges: one pixel is right === left.
      if (c.right < c.left || c.bottom < c.top) fail(`coordinates inverted: left ${c.left} top ${c.top} right ${c.right} bottom ${c.bottom}`);
      if (c.right - c.left >= L.maxScreen || c.bottom - c.top >= L.maxScreen) fail(`tile larger than ${L.maxScreen}x${L.maxScreen}`);
      size(fail, "data", m.data, L.maxPng);
      if (m.data.length === 0) fail("data (PNG) is empty");
      return;
    }
    case "fastPathPdu":
      size(fail, "pdu", m.pdu, L.maxRdpPdu);
      if (m.pdu.length === 0) fail("pdu is empty");
      return;
    case "rdpResponsePdu":
      return size(fail, "response", m.response, L.maxRdpPdu);
    case "mouseButton":
      return oneOf(fail, "button", m.button, 1, 3);
    case "clientScreenSpec":
      return screen(fail, "screen", m.width, m.height);
    case "alert":
      text(fail, "message", m.message, L.maxAlert);
      return oneOf(fail, "severity", m.severity, 0, 3);
    case "mouseWheel":
      return oneOf(fail, "axis", m.axis, 1, 2);
    case "clipboardData":
      return size(fail, "data", m.data, L.maxClipboard);
    case "mfa":
      oneOf(fail, "type", m.type, 0, 2);
      text(fail, "channel_id", m.channelId, MAX_CHANNEL_NAME);
      size(fail, "challenge", m.challenge, L.maxMfaJson);
      return size(fail, "authentication_response", m.authenticationResponse, L.maxMfaJson);
    case "sharedDirectoryAnnounce":
      return text(fail, "name", m.name, L.maxDirectoryName);
    case "sharedDirectoryRequest":
      return checkRequest(m, fail);
    case "sharedDirectoryResponse":
      return checkResponse(m, fail);
    case "ping":
      if (m.uuid.length !== 16) fail(`uuid is ${m.uuid.length} bytes, must be 16`);
      return;
    case "sessionSelection":
      if (m.session) text(fail, "session.name", m.session.name, MAX_SESSION_NAME);
      return;
    case "syncKeys":
    case "mouseMove":
    case "keyboardButton":
    case "sharedDirectoryAcknowledge":
    case "sharedDirectoryRemove":
    case "latencyStats":
      return;
  }
}

function checkRequest(m: Extract<KnownTdpbMessage, { kind: "sharedDirectoryRequest" }>, fail: Fail): void {
  switch (m.operation) {
    case "info": return path(fail, "info.path", m.info.path);
    case "create": return path(fail, "create.path", m.create.path);
    case "delete": return path(fail, "delete.path", m.delete.path);
    case "list": return path(fail, "list.path", m.list.path);
    case "read": return path(fail, "read.path", m.read.path);
    case "write":
      path(fail, "write.path", m.write.path);
      return size(fail, "write.data", m.write.data, L.maxFileData);
    case "move":
      path(fail, "move.original_path", m.move.originalPath);
      return path(fail, "move.new_path", m.move.newPath);
    case "truncate": return path(fail, "truncate.path", m.truncate.path);
    default: return fail("no operation");
  }
}

function checkResponse(m: Extract<KnownTdpbMessage, { kind: "sharedDirectoryResponse" }>, fail: Fail): void {
  switch (m.operation) {
    case "info":
    case "create": {
      const fso = m.operation === "info" ? m.info.fso : m.create.fso;
      if (!fso) return fail(`${m.operation}.fso missing`);
      return path(fail, `${m.operation}.fso.path`, fso.path);
    }
    case "list":
      return m.list.fsoList.forEach((fso, i) => path(fail, `list.fso_list[${i}].path`, fso.path));
    case "read":
      return size(fail, "read.data", m.read.data, L.maxFileData);
    case "delete":
    case "write":
    case "move":
    case "truncate":
      return;
    default:
      return fail("no operation");
  }
}

export function screen(fail: Fail, field: string, width: number, height: number): void {
  const max = L.maxScreen;
  if (width === 0 || height === 0 || width > max || height > max) fail(`${field} ${width}x${height} is outside 1x1..${max}x${max}`);
}

function oneOf(fail: Fail, field: string, value: number, min: number, max: number): void {
  if (value < min || value > max) fail(`${field} ${value} is not one of ${min}..${max}`);
}

function size(fail: Fail, field: string, bytes: Uint8Array, max: number): void {
  if (bytes.length > max) fail(overLimit(field, bytes.length, max));
}

function text(fail: Fail, field: string, value: string, max: number): void {
  // Fast path: a string of n UTF-16 units is at most 3n UTF-8 bytes.
  if (value.length * 3 <= max) return;
  const bytes = utf8.encode(value).length;
  if (bytes > max) fail(overLimit(field, bytes, max));
}

function path(fail: Fail, field: string, value: string): void {
  text(fail, field, value, L.maxPath);
}

export type { ScreenSpec };

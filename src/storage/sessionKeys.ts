// Where a session's bytes live in the blob store. One place, so routes, recorders and recovery agree.

export interface SessionBlobKeys {
  /** The Teleport protostream recording (appended while live). */
  recording: string;
  /** The growing fragmented MP4 (what video.mp4 serves while live, and what a crash leaves). */
  liveVideo: string;
  /** The standard MP4 written when the session ends. */
  video: string;
  thumbnail: string;
  /** The hash chain over the recording's parts, one signed line per part (appended while live). */
  chain: string;
  /** The signed manifest written when the recording and its video are finished (docs/evidence.md). */
  manifest: string;
  /** Prefix of the seek-bar preview sheets (<n>.jpg) and their index.json. */
  previews: string;
}

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Session ids become key segments and URL parts: letters, digits, - and _ only (UUIDs fit). */
export function isValidSessionId(id: string): boolean {
  return SESSION_ID.test(id);
}

/**
 * Every stored object of a session lives under one of these prefixes (what deleting a recording removes):
 * the protostream, everything under video/<id>/ (MP4s, thumbnail, seek-bar previews) and evidence/<id>/ (chain, manifest). A new kind of
 * per-session object goes under one of them or adds its prefix here. Ids hold no "." or "/", so
 * `recordings/<id>.` never matches another session.
 */
export function sessionObjectPrefixes(sessionId: string): string[] {
  if (!isValidSessionId(sessionId)) throw new Error(`invalid session id ${JSON.stringify(sessionId)}`);
  return [`recordings/${sessionId}.`, `video/${sessionId}/`, `evidence/${sessionId}/`];
}

export function blobKeys(sessionId: string): SessionBlobKeys {
  if (!isValidSessionId(sessionId)) throw new Error(`invalid session id ${JSON.stringify(sessionId)}`);
  return {
    recording: `recordings/${sessionId}.tar`,
    liveVideo: `video/${sessionId}/live.mp4`,
    video: `video/${sessionId}/video.mp4`,
    thumbnail: `video/${sessionId}/thumbnail.png`,
    chain: `evidence/${sessionId}/chain.jsonl`,
    manifest: `evidence/${sessionId}/manifest.json`,
    previews: `video/${sessionId}/previews/`,
  };
}

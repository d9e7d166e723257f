// Which tiles get one of the few video slots. Playing tiles keep theirs (no flicker when the list changes);
// free slots go to the newest sessions first. Pure, so it is easy to reason about.

export interface SlotCandidate {
  id: string;
  playing: boolean;
  /** Cannot play (ended, or its video failed). */
  blocked: boolean;
}

/** The ids that should be playing, given candidates in display order (newest first) and the slot count. */
export function chooseVideoSlots(candidates: readonly SlotCandidate[], slots: number): Set<string> {
  const chosen = new Set<string>();
  for (const c of candidates) if (c.playing && !c.blocked && chosen.size < slots) chosen.add(c.id);
  for (const c of candidates) if (!c.blocked && chosen.size < slots) chosen.add(c.id);
  return chosen;
}

// Where the shared sample session lives: `shared/corpus` beside the repository (as laid out for
// development and CI), or DESKREEL_CORPUS when set. No other file names the location.
import { existsSync } from "node:fs";
import { join } from "node:path";

function locate(): string {
  const fromEnv = process.env.DESKREEL_CORPUS;
  if (fromEnv) return fromEnv;
  const beside = join(import.meta.dir, "../../../shared/corpus");
  if (existsSync(beside)) return beside;
  return "/work/shared/corpus";
}

export const CORPUS_DIR = locate();
export const SAMPLE_CAPTURE = join(CORPUS_DIR, "sample-720.tdpcap");
export const SAMPLE_TRUTH_DIR = join(CORPUS_DIR, "sample-720.truth");

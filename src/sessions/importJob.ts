// Imports as jobs: the node that receives an import checks, stores and lists it, then queues the making of its
// video; whichever node claims the job reads the recording back from the shared blob store and encodes it. A
// node that dies mid-encode leaves the job to be claimed again once its lease runs out.
import type { Job, JobQueue } from "../jobs/jobQueue.ts";
import type { JobHandler } from "../jobs/jobRunner.ts";
import { encodeStoredImport, type ImportDeps } from "./importer.ts";

export const IMPORT_VIDEO_JOB = "import.video";

export function queueImportVideo(queue: JobQueue, id: string, nowMs = Date.now()): Promise<Job> {
  return queue.enqueue(IMPORT_VIDEO_JOB, { id }, nowMs);
}

function recordingIdOf(job: Job): string {
  const id = job.payload.id;
  if (typeof id !== "string" || id === "") throw new Error(`job ${job.id} names no recording`);
  return id;
}

export function importVideoHandler(services: ImportDeps): JobHandler {
  return {
    kind: IMPORT_VIDEO_JOB,
    async run(job) {
      const id = recordingIdOf(job);
      await encodeStoredImport(services, id);
      services.log(`import ${id}: video made (job ${job.id}, attempt ${job.attempts})`);
    },
    async gaveUp(job, reason) {
      await services.catalog.updateRecording(recordingIdOf(job), { videoState: "failed", error: `video not made: ${reason}` });
    },
  };
}

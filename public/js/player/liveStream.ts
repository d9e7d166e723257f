// The live stream moved to lib/ so the live wall can use it too; the player keeps importing it from here.
export { LiveStream, type LiveStreamEvents } from "../lib/liveStream.ts";

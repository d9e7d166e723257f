// Real H.264 for tests: synthetic RGBA pictures encoded with h264-mp4-encoder (the encoder the project
// uses), then split back into codec config + AVCC samples with our own plain-MP4 reader.
import { createH264MP4Encoder } from "h264-mp4-encoder";
import { readMp4Samples } from "../../../src/video/mp4/reader.ts";
import type { VideoCodecConfig } from "../../../src/video/mp4/types.ts";

export interface TestClip {
  config: VideoCodecConfig;
  /** One per input picture, in order. */
  samples: { data: Uint8Array; isKey: boolean }[];
  /** The RGBA pictures that were encoded. */
  pictures: Uint8Array[];
}

/** A picture that differs clearly from its neighbours: a gradient, a coloured bar and a moving block. */
export function testPicture(width: number, height: number, index: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  const blockX = (index * 37) % Math.max(1, width - 32);
  const hue = (index * 53) % 256;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      const inBlock = x >= blockX && x < blockX + 32 && y >= height / 4 && y < height / 4 + 32;
      const inBar = y < 24;
      rgba[p] = inBlock ? 250 : inBar ? hue : (x * 255) / width;
      rgba[p + 1] = inBlock ? 40 : inBar ? 255 - hue : (y * 255) / height;
      rgba[p + 2] = inBlock ? 40 : inBar ? 128 : 96;
      rgba[p + 3] = 255;
    }
  }
  return rgba;
}

export async function encodeTestClip(options: {
  width: number;
  height: number;
  pictures: number;
  groupOfPictures: number;
}): Promise<TestClip> {
  const { width, height, groupOfPictures } = options;
  const encoder = await createH264MP4Encoder();
  const pictures: Uint8Array[] = [];
  let mp4: Uint8Array;
  try {
    encoder.width = width;
    encoder.height = height;
    encoder.frameRate = 10;
    encoder.quantizationParameter = 20;
    encoder.speed = 10;
    encoder.groupOfPictures = groupOfPictures;
    encoder.initialize();
    for (let i = 0; i < options.pictures; i++) {
      const picture = testPicture(width, height, i);
      pictures.push(picture);
      encoder.addFrameRgba(picture);
    }
    encoder.finalize();
    mp4 = encoder.FS.readFile(encoder.outputFilename);
    encoder.FS.unlink(encoder.outputFilename);
  } finally {
    encoder.delete();
  }
  const parsed = readMp4Samples(mp4);
  return {
    config: { width: parsed.width, height: parsed.height, sps: parsed.sps, pps: parsed.pps },
    samples: parsed.samples.map((s) => ({ data: mp4.slice(s.offset, s.offset + s.size), isKey: s.isKey })),
    pictures,
  };
}

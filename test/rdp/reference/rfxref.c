// FreeRDP's own RemoteFX decoder (libfreerdp2's rfx_process_message, what xfreerdp runs) over a file of
// RemoteFX messages: `u16 LE left | u16 LE top | u32 LE length | message` each. Writes the final RGBX screen
// and prints "<messages> <best ms of all repeats>". Used to check our decoder bit for bit and as the
// benchmark's peer. Prototypes are declared here so only the runtime library (Debian libfreerdp2-2) is needed.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef int BOOL;
typedef void RFX_CONTEXT;
extern RFX_CONTEXT* rfx_context_new(BOOL encoder);
extern BOOL rfx_context_set_pixel_format(RFX_CONTEXT* ctx, uint32_t format);
extern BOOL rfx_process_message(RFX_CONTEXT* ctx, const uint8_t* data, uint32_t length, uint32_t left, uint32_t top,
                                uint8_t* dst, uint32_t format, uint32_t stride, uint32_t height, void* region);
extern void region16_init(void* region);
extern void region16_uninit(void* region);

#define PIXEL_FORMAT_RGBX32 0x20030888u

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: rfxref messages.bin width height repeats out.rgbx\n");
    return 2;
  }
  FILE* in = fopen(argv[1], "rb");
  if (!in) return 3;
  fseek(in, 0, SEEK_END);
  long size = ftell(in);
  fseek(in, 0, SEEK_SET);
  uint8_t* buf = malloc(size);
  if (fread(buf, 1, size, in) != (size_t)size) return 3;
  fclose(in);
  uint32_t width = atoi(argv[2]), height = atoi(argv[3]);
  int repeats = atoi(argv[4]);
  uint8_t* screen = calloc((size_t)width * height, 4);
  RFX_CONTEXT* ctx = rfx_context_new(0);
  rfx_context_set_pixel_format(ctx, PIXEL_FORMAT_RGBX32);
  uint8_t region[64]; /* REGION16: extents + data pointer */
  int messages = 0, failed = 0;
  double best = 1e300;
  for (int r = 0; r < repeats; r++) {
    double t0 = now_ms();
    messages = 0;
    for (long p = 0; p + 8 <= size; messages++) {
      uint32_t left = buf[p] | buf[p + 1] << 8, top = buf[p + 2] | buf[p + 3] << 8;
      uint32_t len = buf[p + 4] | buf[p + 5] << 8 | buf[p + 6] << 16 | (uint32_t)buf[p + 7] << 24;
      region16_init(region);
      if (!rfx_process_message(ctx, buf + p + 8, len, left, top, screen, PIXEL_FORMAT_RGBX32, width * 4, height, region)) failed++;
      region16_uninit(region);
      p += 8 + len;
    }
    double ms = now_ms() - t0;
    if (ms < best) best = ms;
  }
  printf("%d %.3f %d\n", messages, best, failed);
  FILE* out = fopen(argv[5], "wb");
  fwrite(screen, 4, (size_t)width * height, out);
  fclose(out);
  return 0;
}

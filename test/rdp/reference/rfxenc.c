// FreeRDP's RemoteFX encoder (libfreerdp2's rfx_compose_message) on a raw RGBX picture, with the entropy coder
// chosen, so that RLGR1 — which no real capture of ours uses — can be checked against FreeRDP's decoder too.
// Usage: rfxenc picture.rgbx width height rlgr1|rlgr3 out.rfx   (out: one RemoteFX message with all headers)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int BOOL;
typedef void RFX_CONTEXT;
typedef struct { uint16_t x, y, width, height; } RFX_RECT;
typedef struct { uint8_t* buffer; uint8_t* pointer; size_t length; size_t capacity; } wStreamHead; /* winpr 2 wStream's first fields */
extern RFX_CONTEXT* rfx_context_new(BOOL encoder);
extern BOOL rfx_context_reset(RFX_CONTEXT* ctx, uint32_t width, uint32_t height);
extern BOOL rfx_context_set_pixel_format(RFX_CONTEXT* ctx, uint32_t format);
extern BOOL rfx_compose_message(RFX_CONTEXT* ctx, void* s, const RFX_RECT* rects, int numRects, const uint8_t* data,
                                int width, int height, int stride);
extern void* Stream_New(uint8_t* buffer, size_t size);

#define PIXEL_FORMAT_RGBX32 0x20030888u

int main(int argc, char** argv) {
  if (argc != 6) return 2;
  int width = atoi(argv[2]), height = atoi(argv[3]);
  size_t size = (size_t)width * height * 4;
  uint8_t* picture = malloc(size);
  FILE* in = fopen(argv[1], "rb");
  if (!in || fread(picture, 1, size, in) != size) return 3;
  fclose(in);
  RFX_CONTEXT* ctx = rfx_context_new(1);
  if (!rfx_context_reset(ctx, width, height)) return 4;
  /* RFX_CONTEXT begins: state, encoder (4 bytes each), flags, properties, width, height (2 each), mode (RLGR_MODE: 0 = RLGR1, 1 = RLGR3). */
  uint8_t* fields = (uint8_t*)ctx;
  if (*(uint16_t*)(fields + 12) != width || *(uint16_t*)(fields + 14) != height) {
    fprintf(stderr, "unexpected RFX_CONTEXT layout\n");
    return 5;
  }
  *(uint32_t*)(fields + 16) = strcmp(argv[4], "rlgr1") == 0 ? 0 : 1;
  rfx_context_set_pixel_format(ctx, PIXEL_FORMAT_RGBX32);
  wStreamHead* s = Stream_New(NULL, 1 << 20);
  RFX_RECT rect = { 0, 0, (uint16_t)width, (uint16_t)height };
  if (!rfx_compose_message(ctx, s, &rect, 1, picture, width, height, width * 4)) return 6;
  FILE* out = fopen(argv[5], "wb");
  fwrite(s->buffer, 1, (size_t)(s->pointer - s->buffer), out);
  fclose(out);
  return 0;
}

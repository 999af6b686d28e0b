import jsQR from "jsqr";
import { describe, expect, it } from "vitest";
import { qrPath } from "../../src/ui/user-profile/qr";

/** Draws the path's unit rectangles (`M x y h w v1 h-w z`) into RGBA pixels, `scale` per module. */
function rasterize(size: number, d: string, scale: number): Uint8ClampedArray {
  const side = size * scale;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  for (const [, x, y, w] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < Number(w) * scale; dx++) {
        const at = ((Number(y) * scale + dy) * side + Number(x) * scale + dx) * 4;
        pixels[at] = pixels[at + 1] = pixels[at + 2] = 0;
      }
    }
  }
  return pixels;
}

describe("qrPath", () => {
  it("draws a QR code a reader decodes back to the otpauth URI", () => {
    const uri =
      "otpauth://totp/Latchkey:jane.1765146000000.ab12%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Latchkey&algorithm=SHA1&digits=6&period=30";
    const { size, d } = qrPath(uri);
    expect(d).toMatch(/^(M\d+ \d+h\d+v1h-\d+z)+$/);
    const decoded = jsQR(rasterize(size, d, 4), size * 4, size * 4);
    expect(decoded?.data).toBe(uri);
  });

  it("keeps a quiet zone of four modules around the code", () => {
    const { size, d } = qrPath("otpauth://totp/x?secret=AB");
    const starts = [...d.matchAll(/M(\d+) (\d+)h(\d+)/g)].map(([, x, y, w]) => ({
      x: Number(x),
      y: Number(y),
      end: Number(x) + Number(w),
    }));
    expect(Math.min(...starts.map((s) => s.x))).toBe(4);
    expect(Math.min(...starts.map((s) => s.y))).toBe(4);
    expect(Math.max(...starts.map((s) => s.end))).toBe(size - 4);
  });
});

// The QR code of a TOTP enrolment, drawn as one SVG path (never an image from elsewhere).
import qrcode from "qrcode-generator";

/** A QR code as an SVG: `size` modules square (the quiet zone included) and the dark modules' path. */
export interface QrPath {
  size: number;
  d: string;
}

/**
 * Encodes `text` (an `otpauth://` URI) as a QR code (byte mode, error correction M, the
 * smallest version that fits) and draws its dark modules as one path of unit squares, with a
 * quiet zone of `margin` modules around it.
 */
export function qrPath(text: string, margin = 4): QrPath {
  const code = qrcode(0, "M");
  code.addData(text, "Byte");
  code.make();
  const count = code.getModuleCount();
  let d = "";
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (!code.isDark(row, col)) continue;
      // A horizontal run of dark modules is one rectangle.
      let end = col;
      while (end + 1 < count && code.isDark(row, end + 1)) end++;
      d += `M${col + margin} ${row + margin}h${end - col + 1}v1h-${end - col + 1}z`;
      col = end;
    }
  }
  return { size: count + 2 * margin, d };
}

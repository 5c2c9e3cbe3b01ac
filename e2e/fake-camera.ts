import { writeFileSync } from "node:fs";
import QRCode from "qrcode";

/**
 * Writes a Y4M video showing `text` as a QR code, for Chromium's fake camera
 * (--use-file-for-fake-video-capture), so the check-in screen's scanner reads a real code.
 */
export function writeQrVideo(text: string, file: string): void {
  const width = 640;
  const height = 480;
  const scale = 8;
  const quiet = 4;
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const side = (modules.size + 2 * quiet) * scale;
  const left = Math.floor((width - side) / 2);
  const top = Math.floor((height - side) / 2);
  const luma = Buffer.alloc(width * height, 235); // white (video range)
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      for (let dy = 0; dy < scale; dy++) {
        const y = top + (row + quiet) * scale + dy;
        luma.fill(16, y * width + left + (col + quiet) * scale, y * width + left + (col + quiet + 1) * scale);
      }
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128); // no colour
  const frame = Buffer.concat([Buffer.from("FRAME\n"), luma, chroma, chroma]);
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), frame, frame, frame]));
}

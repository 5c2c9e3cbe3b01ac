import { readFileSync } from "node:fs";

// The framework's floor for `npm run bench` (bench/run.ts): route handlers that do nothing but
// answer with the bytes of the ticket PDF the ticket route sends, read once from the file
// bench/run.ts names in BENCH_PDF_FILE (on the first request: the build loads these modules too),
// with the ticket route's headers.

let pdf: Uint8Array<ArrayBuffer> | undefined;

export function pdfResponse(): Response {
  pdf ??= new Uint8Array(readFileSync(/*turbopackIgnore: true*/ process.env.BENCH_PDF_FILE ?? "missing BENCH_PDF_FILE"));
  return new Response(pdf, {
    status: 200,
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": 'attachment; filename="ticket-bench.pdf"',
      "Cache-Control": "private, no-store",
      "Content-Length": String(pdf.length),
    },
  });
}

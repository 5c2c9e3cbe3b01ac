import { readFileSync } from "node:fs";

// The framework's floor for `npm run bench` (bench/run.ts): a route handler that does nothing but
// answer with the bytes of the ticket PDF the ticket route sends, read once at start from the
// file bench/run.ts names in BENCH_PDF_FILE (on the first request: the build loads this module
// too), with the ticket route's headers.
export const dynamic = "force-dynamic";

let pdf: Uint8Array<ArrayBuffer> | undefined;

export function GET(): Response {
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

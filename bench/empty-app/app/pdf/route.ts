import { pdfResponse } from "../pdf-response";

// The empty handler at a fixed path, /pdf.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return pdfResponse();
}

import { pdfResponse } from "../../pdf-response";

// The empty handler at the ticket route's own path, /tickets/{orderIdentifier}: what Next.js
// costs to route a dynamic segment, without anything Admit does.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return pdfResponse();
}

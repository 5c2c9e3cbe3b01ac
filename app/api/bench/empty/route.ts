import { errorResponse } from "@/server/http/respond";

// The framework's own floor for `npm run bench`: a route handler that does nothing. It exists
// only in a server started with ADMIT_BENCH=1; everywhere else it is an ordinary 404.
export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  if (process.env.ADMIT_BENCH !== "1") return errorResponse(request, 404, "NOT_FOUND", "Not found");
  return new Response(null, { status: 204 });
}

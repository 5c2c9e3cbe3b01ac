import { redirect } from "next/navigation";

/** Confirmation links mailed before links had one page of their own (app/link) still work. */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const raw = (await searchParams).token;
  const token = typeof raw === "string" ? raw : Array.isArray(raw) ? raw[0] : undefined;
  redirect(token ? `/link?token=${encodeURIComponent(token)}` : "/link");
}

import type { Metadata } from "next";
import Link from "next/link";
import { ErrorPage } from "./_components/error-page";

export const metadata: Metadata = { title: "Page not found" };

/** Any address nothing answers: said plainly, with the way back. */
export default function NotFound() {
  return (
    <ErrorPage
      status={404}
      title="Page not found"
      actions={
        <>
          <Link className="btn" href="/">
            Go to upcoming events
          </Link>
          <Link className="btn-secondary" href="/tickets">
            My tickets
          </Link>
        </>
      }
    >
      <p>There is nothing at this address. If you followed a link, it may be mistyped or out of date.</p>
    </ErrorPage>
  );
}

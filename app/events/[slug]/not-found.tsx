import Link from "next/link";
import { ErrorPage } from "@/app/_components/error-page";

export default function EventNotFound() {
  return (
    <ErrorPage
      status={404}
      title="Event not found"
      actions={
        <Link className="btn" href="/">
          See upcoming events
        </Link>
      }
    >
      <p>There is no such event, or it isn&apos;t published yet.</p>
    </ErrorPage>
  );
}

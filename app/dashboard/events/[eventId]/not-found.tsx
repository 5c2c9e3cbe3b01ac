import Link from "next/link";
import { ErrorPage } from "@/app/_components/error-page";

export default function EventDashboardNotFound() {
  return (
    <ErrorPage
      status={404}
      title="Event not found"
      actions={
        <Link className="btn" href="/dashboard">
          My events
        </Link>
      }
    >
      <p>There is no event at this address.</p>
    </ErrorPage>
  );
}

import Link from "next/link";
import { ErrorPage } from "@/app/_components/error-page";

/** Shown with status 403 to someone signed in who isn't on this event's team. */
export default function EventDashboardForbidden() {
  return (
    <ErrorPage
      status={403}
      title="You aren't on this event's team"
      actions={
        <Link className="btn" href="/dashboard">
          My events
        </Link>
      }
    >
      <p>Only the people running this event can open this page. Ask the event&apos;s owner to add you to its team.</p>
    </ErrorPage>
  );
}

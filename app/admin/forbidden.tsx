import Link from "next/link";
import { ErrorPage } from "@/app/_components/error-page";

/** Shown with status 403 to anyone signed in who isn't staff. */
export default function AdminForbidden() {
  return (
    <ErrorPage
      status={403}
      title="Staff only"
      actions={
        <Link className="btn" href="/">
          Events
        </Link>
      }
    >
      <p>This console is for Admit staff and admins.</p>
    </ErrorPage>
  );
}

import Link from "next/link";
import { ErrorPage } from "@/app/_components/error-page";

/** Shown with status 403 when the signed-in account may not see this order. */
export default function OrderForbidden() {
  return (
    <ErrorPage
      status={403}
      title="This order belongs to another account"
      actions={
        <>
          <Link className="btn" href="/tickets">
            My tickets
          </Link>
          <Link className="btn-secondary" href="/account">
            My account
          </Link>
        </>
      }
    >
      <p>
        If a ticket in this order was sent to you, sign in with that email address and confirm it; you will then see your own ticket
        here.
      </p>
    </ErrorPage>
  );
}

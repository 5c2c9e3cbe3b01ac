import Link from "next/link";
import { ErrorPage } from "@/app/_components/error-page";

export default function OrderNotFound() {
  return (
    <ErrorPage
      status={404}
      title="Order not found"
      actions={
        <Link className="btn" href="/tickets">
          My tickets
        </Link>
      }
    >
      <p>There is no order at this address. Check the link in your email.</p>
    </ErrorPage>
  );
}

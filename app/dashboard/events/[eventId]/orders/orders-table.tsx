"use client";

import { ActionsCell, Cell, DataTable } from "@/app/_components/data-table";
import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { DoneMessage } from "@/app/_components/done-message";
import { PagedList } from "@/app/_components/paged-list";
import { trpc, type RouterOutputs } from "@/app/_components/trpc";
import { SearchCard, usePageFor, useSettledSearch } from "@/app/_components/paged-search";
import { useRefreshFigures } from "../live-figures";
import { formatMoney, formatMomentInZone } from "@/lib/format";

type Order = RouterOutputs["attendees"]["orders"]["rows"][number];
type Pending = { action: "cancel" | "regenerate"; order: Order };

export function OrdersTable(props: { eventId: string; timeZone: string; canManage: boolean }) {
  const utils = trpc.useUtils();
  const refreshFigures = useRefreshFigures();
  const { search, setSearch, settled: settledSearch } = useSettledSearch();
  // The page belongs to one search: a new search starts again at page 1.
  const [page, setPage] = usePageFor(settledSearch ?? "");
  const list = trpc.attendees.orders.useQuery({ eventId: props.eventId, search: settledSearch, page }, { placeholderData: keepPreviousData });

  const [pending, setPending] = useState<Pending | null>(null);
  const [done, setDone] = useState("");
  const afterChange = (message: string) => {
    setPending(null);
    setDone(message);
    refreshFigures();
    void utils.attendees.orders.invalidate();
    void utils.attendees.list.invalidate();
    void utils.attendees.auditLog.invalidate();
  };
  const cancelOrder = trpc.attendees.cancelOrder.useMutation({
    onSuccess: (result) => afterChange(`Order cancelled: ${result.cancelled} ticket${result.cancelled === 1 ? "" : "s"} no longer valid.`),
  });
  const regenerate = trpc.attendees.regenerateOrderSecrets.useMutation({
    onSuccess: (result) =>
      afterChange(`New QR codes issued for ${result.regenerated} ticket${result.regenerated === 1 ? "" : "s"}; the old ones no longer get in.`),
  });
  const markPaid = trpc.attendees.markPaid.useMutation({
    onSuccess: (result) => afterChange(result.paid ? "Order marked as paid." : "Order marked as unpaid."),
  });
  const resend = trpc.attendees.resendOrderEmails.useMutation({
    onSuccess: () => afterChange("The order's emails are sent again, to the buyer and each attendee."),
  });
  const confirming = pending?.action === "cancel" ? cancelOrder : regenerate;
  function ask(action: Pending["action"], order: Order) {
    cancelOrder.reset();
    regenerate.reset();
    setDone("");
    setPending({ action, order });
  }

  return (
    <section className="space-y-4" aria-labelledby="orders-heading">
      <h2 id="orders-heading" className="text-lg font-semibold">
        Orders
      </h2>
      <SearchCard label="Search orders" id="order-search" placeholder="Buyer name, email or order" value={search} onChange={setSearch} />

      <DoneMessage message={done} />
      {(markPaid.error ?? resend.error) && (
        <p className="field-error" role="alert">
          {(markPaid.error ?? resend.error)!.message}
        </p>
      )}

      <PagedList
        query={list}
        noun="order"
        onPage={setPage}
        empty={<p>{settledSearch ? "No orders match this search." : "No orders yet."}</p>}
      >
        {(data) => (
          <DataTable
            caption="Orders"
            columns={["Buyer", "Placed", "Tickets", "Total", "Status", { hidden: "Links and actions" }]}
            busy={list.isFetching}
          >
            {data.rows.map((order) => (
              <tr key={order.id} data-testid="order-row">
                <Cell>
                  <p className="font-medium">{order.buyerName}</p>
                  <p className="text-slate-600">{order.buyerEmail}</p>
                  <p className="break-all font-mono text-xs text-slate-600">{order.id}</p>
                </Cell>
                <Cell label="Placed" className="whitespace-nowrap">
                  {formatMomentInZone(order.createdAt, props.timeZone)}
                </Cell>
                <Cell label="Tickets" className="tabular-nums">
                  {order.attendeeCount}
                </Cell>
                <Cell label="Total" className="whitespace-nowrap">
                  {formatMoney(order.totalCents, order.currency)}
                  {order.totalCents > 0 && <span className={order.paid ? " text-green-700" : " text-amber-700"}> · {order.paid ? "paid" : "unpaid"}</span>}
                </Cell>
                <Cell label="Status">{order.status === "cancelled" ? <span className="font-medium text-red-700">Cancelled</span> : <span>Complete</span>}</Cell>
                <ActionsCell>
                  <a className="btn-secondary px-3 py-1" href={`/orders/${encodeURIComponent(order.id)}`} aria-label={`Order page of ${order.buyerName}'s order`}>
                    Order
                  </a>
                  {order.status === "completed" && (
                    <a className="btn-secondary px-3 py-1" href={`/tickets/${encodeURIComponent(order.id)}`} aria-label={`Tickets PDF of ${order.buyerName}'s order`}>
                      PDF
                    </a>
                  )}
                  {props.canManage && order.totalCents > 0 && (
                    <button
                      type="button"
                      className="btn-secondary px-3 py-1"
                      disabled={markPaid.isPending}
                      onClick={() => {
                        setDone("");
                        resend.reset();
                        markPaid.mutate({ eventId: props.eventId, orderId: order.id, paid: !order.paid });
                      }}
                    >
                      {order.paid ? "Mark unpaid" : "Mark paid"}
                      <span className="sr-only"> of {order.buyerName}&apos;s order</span>
                    </button>
                  )}
                  {props.canManage && order.status === "completed" && (
                    <>
                      <button
                        type="button"
                        className="btn-secondary px-3 py-1"
                        disabled={resend.isPending}
                        onClick={() => {
                          setDone("");
                          markPaid.reset();
                          resend.mutate({ eventId: props.eventId, orderId: order.id });
                        }}
                      >
                        Resend emails<span className="sr-only"> of {order.buyerName}&apos;s order</span>
                      </button>
                      <button type="button" className="btn-secondary px-3 py-1" onClick={() => ask("regenerate", order)}>
                        New QR codes<span className="sr-only"> for {order.buyerName}&apos;s order</span>
                      </button>
                      <button type="button" className="btn-danger" onClick={() => ask("cancel", order)}>
                        Cancel order<span className="sr-only"> of {order.buyerName}</span>
                      </button>
                    </>
                  )}
                </ActionsCell>
              </tr>
            ))}
          </DataTable>
        )}
      </PagedList>

      <ConfirmDialog
        open={pending !== null}
        title={
          pending?.action === "cancel" ? `Cancel ${pending.order.buyerName}'s order?` : `New QR codes for ${pending?.order.buyerName ?? ""}'s order?`
        }
        confirmLabel={pending?.action === "cancel" ? "Cancel order" : "Issue new QR codes"}
        pending={confirming.isPending}
        error={confirming.error?.message}
        onClose={() => setPending(null)}
        onConfirm={() => pending && confirming.mutate({ eventId: props.eventId, orderId: pending.order.id })}
      >
        {pending?.action === "cancel" ? (
          <p>
            All {pending.order.attendeeCount} ticket{pending.order.attendeeCount === 1 ? "" : "s"} of this order stop working at the door and their
            seats go back on sale. The buyer and the attendees are emailed. This can&apos;t be undone.
          </p>
        ) : (
          <p>Every QR code and door code of this order stops working at once. The buyer and the attendees are emailed to download their tickets again.</p>
        )}
      </ConfirmDialog>
    </section>
  );
}

"use client";

import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import { ActionsCell, Cell, DataTable } from "@/app/_components/data-table";
import { DoneMessage } from "@/app/_components/done-message";
import { PagedList } from "@/app/_components/paged-list";
import { trpc } from "@/app/_components/trpc";

const when = (ms: number | null) => (ms === null ? "—" : new Date(ms).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }));

/**
 * Mail the queue gave up on (server/mail-worker.ts): who it was for, what it was about and the
 * mail server's last answer. Retrying puts it back in the queue with a fresh set of attempts.
 */
export function MailAdmin() {
  const utils = trpc.useUtils();
  const [page, setPage] = useState(1);
  const [done, setDone] = useState("");
  const list = trpc.admin.mails.useQuery({ status: "failed", page }, { placeholderData: keepPreviousData });
  const retry = trpc.admin.retryMail.useMutation({
    onSuccess: () => {
      setDone("The mail is back in the queue.");
      void utils.admin.mails.invalidate();
    },
  });
  const counts = list.data?.counts;

  return (
    <section className="space-y-4" aria-labelledby="mail-heading">
      <h2 id="mail-heading" className="text-lg font-semibold">
        Mail
      </h2>
      {counts && (
        <p className="text-sm text-slate-600" data-testid="mail-counts">
          {counts.pending.toLocaleString("en")} waiting to be sent · {counts.failed.toLocaleString("en")} failed
        </p>
      )}
      <DoneMessage message={done} />
      {retry.error && (
        <p className="field-error" role="alert">
          {retry.error.message}
        </p>
      )}
      <PagedList query={list} noun="failed mail" onPage={setPage} empty={<p>No failed mail.</p>}>
        {(data) => (
          <DataTable caption="Failed mail" columns={["Mail", "Attempts", "Last error", { hidden: "Actions" }]} busy={list.isFetching}>
            {data.rows.map((mail) => (
              <tr key={mail.id} data-testid="failed-mail-row">
                <Cell>
                  <p className="font-medium">{mail.subject}</p>
                  <p className="break-all text-slate-600">to {mail.recipient}</p>
                  <p className="text-xs text-slate-600">queued {when(mail.createdAt)}</p>
                </Cell>
                <Cell label="Attempts">
                  {mail.attempts}, last {when(mail.lastAttemptAt)}
                </Cell>
                <Cell label="Last error" className="break-all">
                  {mail.lastError ?? "—"}
                </Cell>
                <ActionsCell>
                  <button
                    type="button"
                    className="btn-secondary px-3 py-1"
                    disabled={retry.isPending}
                    onClick={() => {
                      setDone("");
                      retry.mutate({ mailId: mail.id });
                    }}
                  >
                    Retry<span className="sr-only"> the mail to {mail.recipient}</span>
                  </button>
                </ActionsCell>
              </tr>
            ))}
          </DataTable>
        )}
      </PagedList>
    </section>
  );
}

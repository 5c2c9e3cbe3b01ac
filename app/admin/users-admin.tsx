"use client";

import { Cell, DataTable } from "@/app/_components/data-table";
import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import { DoneMessage } from "@/app/_components/done-message";
import { PagedList } from "@/app/_components/paged-list";
import { fieldErrors, trpc, type RouterOutputs } from "@/app/_components/trpc";
import { SearchCard, usePageFor, useSettledSearch } from "@/app/_components/paged-search";

type UserRow = RouterOutputs["admin"]["users"]["rows"][number];
type Role = UserRow["role"];

const ROLES: Array<{ value: Role; label: string }> = [
  { value: "user", label: "User" },
  { value: "staff", label: "Staff" },
  { value: "admin", label: "Admin" },
];

const when = (ms: number) => new Date(ms).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });

export function UsersAdmin(props: { canSetRoles: boolean; currentUserId: string }) {
  const utils = trpc.useUtils();
  const { search, setSearch, settled: settledSearch } = useSettledSearch();
  // The page belongs to one search: a new search starts again at page 1.
  const [page, setPage] = usePageFor(settledSearch ?? "");
  const users = trpc.admin.users.useQuery({ search: settledSearch, page }, { placeholderData: keepPreviousData });
  const [openSessions, setOpenSessions] = useState<string | null>(null);
  const [done, setDone] = useState("");

  const setRole = trpc.admin.setRole.useMutation({
    onSuccess: (result) => {
      setDone(`Role changed to ${result.role}.`);
      void utils.admin.users.invalidate();
    },
  });
  const roleError = setRole.error ? (fieldErrors(setRole.error).role ?? setRole.error.message) : null;

  return (
    <section className="space-y-4" aria-labelledby="users-heading">
      <h2 id="users-heading" className="text-lg font-semibold">
        Users
      </h2>
      <SearchCard label="Search users" id="user-search" placeholder="Name or email" value={search} onChange={setSearch} />

      <DoneMessage message={done} />
      {roleError && (
        <p className="field-error" role="alert">
          {roleError}
        </p>
      )}

      <PagedList
        query={users}
        noun="user"
        onPage={setPage}
        empty={<p>{settledSearch ? "No users match this search." : "No users yet."}</p>}
      >
        {(data) => (
          <DataTable caption="Users" columns={["User", "Joined", "Role", { hidden: "Sessions" }]} busy={users.isFetching}>
            {data.rows.map((user) => (
              <UserRows
                key={user.id}
                user={user}
                you={user.id === props.currentUserId}
                canSetRoles={props.canSetRoles}
                roleBusy={setRole.isPending}
                onRole={(role) => {
                  setDone("");
                  setRole.mutate({ userId: user.id, role });
                }}
                sessionsOpen={openSessions === user.id}
                onToggleSessions={() => setOpenSessions(openSessions === user.id ? null : user.id)}
              />
            ))}
          </DataTable>
        )}
      </PagedList>
    </section>
  );
}

function UserRows(props: {
  user: UserRow;
  you: boolean;
  canSetRoles: boolean;
  roleBusy: boolean;
  onRole: (role: Role) => void;
  sessionsOpen: boolean;
  onToggleSessions: () => void;
}) {
  const { user } = props;
  const sessionsId = `sessions-${user.id}`;
  return (
    <>
      <tr data-testid="user-row">
        <Cell>
          <p className="font-medium">
            {user.name}
            {props.you && <span className="ml-2 text-xs font-normal text-slate-600">(you)</span>}
          </p>
          <p className="break-all text-slate-600">
            {user.email}
            {user.emailVerifiedAt === null && <span className="ml-2 rounded bg-amber-50 px-1.5 text-xs text-amber-800">unverified</span>}
          </p>
        </Cell>
        <Cell label="Joined" className="whitespace-nowrap">
          {when(user.createdAt)}
        </Cell>
        <Cell label="Role">
          {props.canSetRoles ? (
            <select
              className="input w-auto py-1"
              aria-label={`Role of ${user.name}`}
              value={user.role}
              disabled={props.roleBusy}
              onChange={(e) => props.onRole(e.target.value as Role)}
            >
              {ROLES.map((role) => (
                <option key={role.value} value={role.value}>
                  {role.label}
                </option>
              ))}
            </select>
          ) : (
            <span className="capitalize">{user.role}</span>
          )}
        </Cell>
        <Cell className="sm:text-right">
          <button
            type="button"
            className="btn-secondary px-3 py-1"
            aria-expanded={props.sessionsOpen}
            aria-controls={sessionsId}
            onClick={props.onToggleSessions}
          >
            {props.sessionsOpen ? "Hide sessions" : "Sessions"}
            <span className="sr-only"> of {user.name}</span>
          </button>
        </Cell>
      </tr>
      {props.sessionsOpen && (
        <tr id={sessionsId}>
          <Cell colSpan={4} className="bg-slate-50">
            <UserSessions userId={user.id} name={user.name} />
          </Cell>
        </tr>
      )}
    </>
  );
}

/** One account's live sessions; revoking one signs that device out on its next request. */
function UserSessions(props: { userId: string; name: string }) {
  const utils = trpc.useUtils();
  const sessions = trpc.admin.sessions.useQuery({ userId: props.userId });
  const revoke = trpc.admin.revokeSession.useMutation({ onSuccess: () => utils.admin.sessions.invalidate({ userId: props.userId }) });

  if (sessions.isLoading) {
    return (
      <p className="text-sm text-slate-600" role="status">
        Loading sessions…
      </p>
    );
  }
  if (sessions.error) {
    return (
      <p className="field-error" role="alert">
        {sessions.error.message}
      </p>
    );
  }
  const list = sessions.data ?? [];
  if (list.length === 0) return <p className="text-sm text-slate-600">{props.name} isn&apos;t signed in anywhere.</p>;
  return (
    <div className="space-y-2">
      <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white" aria-label={`Sessions of ${props.name}`}>
        {list.map((session) => (
          <li key={session.id} className="flex flex-wrap items-center gap-3 p-3" data-testid="session-row">
            <div className="min-w-0 flex-1">
              <p className="truncate font-medium" title={session.device}>
                {session.device}
                <span className="ml-2 rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-600">
                  {session.kind === "api" ? "API client" : "Browser"}
                </span>
              </p>
              <p className="text-xs text-slate-600">
                IP {session.ip} · signed in {when(session.createdAt)} · last used {when(session.lastUsedAt)}
              </p>
            </div>
            <button
              type="button"
              className="btn-danger"
              disabled={revoke.isPending}
              aria-label={`Revoke ${session.device} of ${props.name}`}
              onClick={() => revoke.mutate({ sessionId: session.id })}
            >
              Revoke
            </button>
          </li>
        ))}
      </ul>
      {revoke.error && (
        <p className="field-error" role="alert">
          {revoke.error.message}
        </p>
      )}
    </div>
  );
}

"use client";

import { describedBy, Field, FieldError, FormError, useFocusFirstError } from "@/app/_components/form-field";
import { useHydrated } from "@/app/_components/use-hydrated";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { DoneMessage } from "@/app/_components/done-message";
import { fieldErrors, trpc, type RouterOutputs } from "@/app/_components/trpc";

type Member = RouterOutputs["team"]["list"][number];
type TeamRole = Member["role"];

const inviteDate = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" });

const ROLE_HELP: Record<TeamRole, string> = {
  owner: "everything, including the team",
  organizer: "orders, attendees, tickets, check-in; not the team",
  registrar: "check-in only: names and ticket types, no emails, no PDFs, no exports",
};

export function TeamPanel(props: { eventId: string; canManageTeam: boolean; currentUserId: string }) {
  const hydrated = useHydrated();
  const utils = trpc.useUtils();
  const team = trpc.team.list.useQuery({ eventId: props.eventId });
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<TeamRole>("organizer");
  const [done, setDone] = useState("");
  const [removing, setRemoving] = useState<Member | null>(null);

  const invitations = trpc.team.invitations.useQuery({ eventId: props.eventId }, { enabled: props.canManageTeam });
  const refresh = () => {
    void utils.team.list.invalidate();
    void utils.team.invitations.invalidate();
    void utils.attendees.auditLog.invalidate();
  };
  const add = trpc.team.add.useMutation({
    onSuccess: (result) => {
      setEmail("");
      setDone(`Invitation sent to ${result.email}. They join as ${result.role} when they follow its link (within 7 days).`);
      refresh();
    },
  });
  const withdraw = trpc.team.revokeInvitation.useMutation({
    onSuccess: () => {
      setDone("Invitation withdrawn: its link no longer works.");
      refresh();
    },
  });
  const changeRole = trpc.team.setRole.useMutation({
    onSuccess: (result) => {
      setDone(`Role changed to ${result.role}.`);
      refresh();
    },
  });
  const remove = trpc.team.remove.useMutation({
    onSuccess: (_, input) => {
      // Having removed themself, an owner has nothing left to see here.
      if (input.userId === props.currentUserId) return window.location.assign("/dashboard");
      setDone(`${removing?.name ?? "They"} is no longer on the team.`);
      setRemoving(null);
      refresh();
    },
  });
  const addErrors = fieldErrors(add.error);
  const emailError = addErrors.email;
  const roleError = addErrors.role;
  // Anything not tied to a field ("last owner" on a role change, a dropped connection) goes here.
  const addError = add.error && !emailError && !roleError ? add.error.message : null;
  const formRef = useFocusFirstError(add.error);

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setDone("");
    add.mutate({ eventId: props.eventId, email: email.trim(), role });
  }

  return (
    <section className="space-y-6" aria-labelledby="team-heading">
      <div>
        <h2 id="team-heading" className="text-lg font-semibold">
          Team
        </h2>
        <p className="text-sm text-slate-600">
          {props.canManageTeam ? "People who help run this event. Only owners change the team." : "People who help run this event. Only the event's owners change the team."}
        </p>
      </div>

      <DoneMessage message={done} />

      {team.isLoading ? (
        <p className="text-sm text-slate-600" role="status">
          Loading the team…
        </p>
      ) : team.error ? (
        <p className="field-error" role="alert">
          {team.error.message}
        </p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" aria-label="Team members">
          {(team.data ?? []).map((member) => (
            <li key={member.userId} className="flex flex-wrap items-center gap-4 p-4" data-testid="team-member">
              <div className="min-w-0 flex-1">
                <p className="font-medium">
                  {member.name}
                  {member.userId === props.currentUserId && <span className="ml-2 text-xs font-normal text-slate-600">(you)</span>}
                </p>
                <p className="break-all text-sm text-slate-600">{member.email}</p>
              </div>
              {props.canManageTeam ? (
                <select
                  className="input w-auto capitalize"
                  aria-label={`Role of ${member.name}`}
                  value={member.role}
                  disabled={changeRole.isPending}
                  onChange={(e) => {
                    setDone("");
                    changeRole.mutate({ eventId: props.eventId, userId: member.userId, role: e.target.value as TeamRole });
                  }}
                >
                  <option value="organizer">Organizer</option>
                  <option value="registrar">Registrar</option>
                  <option value="owner">Owner</option>
                </select>
              ) : (
                <span className="rounded bg-slate-100 px-2 py-0.5 text-sm capitalize text-slate-700" title={ROLE_HELP[member.role]}>
                  {member.role}
                </span>
              )}
              {props.canManageTeam && (
                <button
                  type="button"
                  className="btn-danger"
                  aria-label={`Remove ${member.name} from the team`}
                  onClick={() => {
                    remove.reset();
                    setDone("");
                    setRemoving(member);
                  }}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}

      {changeRole.error && (
        <p className="field-error" role="alert">
          {fieldErrors(changeRole.error).userId ?? changeRole.error.message}
        </p>
      )}

      {props.canManageTeam && (invitations.data?.length ?? 0) > 0 && (
        <section className="space-y-2" aria-labelledby="invitations-heading">
          <h3 id="invitations-heading" className="font-semibold">
            Invitations waiting
          </h3>
          <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" aria-label="Pending invitations">
            {invitations.data!.map((invitation) => (
              <li key={invitation.id} className="flex flex-wrap items-center gap-4 p-4" data-testid="team-invitation">
                <div className="min-w-0 flex-1">
                  <p className="break-all font-medium">{invitation.email}</p>
                  <p className="text-sm text-slate-600">
                    <span className="capitalize">{invitation.role}</span> ·{" "}
                    {invitation.expired ? <span className="text-red-700">expired: invite again to renew it</span> : `link valid until ${inviteDate.format(invitation.expiresAt)}`}
                  </p>
                </div>
                <button
                  type="button"
                  className="btn-secondary"
                  disabled={withdraw.isPending}
                  aria-label={`Withdraw the invitation to ${invitation.email}`}
                  onClick={() => {
                    setDone("");
                    withdraw.mutate({ eventId: props.eventId, invitationId: invitation.id });
                  }}
                >
                  Withdraw
                </button>
              </li>
            ))}
          </ul>
          {withdraw.error && (
            <p className="field-error" role="alert">
              {withdraw.error.message}
            </p>
          )}
        </section>
      )}

      {props.canManageTeam && (
        <form ref={formRef} method="post" className="card space-y-4" onSubmit={submit} noValidate aria-labelledby="add-member-heading">
          <h3 id="add-member-heading" className="font-semibold">
            Invite someone
          </h3>
          <p className="text-sm text-slate-600">We email them a link; they join when they follow it, with or without an Admit account. Change the role of someone already on the team in the list above.</p>
          <div className="grid gap-4 sm:grid-cols-[1fr_auto_auto] sm:items-start">
            <Field id="member-email" label="Email" error={emailError}>
              <input
                id="member-email"
                className="input"
                type="email"
                autoComplete="off"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                {...describedBy("member-email", emailError)}
              />
            </Field>
            <div>
              <label className="label" htmlFor="member-role">
                Role
              </label>
              <select
                id="member-role"
                className="input"
                value={role}
                onChange={(e) => setRole(e.target.value as TeamRole)}
                aria-invalid={roleError ? true : undefined}
                aria-describedby={roleError ? "member-role-help member-role-error" : "member-role-help"}
              >
                <option value="organizer">Organizer</option>
                <option value="registrar">Registrar</option>
                <option value="owner">Owner</option>
              </select>
              <p id="member-role-help" className="mt-1 text-xs text-slate-600">
                {ROLE_HELP[role]}
              </p>
              <FieldError id="member-role" error={roleError} />
            </div>
            <div className="sm:pt-6">
              <button type="submit" className="btn" disabled={!hydrated || add.isPending || email.trim() === ""}>
                {add.isPending ? "Sending…" : "Send invitation"}
              </button>
            </div>
          </div>
          <FormError>{addError}</FormError>
        </form>
      )}

      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.name ?? ""} from the team?`}
        confirmLabel="Remove"
        pending={remove.isPending}
        error={remove.error?.message}
        onClose={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate({ eventId: props.eventId, userId: removing.userId })}
      >
        <p>
          {removing?.userId === props.currentUserId
            ? "You will lose access to this event's dashboard."
            : `They lose access to this event's dashboard${removing?.role === "registrar" ? " and check-in" : ""} at once.`}
        </p>
      </ConfirmDialog>
    </section>
  );
}

import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { isAdmin, isStaff } from "@/server/access";
import { requirePageCaller } from "@/server/auth/page-session";
import { EventsAdmin } from "./events-admin";
import { MailAdmin } from "./mail-admin";
import { UsersAdmin } from "./users-admin";

export const metadata: Metadata = { title: "Admin", robots: { index: false } };

/**
 * The staff console: every account and its live sessions, and every event. Staff read and revoke;
 * admins also grant roles.
 */
export default async function AdminPage() {
  const caller = await requirePageCaller("/admin");
  if (!isStaff(caller)) forbidden();
  const admin = isAdmin(caller);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">Admin</h1>
        <p className="text-sm text-slate-600">
          {admin ? "Accounts, their roles and their signed-in devices; every event; mail that could not be sent." : "Accounts and their signed-in devices, every event, and mail that could not be sent. Only admins change roles."}
        </p>
      </div>
      <UsersAdmin canSetRoles={admin} currentUserId={caller.user.id} />
      <EventsAdmin />
      <MailAdmin />
    </div>
  );
}

import type { Metadata } from "next";
import { requirePageCaller } from "@/server/auth/page-session";
import { DeviceList } from "./device-list";

export const metadata: Metadata = { title: "Devices" };

export default async function DevicesPage() {
  await requirePageCaller("/devices");
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">Devices</h1>
        <p className="text-sm text-slate-600">
          Browsers and apps signed in to your account. Revoking one signs it out on its next request.
        </p>
      </div>
      <DeviceList />
    </div>
  );
}

/** "Check your inbox": what a form says once a mail with a link is on its way. */
export function CheckInbox({ to, children }: { to: string; children?: React.ReactNode }) {
  return (
    <div role="status" className="space-y-2 rounded-lg border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-900">
      <p className="font-semibold">Check your inbox</p>
      <p>
        We sent a link to <strong className="break-all">{to}</strong>. {children}
      </p>
    </div>
  );
}

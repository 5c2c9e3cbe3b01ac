/**
 * "Done" feedback after an action. The live region is always in the page, empty until there is
 * something to say, so screen readers announce the message when it appears.
 */
export function DoneMessage({ message }: { message: string }) {
  return (
    <p role="status" aria-live="polite" className={message ? "rounded-lg border border-green-200 bg-green-50 px-4 py-2 text-sm text-green-900" : "sr-only"}>
      {message}
    </p>
  );
}

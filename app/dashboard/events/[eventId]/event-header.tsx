import Link from "next/link";
import { formatEventRange } from "@/lib/format";
import { HeaderFigures } from "./live-figures";
import type { EventDashboard } from "./load-event";
import { eventSectionHref, type EventSection } from "./sections";

const TABS: Array<{ section: EventSection; label: string }> = [
  { section: "attendees", label: "Attendees" },
  { section: "orders", label: "Orders" },
  { section: "team", label: "Team" },
  { section: "audit", label: "Audit log" },
  { section: "checkin", label: "Check-in" },
  { section: "settings", label: "Settings" },
];

/** The event's name, figures and section tabs; a registrar sees the name and nothing else. */
export function EventHeader({ dashboard, section }: { dashboard: EventDashboard; section: EventSection }) {
  const { event, counts, may } = dashboard;
  const tabs = TABS.filter((tab) => (tab.section === "checkin" ? may.checkIn : tab.section === "settings" ? may.manage : may.view));
  return (
    <header className="space-y-4">
      <div className="space-y-1">
        <p className="text-sm">
          <Link className="text-slate-600 hover:underline" href="/dashboard">
            ← Dashboard
          </Link>
        </p>
        <h1 className="text-2xl font-bold">{event.name}</h1>
        <p className="text-sm text-slate-600">
          {formatEventRange(event)} · {event.venue}
        </p>
        {may.view && (
          <p className="text-sm text-slate-700" data-testid="event-figures">
            <HeaderFigures eventId={event.id} initial={counts} />
            {" · "}
            <Link className="text-indigo-700 underline hover:text-indigo-900" href={`/events/${event.slug}`}>
              Event page
            </Link>
          </p>
        )}
        {dashboard.staff && !may.manage && may.view && (
          <p className="inline-block rounded bg-amber-50 px-2 py-1 text-xs font-medium text-amber-800">Staff view: read-only</p>
        )}
      </div>
      {tabs.length > 1 && (
        <nav aria-label="Event sections" className="flex flex-wrap gap-1 border-b border-slate-200">
          {tabs.map((tab) => {
            const current = tab.section === section;
            return (
              <Link
                key={tab.section}
                href={eventSectionHref(event.id, tab.section)}
                aria-current={current ? "page" : undefined}
                className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${
                  current ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900"
                }`}
              >
                {tab.label}
              </Link>
            );
          })}
        </nav>
      )}
    </header>
  );
}

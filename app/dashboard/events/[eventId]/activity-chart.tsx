import type { ActivityPoint } from "@/server/events/dashboard";

/** The plot's own coordinates; the SVG stretches them to its box, labels live in HTML around it. */
const WIDTH = 600;
const HEIGHT = 160;
const DAY_MS = 24 * 60 * 60 * 1000;

/** 0 → 1, 7 → 10, 23 → 25, 180 → 200: a round top for the axis. */
function roundUp(n: number): number {
  if (n <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  const step = [1, 2, 2.5, 5, 10].find((f) => f * magnitude >= n)!;
  return step * magnitude;
}

function pathOf(points: ActivityPoint[], value: (p: ActivityPoint) => number, top: number): string {
  const start = points[0].at;
  const span = Math.max(1, points[points.length - 1].at - start);
  return points
    .map((p, i) => {
      const x = ((p.at - start) / span) * WIDTH;
      const y = HEIGHT - (value(p) / top) * HEIGHT;
      return `${i === 0 ? "M" : "L"}${x.toFixed(1)} ${y.toFixed(1)}`;
    })
    .join(" ");
}

/**
 * Tickets sold and people checked in over time, drawn on the server as SVG (no script, no chart
 * library). Screen readers get the figures in words (the SVG's title and description) and as a
 * table behind "Show the figures".
 */
export function ActivityChart(props: { points: ActivityPoint[]; stepMs: number; timeZone: string }) {
  const { points } = props;
  const heading = (
    <h2 id="activity-heading" className="text-lg font-semibold">
      Sales and check-ins
    </h2>
  );
  if (points.length === 0) {
    return (
      <section className="card space-y-2" aria-labelledby="activity-heading">
        {heading}
        <p className="text-sm text-slate-600">No tickets sold yet. The chart starts with the first sale.</p>
      </section>
    );
  }
  const last = points[points.length - 1];
  // Running totals only grow, so the last point holds the highest figures.
  const top = roundUp(Math.max(last.sold, last.checkedIn));
  const moment = new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "short",
    ...(props.stepMs < DAY_MS ? { hour: "2-digit", minute: "2-digit" } : {}),
    timeZone: props.timeZone,
  });
  const from = moment.format(points[0].at);
  const to = moment.format(last.at);
  const summary = `From ${from} to ${to}: ${last.sold.toLocaleString("en")} tickets sold, ${last.checkedIn.toLocaleString("en")} people checked in.`;
  // The table lists only the steps where something happened.
  const changes = points.filter((p, i) => i === 0 || p.sold !== points[i - 1].sold || p.checkedIn !== points[i - 1].checkedIn);

  return (
    <section className="card space-y-3" aria-labelledby="activity-heading">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        {heading}
        <ul className="flex flex-wrap gap-x-4 text-sm text-slate-700" aria-label="Legend">
          <li className="flex items-center gap-2">
            <svg aria-hidden="true" width="24" height="8">
              <line x1="0" y1="4" x2="24" y2="4" className="stroke-indigo-600" strokeWidth="3" />
            </svg>
            Tickets sold ({last.sold.toLocaleString("en")})
          </li>
          <li className="flex items-center gap-2">
            <svg aria-hidden="true" width="24" height="8">
              <line x1="0" y1="4" x2="24" y2="4" className="stroke-emerald-700" strokeWidth="3" strokeDasharray="5 3" />
            </svg>
            Checked in ({last.checkedIn.toLocaleString("en")})
          </li>
        </ul>
      </div>
      <div className="flex gap-2">
        <div className="flex flex-col justify-between pb-6 text-right text-xs tabular-nums text-slate-600" aria-hidden="true">
          <span>{top.toLocaleString("en")}</span>
          <span>{(top / 2).toLocaleString("en")}</span>
          <span>0</span>
        </div>
        <div className="min-w-0 flex-1">
          <svg
            role="img"
            aria-labelledby="activity-title activity-desc"
            viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
            preserveAspectRatio="none"
            className="h-40 w-full overflow-visible border-b border-l border-slate-300"
            data-testid="activity-chart"
          >
            <title id="activity-title">Tickets sold and people checked in over time</title>
            <desc id="activity-desc">{summary}</desc>
            <line x1="0" y1={HEIGHT / 2} x2={WIDTH} y2={HEIGHT / 2} className="stroke-slate-200" vectorEffect="non-scaling-stroke" />
            <line x1="0" y1="0" x2={WIDTH} y2="0" className="stroke-slate-200" vectorEffect="non-scaling-stroke" />
            <path d={pathOf(points, (p) => p.sold, top)} fill="none" className="stroke-indigo-600" strokeWidth="3" strokeLinejoin="round" vectorEffect="non-scaling-stroke" />
            <path
              d={pathOf(points, (p) => p.checkedIn, top)}
              fill="none"
              className="stroke-emerald-700"
              strokeWidth="3"
              strokeDasharray="6 4"
              strokeLinejoin="round"
              vectorEffect="non-scaling-stroke"
            />
          </svg>
          <div className="mt-1 flex justify-between text-xs text-slate-600" aria-hidden="true">
            <span>{from}</span>
            <span>{to}</span>
          </div>
        </div>
      </div>
      <details className="text-sm">
        <summary className="inline-flex min-h-6 cursor-pointer items-center text-indigo-700 hover:underline">Show the figures</summary>
        <table className="mt-2 w-full text-left tabular-nums">
          <caption className="sr-only">Tickets sold and people checked in, running totals</caption>
          <thead className="text-slate-600">
            <tr>
              <th scope="col" className="py-1 pr-4 font-medium">
                By
              </th>
              <th scope="col" className="py-1 pr-4 font-medium">
                Sold
              </th>
              <th scope="col" className="py-1 font-medium">
                Checked in
              </th>
            </tr>
          </thead>
          <tbody>
            {changes.map((p) => (
              <tr key={p.at} className="border-t border-slate-100">
                <td className="py-1 pr-4">{moment.format(p.at)}</td>
                <td className="py-1 pr-4">{p.sold.toLocaleString("en")}</td>
                <td className="py-1">{p.checkedIn.toLocaleString("en")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

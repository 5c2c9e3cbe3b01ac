import "server-only";
import path from "node:path";
import { Document, Font, Page, Path, StyleSheet, Svg, Text, View, renderToBuffer } from "@react-pdf/renderer";
import QRCode from "qrcode";
import { formatEventRange, type EventTimes } from "@/lib/format";
import { formatDoorCode } from "@/lib/door-code";

/**
 * The printable ticket PDF. Pure: data in, bytes out. No HTTP, no database, no file cache —
 * callers decide where the bytes go and key their cache on `printedFingerprint`.
 */

export type PrintedTicket = EventTimes & {
  eventName: string;
  venue: string;
  attendeeName: string;
  attendeeIdentifier: string;
  ticketTypeName: string;
  /** As `formatMoney` prints it. */
  priceLabel: string;
  orderIdentifier: string;
  checkinSecret: string;
  /** The short code printed under the QR for typing at the door (lib/door-code.ts). */
  doorCode: string;
  /** "event_cancelled": the ticket itself is fine, but the event it admits to won't happen. */
  status: "valid" | "cancelled" | "event_cancelled";
};

/** Bump whenever the layout or wording changes, so cached PDFs of the old layout are not served. */
export const TEMPLATE_VERSION = 3;

// Next.js bundles server code, so a path relative to this module's URL would point into .next/.
// The fonts ship in the source tree, and the server always runs from the project root.
const FONT_DIR = path.join(process.cwd(), "server", "tickets", "fonts");
const FAMILY = "AdmitSans";
const MONO = "AdmitMono";

let fontsRegistered = false;
function registerFonts(): void {
  if (fontsRegistered) return;
  // DejaVu covers Latin Extended, Greek and Cyrillic; the built-in Helvetica would drop "Ł".
  Font.register({
    family: FAMILY,
    fonts: [
      { src: path.join(FONT_DIR, "DejaVuSans.ttf"), fontWeight: "normal" },
      { src: path.join(FONT_DIR, "DejaVuSans-Bold.ttf"), fontWeight: "bold" },
    ],
  });
  // Mono for identifiers and the door code, so every character of a code is told apart at the door.
  Font.register({ family: MONO, src: path.join(FONT_DIR, "DejaVuSansMono.ttf") });
  Font.registerHyphenationCallback(breakOnlyOverlongWords);
  fontsRegistered = true;
}

/**
 * Names and identifiers are never hyphenated (react-pdf's English hyphenator would turn "José"
 * into "Jo-sé", and a split identifier can't be read back). The one exception is a word too long
 * to fit on any line: without break points react-pdf lets it run off the page, so it gets some,
 * which the line breaker only uses when it has no other choice. `fittedSize` shrinks text so that
 * words up to this length fit at the smallest size; our identifiers are 22 chars.
 */
const OVERLONG_WORD = 40;
function breakOnlyOverlongWords(word: string): string[] {
  const chars = Array.from(word);
  if (chars.length <= OVERLONG_WORD) return [word];
  const parts: string[] = [];
  for (let i = 0; i < chars.length; i += 6) parts.push(chars.slice(i, i + 6).join(""));
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Fingerprint

/**
 * Canonical serialization of everything that ends up on the page. The cache hashes it into its
 * key, so a renamed attendee, a cancellation or a regenerated secret can never be served stale.
 * The formatted date is included too: a tzdata update can move the printed time without any
 * field changing.
 */
export function printedFingerprint(t: PrintedTicket): string {
  // Built field by field (not `JSON.stringify(t)`) so key order and extra properties on the
  // caller's object can't change the result.
  return JSON.stringify([
    "admit-ticket",
    TEMPLATE_VERSION,
    t.eventName,
    t.venue,
    t.startsAt,
    t.endsAt,
    t.timeZone,
    formatEventRange(t),
    t.attendeeName,
    t.attendeeIdentifier,
    t.ticketTypeName,
    t.priceLabel,
    t.orderIdentifier,
    t.checkinSecret,
    t.doorCode,
    t.status,
  ]);
}

// ---------------------------------------------------------------------------------------------
// QR code

const QR_MARGIN_MODULES = 4; // the quiet zone the QR spec asks for

/**
 * The QR code as one vector path: a 1×1 square per dark module, merged along each row, on a grid
 * that includes the quiet zone. Sharp at any zoom and on any printer, and much cheaper per ticket
 * than rasterizing and compressing an image.
 */
function qrPath(secret: string): { d: string; size: number } {
  const { modules } = QRCode.create(secret, { errorCorrectionLevel: "M" });
  let d = "";
  for (let row = 0; row < modules.size; row++) {
    let col = 0;
    while (col < modules.size) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < modules.size && modules.get(row, col)) col++;
      d += `M${start + QR_MARGIN_MODULES} ${row + QR_MARGIN_MODULES}h${col - start}v1h${start - col}z`;
    }
  }
  return { d, size: modules.size + 2 * QR_MARGIN_MODULES };
}

// ---------------------------------------------------------------------------------------------
// Layout

const INK = "#111827";
const MUTED = "#6b7280";
const RULE = "#d1d5db";
const RED = "#b91c1c";

const styles = StyleSheet.create({
  page: { fontFamily: FAMILY, fontSize: 11, color: INK, padding: 48, backgroundColor: "#ffffff" },
  card: { flexGrow: 1, border: `1pt solid ${RULE}`, borderRadius: 8, padding: 32 },
  brand: { fontSize: 9, letterSpacing: 2, color: MUTED, textTransform: "uppercase", marginBottom: 14 },
  eventName: { fontWeight: "bold", lineHeight: 1.2, marginBottom: 12 },
  when: { fontSize: 13, marginBottom: 4 },
  venue: { fontSize: 13, color: "#374151" },
  rule: { borderBottom: `1pt solid ${RULE}`, marginVertical: 20 },
  row: { flexDirection: "row", marginBottom: 14 },
  cell: { flexGrow: 1, flexBasis: 0, paddingRight: 12 },
  label: { fontSize: 8, letterSpacing: 1, color: MUTED, textTransform: "uppercase", marginBottom: 3 },
  attendee: { fontWeight: "bold", lineHeight: 1.2 },
  value: { fontSize: 12 },
  mono: { fontFamily: MONO, fontSize: 11 },
  qrBlock: { alignItems: "center", marginTop: 8 },
  qr: { width: 240, height: 240 },
  codeLabel: { fontSize: 8, letterSpacing: 1, color: MUTED, textTransform: "uppercase", marginTop: 6 },
  code: { fontFamily: MONO, fontSize: 22, letterSpacing: 2, marginTop: 2 },
  hint: { fontSize: 9, color: MUTED, marginTop: 10, textAlign: "center" },
  cancelled: {
    marginTop: 24,
    border: `4pt solid ${RED}`,
    borderRadius: 6,
    paddingVertical: 36,
    paddingHorizontal: 20,
    alignItems: "center",
  },
  cancelledText: { color: RED, fontSize: 30, fontWeight: "bold", textAlign: "center", lineHeight: 1.3 },
  cancelledHint: { color: RED, fontSize: 11, marginTop: 12, textAlign: "center" },
  footer: { marginTop: "auto", paddingTop: 16, fontSize: 8, color: MUTED, flexDirection: "row" },
  footerCell: { flexGrow: 1, flexBasis: 0 },
});

/** Absurdly long text is cut with "…" rather than pushing the QR code off the page. */
const clamp = (maxLines: number) => ({ maxLines, textOverflow: "ellipsis" as const });

type FieldProps = { label: string; children: string; size?: number; mono?: boolean };
function Field({ label, children, size, mono }: FieldProps) {
  const style = size
    ? [styles.attendee, { fontSize: size }, clamp(3)]
    : [mono ? styles.mono : styles.value, clamp(2)];
  return (
    <View style={styles.cell}>
      <Text style={styles.label}>{label}</Text>
      <Text style={style}>
        {children}
      </Text>
    </View>
  );
}

const CONTENT_WIDTH = 595 - 2 * 48 - 2 * 32 - 2; // A4 minus page padding, card padding, border
const MIN_SIZE = 14;
/** Generous average advance of DejaVu Sans Bold, in em; a width estimate, not a measurement. */
const BOLD_EM = 0.72;

/**
 * Long names get a smaller size rather than pushing the QR code off the page, and a long word
 * (German compounds, double-barrelled names) shrinks the text until it fits on a line whole.
 */
function fittedSize(text: string, max: number): number {
  let size = max;
  if (text.length > 80) size = Math.min(size, 18);
  else if (text.length > 40) size = Math.min(size, 22);
  const longestWord = Math.max(...text.split(/\s+/).map((w) => Array.from(w).length));
  size = Math.min(size, CONTENT_WIDTH / (longestWord * BOLD_EM));
  return Math.max(MIN_SIZE, Math.floor(size));
}

function TicketPage({ t }: { t: PrintedTicket }) {
  // A cancelled ticket must not carry a scannable code, so none is even generated for it.
  const qr = t.status === "valid" ? qrPath(t.checkinSecret) : null;
  return (
    // wrap={false}: one ticket is always exactly one page, whatever the text lengths.
    <Page size="A4" style={styles.page} wrap={false}>
      <View style={styles.card}>
        <Text style={styles.brand}>Admit · Ticket</Text>
        <Text style={[styles.eventName, { fontSize: fittedSize(t.eventName, 28) }, clamp(4)]}>
          {t.eventName}
        </Text>
        <Text style={styles.when}>{formatEventRange(t)}</Text>
        <Text style={[styles.venue, clamp(3)]}>
          {t.venue}
        </Text>

        <View style={styles.rule} />

        <View style={styles.row}>
          <Field label="Attendee" size={fittedSize(t.attendeeName, 20)}>
            {t.attendeeName}
          </Field>
        </View>
        <View style={styles.row}>
          <Field label="Ticket">{t.ticketTypeName}</Field>
          <Field label="Price">{t.priceLabel}</Field>
        </View>
        <View style={styles.row}>
          <Field label="Order" mono>
            {t.orderIdentifier}
          </Field>
        </View>

        {!qr ? (
          <View style={styles.cancelled}>
            <Text style={styles.cancelledText}>{t.status === "event_cancelled" ? "EVENT CANCELLED" : "CANCELLED"} — NOT VALID FOR ENTRY</Text>
            <Text style={styles.cancelledHint}>
              {t.status === "event_cancelled" ? "This event has been cancelled by its organizer." : "This ticket has been cancelled by the organizer."}
            </Text>
          </View>
        ) : (
          <View style={styles.qrBlock}>
            <Svg style={styles.qr} viewBox={`0 0 ${qr.size} ${qr.size}`}>
              <Path d={qr.d} fill="#000000" />
            </Svg>
            <Text style={styles.codeLabel}>Door code</Text>
            <Text style={styles.code}>{formatDoorCode(t.doorCode)}</Text>
            <Text style={styles.hint}>
              Show this code at the entrance. It admits one person, once. Do not share it.
            </Text>
          </View>
        )}

        <View style={styles.footer}>
          <Text style={styles.footerCell}>
            Attendee ID <Text style={{ fontFamily: MONO }}>{t.attendeeIdentifier}</Text>
          </Text>
          <Text style={[styles.footerCell, { textAlign: "right" }]}>Printed tickets are personal</Text>
        </View>
      </View>
    </Page>
  );
}

/** One A4 page per ticket, in the order given. */
export async function renderTicketsPdf(tickets: PrintedTicket[]): Promise<Buffer> {
  if (tickets.length === 0) throw new Error("renderTicketsPdf: no tickets to render");
  registerFonts();
  return renderToBuffer(
    <Document title={tickets.length === 1 ? `Ticket — ${tickets[0].eventName}` : `Tickets — ${tickets[0].eventName}`} author="Admit" creator="Admit" producer="Admit">
      {tickets.map((t, i) => (
        <TicketPage key={i} t={t} />
      ))}
    </Document>,
  );
}

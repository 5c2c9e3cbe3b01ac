import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export type ReceivedMail = { messageId: string; to: string; subject: string; text: string };

/**
 * A real SMTP server on a loopback port for mail tests, which can go down and come back on the
 * same port. It keeps every message it accepted, in arrival order.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** Recipients refused for good (550), as a server refuses an address that doesn't exist. */
  readonly refused = new Set<string>();
  private server: SMTPServer | undefined;
  private constructor(
    public port: number,
    private readonly delayMs: number,
  ) {}

  /** Listens on a free port (or `port`); `delayMs` holds each message before accepting it. */
  static async start(options: { delayMs?: number; port?: number } = {}): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer(options.port ?? 0, options.delayMs ?? 0);
    await smtp.up();
    return smtp;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (!this.refused.has(address.address.toLowerCase())) return callback();
        callback(Object.assign(new Error("No such mailbox"), { responseCode: 550 }));
      },
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          this.received.push(parseMessage(Buffer.concat(chunks).toString("utf8")));
          setTimeout(() => callback(), this.delayMs);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops open connections: clients now get "connection refused". */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  messagesTo(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to.toLowerCase() === address.toLowerCase());
  }
}

/** Headers and the plain-text body of a message as nodemailer writes it (7bit or quoted-printable, multipart or not). */
function parseMessage(raw: string): ReceivedMail {
  const { header, text } = parsePart(raw);
  return { messageId: header("Message-ID"), to: header("To").replace(/^.*<|>.*$/g, ""), subject: header("Subject"), text };
}

function parsePart(raw: string): { header: (name: string) => string; text: string } {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "im").exec(head)?.[1].trim() ?? "";
  const body = raw.slice(split + 4);
  const boundary = /boundary="?([^";]+)"?/i.exec(header("Content-Type"))?.[1];
  if (boundary) {
    // multipart/alternative: the text/plain part.
    const parts = body.split(`--${boundary}`).slice(1, -1).map((part) => parsePart(part.replace(/^\r\n/, "")));
    return { header, text: (parts.find((part) => /^text\/plain/i.test(part.header("Content-Type"))) ?? parts[0]).text };
  }
  let text = body;
  if (/quoted-printable/i.test(header("Content-Transfer-Encoding"))) {
    text = text.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  return { header, text: text.replace(/\r\n/g, "\n") };
}

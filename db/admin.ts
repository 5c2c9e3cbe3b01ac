import "server-only";
import pg from "pg";

/**
 * Creates a PostgreSQL database on the server `serverUrl` points at (through its maintenance
 * database), optionally as a copy of `template`, and returns its URL. For tests, benchmarks and
 * the two-instance e2e test, which make throwaway databases; the app never creates databases.
 */
export async function createPostgresDatabase(serverUrl: string, name: string, template?: string): Promise<string> {
  const identifier = (value: string) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(value)) throw new Error(`createPostgresDatabase: ${JSON.stringify(value)} is not a plain name`);
    return value;
  };
  const admin = new pg.Client(serverUrl);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${identifier(name)}${template ? ` TEMPLATE ${identifier(template)}` : ""}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

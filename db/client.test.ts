import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { transaction } from "@/db/client";
import { dialect } from "@/db/dialect";
import { users } from "@/db/schema";
import { freshDb, makeUser } from "@/server/testing/support";

/** A promise and its resolver, to hold a transaction open at a chosen point. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const nameOf = async (db: Awaited<ReturnType<typeof freshDb>>, id: string) =>
  (await db.select({ name: users.name }).from(users).where(eq(users.id, id)).limit(1))[0]?.name;

describe("transaction()", () => {
  it("commits what the callback wrote and returns its value", async () => {
    const db = await freshDb();
    const user = await makeUser(db, { name: "Before" });
    const result = await transaction(db, async (tx) => {
      await tx.update(users).set({ name: "After" }).where(eq(users.id, user.id));
      return "done";
    });
    expect(result).toBe("done");
    expect(await nameOf(db, user.id)).toBe("After");
  });

  it("rolls everything back when the callback throws", async () => {
    const db = await freshDb();
    const user = await makeUser(db, { name: "Before" });
    await expect(
      transaction(db, async (tx) => {
        await tx.update(users).set({ name: "After" }).where(eq(users.id, user.id));
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await nameOf(db, user.id)).toBe("Before");
  });

  it("keeps other requests' statements out of an open transaction, so its rollback can't take them along", async () => {
    const db = await freshDb();
    const [a, b] = [await makeUser(db, { name: "A" }), await makeUser(db, { name: "B" })];
    const hold = deferred();
    const inside = deferred();
    const rolledBack = transaction(db, async (tx) => {
      await tx.update(users).set({ name: "A changed" }).where(eq(users.id, a.id));
      inside.resolve();
      await hold.promise;
      throw new Error("roll back");
    });
    await inside.promise;
    // Another request writes while the transaction is open: it waits for it, then commits alone.
    const outside = db.update(users).set({ name: "B changed" }).where(eq(users.id, b.id)).then(() => "written");
    hold.resolve();
    await expect(rolledBack).rejects.toThrow("roll back");
    expect(await outside).toBe("written");
    expect(await nameOf(db, a.id)).toBe("A");
    expect(await nameOf(db, b.id)).toBe("B changed");
  });

  // SQLite's transactions take turns (its single writer); PostgreSQL's run side by side, and the
  // domain's invariants hold there by conditional updates and locks instead (see the race tests).
  it.skipIf(dialect === "postgres")("on SQLite, runs concurrent transactions one at a time: read-then-write never loses an update", async () => {
    const db = await freshDb();
    const user = await makeUser(db, { name: "0" });
    // Each transaction reads, yields, then writes what it read plus one; interleaved, updates would be lost.
    const bump = () =>
      transaction(db, async (tx) => {
        const [row] = await tx.select({ name: users.name }).from(users).where(eq(users.id, user.id));
        await Promise.resolve();
        await tx.update(users).set({ name: String(Number(row.name) + 1) }).where(eq(users.id, user.id));
      });
    const others = Array.from({ length: 10 }, (_, i) => makeUser(db, { name: `other ${i}` }));
    await Promise.all([...Array.from({ length: 40 }, bump), ...others]);
    expect(await nameOf(db, user.id)).toBe("40");
  });

  it("refuses a statement on the database itself from inside a transaction", async () => {
    const db = await freshDb();
    const user = await makeUser(db);
    const error = await transaction(db, async () => {
      await db.update(users).set({ name: "Through db" }).where(eq(users.id, user.id));
    }).catch((e: Error) => e);
    // drizzle wraps the driver's error in its own "Failed query" error.
    expect((error as Error & { cause?: Error }).cause?.message).toMatch(/use the transaction's tx/);
    expect(await nameOf(db, user.id)).toBe(user.name);
  });

  it("joins the open transaction when nested", async () => {
    const db = await freshDb();
    const user = await makeUser(db, { name: "Before" });
    await expect(
      transaction(db, async (tx) => {
        await transaction(tx, (inner) => inner.update(users).set({ name: "Inner" }).where(eq(users.id, user.id)));
        throw new Error("outer fails");
      }),
    ).rejects.toThrow("outer fails");
    expect(await nameOf(db, user.id)).toBe("Before");
  });
});

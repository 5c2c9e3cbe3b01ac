import "server-only";
import { authRouter } from "@/server/auth/router";
import { devicesRouter } from "@/server/auth/devices-router";
import { eventsRouter } from "@/server/events/router";
import { ordersRouter } from "@/server/orders/router";
import { adminRouter } from "@/server/admin/router";
import { attendeesRouter } from "@/server/attendees/router";
import { checkinRouter } from "@/server/checkin/router";
import { teamRouter } from "@/server/team/router";
import { ticketTypesRouter } from "@/server/ticket-types/router";
import { createCallerFactory, router } from "@/server/trpc";

export const appRouter = router({
  auth: authRouter,
  devices: devicesRouter,
  events: eventsRouter,
  orders: ordersRouter,
  checkin: checkinRouter,
  team: teamRouter,
  admin: adminRouter,
  attendees: attendeesRouter,
  ticketTypes: ticketTypesRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);

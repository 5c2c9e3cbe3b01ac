import { authRouter } from "@/server/auth/router";
import { devicesRouter } from "@/server/auth/devices-router";
import { createCallerFactory, router } from "@/server/trpc";

export const appRouter = router({
  auth: authRouter,
  devices: devicesRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);

import { everyone, type PrivilegeRows } from "@/server/testing/matrix";

export const privileges: PrivilegeRows = {
  routes: [
    {
      file: "app/api/health/route.ts",
      method: "GET",
      auth: "cookie",
      path: () => "/api/health",
      expect: everyone(200),
      note: "for load balancers: reads no credentials and says nothing about anyone",
    },
    {
      file: "app/api/health/route.ts",
      method: "GET",
      auth: "bearer",
      path: () => "/api/health",
      expect: everyone(200),
      note: "a token changes nothing: the route reads none",
    },
  ],
};

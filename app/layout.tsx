import type { Metadata } from "next";
import "./globals.css";
import { pageCaller } from "@/server/auth/page-session";
import { SiteHeader } from "./_components/site-header";
import { TrpcProvider } from "./_components/trpc";

export const metadata: Metadata = {
  title: { default: "Admit", template: "%s · Admit" },
  description: "Secure event tickets",
  icons: { icon: "/favicon.svg" },
};

export const dynamic = "force-dynamic";

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const caller = await pageCaller();
  return (
    <html lang="en">
      <body className="min-h-screen">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:p-2">
          Skip to content
        </a>
        <SiteHeader caller={caller} />
        <TrpcProvider>
          <main id="main" className="mx-auto max-w-5xl px-4 py-8">
            {children}
          </main>
        </TrpcProvider>
      </body>
    </html>
  );
}

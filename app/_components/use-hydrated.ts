"use client";

import { useEffect, useState } from "react";

/**
 * False until React has hydrated the page. Submit buttons stay disabled until then: a form
 * submitted before its handler is attached would be posted natively instead of through our code.
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

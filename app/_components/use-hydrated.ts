"use client";

import { useSyncExternalStore } from "react";

const nothingToSubscribe = () => () => {};

/**
 * A value only the browser knows (its time zone, that the page is live): `onServer` while the
 * server renders and while React hydrates that HTML, then `inBrowser()`. React switches from
 * one to the other itself after hydrating, so no effect has to set state to get there.
 * `inBrowser` must return the same value on every call (a string, a boolean).
 */
export function useBrowserValue<T>(inBrowser: () => T, onServer: T): T {
  return useSyncExternalStore(nothingToSubscribe, inBrowser, () => onServer);
}

const yes = () => true;

/**
 * False until React has hydrated the page. Submit buttons stay disabled until then: a form
 * submitted before its handler is attached would be posted natively instead of through our code.
 */
export function useHydrated(): boolean {
  return useBrowserValue(yes, false);
}

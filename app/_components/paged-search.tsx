"use client";

import { useState } from "react";
import { useDebouncedValue } from "./use-debounced-value";

/** What the user types, and the same text once they pause (what the server is asked for). */
export function useSettledSearch(): { search: string; setSearch: (text: string) => void; settled: string | undefined } {
  const [search, setSearch] = useState("");
  const settled = useDebouncedValue(search.trim(), 300) || undefined;
  return { search, setSearch, settled };
}

/** A page number that belongs to one query: when `queryKey` changes, paging starts again at 1. */
export function usePageFor(queryKey: string): [number, (page: number) => void] {
  const [paging, setPaging] = useState({ queryKey, page: 1 });
  const page = paging.queryKey === queryKey ? paging.page : 1;
  return [page, (next) => setPaging({ queryKey, page: next })];
}

/** The labelled search input of the dashboard and admin lists. */
export function SearchInput(props: { id: string; placeholder: string; value: string; onChange: (text: string) => void; className?: string }) {
  return (
    <>
      <label className="label" htmlFor={props.id}>
        Search
      </label>
      <input
        id={props.id}
        className={`input ${props.className ?? ""}`}
        type="search"
        placeholder={props.placeholder}
        maxLength={200}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </>
  );
}

/** A list's search box on its own card, as a search landmark. */
export function SearchCard(props: { label: string; id: string; placeholder: string; value: string; onChange: (text: string) => void }) {
  return (
    <div className="card p-4" role="search" aria-label={props.label}>
      <SearchInput id={props.id} placeholder={props.placeholder} value={props.value} onChange={props.onChange} className="max-w-md" />
    </div>
  );
}

"use client";

import { useId, useRef, useState } from "react";

/**
 * The header's links: in a row on wide screens, behind a "Menu" button on phones. One set of
 * links serves both (the button only shows or hides them), and following a link closes the menu,
 * since the layout, and so this state, outlives client-side navigation. Escape closes it and
 * gives focus back to the button.
 */
export function MenuToggle({ children }: { children: React.ReactNode }) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        className="btn-secondary ml-auto px-3 py-1.5 lg:hidden"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen(!open)}
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.75" strokeLinecap="round">
          {open ? <path d="M5 5l10 10M15 5L5 15" /> : <path d="M3 6h14M3 10h14M3 14h14" />}
        </svg>
        Menu
      </button>
      <div
        id={menuId}
        className={`${open ? "flex" : "hidden"} w-full flex-col gap-1 border-t border-slate-200 pt-2 lg:flex lg:w-auto lg:flex-1 lg:flex-row lg:items-center lg:gap-6 lg:border-0 lg:pt-0`}
        onClick={(event) => {
          if ((event.target as HTMLElement).closest("a")) setOpen(false);
        }}
        onKeyDown={(event) => {
          if (event.key !== "Escape" || !open) return;
          setOpen(false);
          buttonRef.current?.focus();
        }}
      >
        {children}
      </div>
    </>
  );
}

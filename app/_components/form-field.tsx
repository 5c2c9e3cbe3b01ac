"use client";

import { useEffect, useRef } from "react";

/** The id of a field's error message, which describedBy points the input at. */
const errorId = (id: string) => `${id}-error`;

/**
 * Marks an input invalid (globals.css draws it with a red outline) and ties it to its error
 * message for screen readers.
 */
export function describedBy(id: string, error: string | undefined) {
  return { "aria-invalid": error ? true : undefined, "aria-describedby": error ? errorId(id) : undefined } as const;
}

/** A field's own error message, under the input; `id` is the input's. */
export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  if (!error) return null;
  return (
    <p className="field-error" id={errorId(id)} role="alert">
      {error}
    </p>
  );
}

/** A labelled form field with its per-field error underneath. */
export function Field(props: { id: string; label: React.ReactNode; error?: string; children: React.ReactNode }) {
  return (
    <div>
      <label className="label" htmlFor={props.id}>
        {props.label}
      </label>
      {props.children}
      <FieldError id={props.id} error={props.error} />
    </div>
  );
}

/** A labelled text input with its error: the common case of Field. */
export function TextField(
  props: { id: string; label: React.ReactNode; error?: string } & Omit<React.InputHTMLAttributes<HTMLInputElement>, "id">,
) {
  const { id, label, error, className, ...input } = props;
  return (
    <Field id={id} label={label} error={error}>
      <input className={`input ${className ?? ""}`} id={id} name={input.name ?? id} {...input} {...describedBy(id, error)} />
    </Field>
  );
}

/**
 * What went wrong with a form as a whole (not one field): an alert that a failed submit can move
 * focus to (see useFocusFirstError). Renders nothing without children.
 */
export function FormError({ children, className = "field-error" }: { children: React.ReactNode; className?: string }) {
  if (!children) return null;
  return (
    <div className={className} role="alert" tabIndex={-1} data-form-error>
      {children}
    </div>
  );
}

/**
 * After a failed submit, focus goes to the first invalid field, or else to the form's error
 * message, instead of staying on the button (or falling to <body>): the person is taken to what
 * needs fixing. Pass the submit's error; each new failure is a new error object.
 */
export function useFocusFirstError<T extends HTMLElement = HTMLFormElement>(error: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (!error) return;
    ref.current?.querySelector<HTMLElement>('[aria-invalid="true"], [data-form-error]')?.focus();
  }, [error]);
  return ref;
}

/** The options of a time-zone select, "America/New_York" shown as "America/New York". */
export function TimeZoneOptions({ zones }: { zones: string[] }) {
  return zones.map((zone) => (
    <option key={zone} value={zone}>
      {zone.replaceAll("_", " ")}
    </option>
  ));
}

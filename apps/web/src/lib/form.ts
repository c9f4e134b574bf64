/**
 * A small form state hook: string values, inline errors (from a zod schema on blur/submit, and from
 * the API after submit), and focus on the first field in error.
 */
import { type ChangeEvent, type FocusEvent, type FormEvent, useRef, useState } from "react";
import type { z } from "zod";
import { type ApiProblem, describeError } from "./errors.ts";

export type Values<K extends string> = Record<K, string>;
export type FieldErrors<K extends string> = Partial<Record<K, string>>;

/** The first message per field from a schema's issues (nested paths are joined with dots). */
export function zodValidator<K extends string>(schema: z.ZodType, toInput: (values: Values<K>) => unknown) {
  return (values: Values<K>): FieldErrors<K> => {
    const result = schema.safeParse(toInput(values));
    if (result.success) return {};
    const errors: Record<string, string> = {};
    for (const issue of result.error.issues) {
      const path = issue.path.map(String).join(".");
      errors[path] ??= issue.message;
    }
    return errors as FieldErrors<K>;
  };
}

export interface FieldProps {
  name: string;
  value: string;
  error: string | undefined;
  onChange(event: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>): void;
  onBlur(event: FocusEvent<HTMLElement>): void;
  inputRef(element: HTMLElement | null): void;
}

export function useForm<K extends string>(options: { initial: Values<K>; validate?: (values: Values<K>) => FieldErrors<K> }) {
  const order = Object.keys(options.initial) as K[];
  const [values, setValues] = useState<Values<K>>(options.initial);
  const [errors, setErrors] = useState<FieldErrors<K>>({});
  const [formError, setFormError] = useState<ApiProblem | null>(null);
  const elements = useRef(new Map<K, HTMLElement>());
  const validate: (values: Values<K>) => FieldErrors<K> = options.validate ?? (() => ({}));

  const focusFirst = (errs: FieldErrors<K>) => {
    const first = order.find((k) => errs[k]);
    if (first) elements.current.get(first)?.focus();
    return first !== undefined;
  };

  /** Re-checks one field against the current values, keeping the other fields' errors as they are. */
  const check = (name: K, next: Values<K>) => setErrors((prev) => ({ ...prev, [name]: validate(next)[name] }));

  return {
    values,
    errors,
    formError,
    setValue(name: K, value: string) {
      setValues((prev) => ({ ...prev, [name]: value }));
    },
    reset(next: Values<K> = options.initial) {
      setValues(next);
      setErrors({});
      setFormError(null);
    },
    field(name: K): FieldProps {
      return {
        name,
        value: values[name],
        error: errors[name],
        onChange(event) {
          const next = { ...values, [name]: event.target.value };
          setValues(next);
          // Once a field shows an error, it updates as the user types (and clears when fixed).
          if (errors[name]) check(name, next);
        },
        onBlur(event) {
          // Focus moving to a button or link (pressed with a pointer, focus moves on mousedown): an error
          // appearing now would shift it away from under the pointer before the click lands. A submit
          // validates everything anyway.
          if ((event.relatedTarget as HTMLElement | null)?.closest("button, a")) return;
          if (values[name] !== "") check(name, values);
        },
        inputRef(element) {
          if (element) elements.current.set(name, element);
          else elements.current.delete(name);
        },
      };
    },
    /** Validates everything; calls `onValid` only when there is nothing to fix. */
    submit(onValid: (values: Values<K>) => void) {
      return (event: FormEvent) => {
        event.preventDefault();
        const errs = validate(values);
        setErrors(errs);
        setFormError(null);
        if (!focusFirst(errs)) onValid(values);
      };
    },
    /** Shows an API error: under its fields when it names them, otherwise above the form. */
    fail(error: unknown) {
      const problem = describeError(error, order);
      setErrors(problem.fieldErrors as FieldErrors<K>);
      setFormError(problem.message ? problem : null);
      focusFirst(problem.fieldErrors as FieldErrors<K>);
      return problem;
    },
  };
}

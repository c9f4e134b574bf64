/**
 * A project's name, description and tags: the one set of fields behind "Pin as project" in the writer and
 * "Edit" on the projects page, so both accept what the schema accepts (200 / 2,000 characters, comma tags).
 */
import type { Ref } from "react";

export const PROJECT_NAME_MAX = 200;
export const PROJECT_DESCRIPTION_MAX = 2000;

export interface ProjectFieldValues {
  name: string;
  description: string;
  tags: string;
}

export function ProjectFields({
  id,
  values,
  onChange,
  nameError,
  nameInvalid,
  nameRef,
}: {
  /** A `useId()` prefix for the inputs' ids. */
  id: string;
  values: ProjectFieldValues;
  onChange: (next: ProjectFieldValues) => void;
  nameError?: string | undefined;
  nameInvalid?: boolean;
  nameRef?: Ref<HTMLInputElement>;
}) {
  const set = (patch: Partial<ProjectFieldValues>) => onChange({ ...values, ...patch });
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-name`}>Project name</label>
        <input
          id={`${id}-name`}
          ref={nameRef}
          type="text"
          value={values.name}
          maxLength={PROJECT_NAME_MAX}
          onChange={(e) => set({ name: e.target.value })}
          aria-invalid={nameInvalid || nameError ? true : undefined}
        />
        {nameError && <p className="field-error">{nameError}</p>}
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>
          Description <span className="optional">(optional)</span>
        </label>
        <textarea
          id={`${id}-description`}
          className="textarea"
          rows={2}
          maxLength={PROJECT_DESCRIPTION_MAX}
          value={values.description}
          onChange={(e) => set({ description: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-tags`}>
          Tags <span className="optional">(optional)</span>
        </label>
        <input
          id={`${id}-tags`}
          type="text"
          value={values.tags}
          placeholder="launch, b2b"
          onChange={(e) => set({ tags: e.target.value })}
          aria-describedby={`${id}-tags-hint`}
        />
        <p className="hint" id={`${id}-tags-hint`}>
          Separate tags with commas.
        </p>
      </div>
    </>
  );
}

/** "Pin as project": keeps a session in the projects list with a name, a description and tags. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { parseTags } from "../../lib/writer.ts";
import { type SessionView, sessionKey, sessionName } from "../../lib/writer-session.ts";
import { Button } from "../SubmitButton.tsx";
import { ProjectFields, type ProjectFieldValues } from "./ProjectFields.tsx";
import w from "./writer.module.css";

export function PinProject({ session }: { session: SessionView["session"] }) {
  const qc = useQueryClient();
  const id = useId();
  const [open, setOpen] = useState(false);
  // The session's title, or its concept while it is untitled: never "New draft" as a project's name.
  const [fields, setFields] = useState<ProjectFieldValues>({
    name: sessionName({ ...session, projectName: null }, 120),
    description: "",
    tags: "",
  });
  const { name, description, tags } = fields;
  const nameRef = useRef<HTMLInputElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);

  const pin = useMutation(
    trpc.writer.projects.pin.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        await Promise.all([
          qc.invalidateQueries({ queryKey: sessionKey(session.id) }),
          qc.invalidateQueries(trpc.writer.projects.pathFilter()),
          qc.invalidateQueries(trpc.writer.sessions.list.pathFilter()),
        ]);
      },
    }),
  );
  const problem = pin.error ? describeError(pin.error, ["name", "description", "tags"]) : null;

  useEffect(() => {
    if (open) nameRef.current?.select();
  }, [open]);

  if (session.pinned) {
    return (
      <Link to="/projects" className={`badge badge-accent ${w.pinned}`}>
        Pinned as a project
      </Link>
    );
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return nameRef.current?.focus();
    pin.mutate({
      sessionId: session.id,
      name: name.trim(),
      ...(description.trim() ? { description: description.trim() } : {}),
      tags: parseTags(tags),
    });
  };

  return (
    <div className={w.pin}>
      <Button
        ref={toggle}
        variant="secondary"
        className="btn-small"
        aria-expanded={open}
        aria-controls={`${id}-form`}
        onClick={() => {
          setFields((f) => (f.name ? f : { ...f, name: sessionName({ ...session, projectName: null }, 120) }));
          setOpen((o) => !o);
        }}
      >
        Pin as project
      </Button>
      {open && (
        <form id={`${id}-form`} className={`${w.pinForm} card`} onSubmit={submit} aria-label="Pin as project" noValidate>
          <ProjectFields id={id} values={fields} onChange={setFields} nameRef={nameRef} nameError={problem?.fieldErrors.name} />
          {problem?.message && (
            <p className="field-error" role="alert">
              {problem.message}
            </p>
          )}
          <div className="form-actions">
            <Button type="submit" className="btn-small" pending={pin.isPending} pendingLabel="Pinning…">
              Pin
            </Button>
            <Button
              variant="ghost"
              className="btn-small"
              onClick={() => {
                setOpen(false);
                toggle.current?.focus();
              }}
            >
              Cancel
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}

/** A new persona by name (and a description); the rest is set on its own page, where it opens. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useNavigate } from "react-router";
import { trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { FormError } from "../../Alert.tsx";
import { Button } from "../../SubmitButton.tsx";

export function CreatePersonaForm() {
  const id = useId();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const create = useMutation(
    trpc.studio.personas.create.mutationOptions({
      onSuccess: (persona) => {
        void qc.invalidateQueries({ queryKey: trpc.studio.personas.list.queryKey() });
        void navigate(`/studio/personas/${persona.id}`);
      },
    }),
  );
  return (
    <form
      className="card stack"
      aria-labelledby={`${id}-heading`}
      onSubmit={(e) => {
        e.preventDefault();
        if (!create.isPending) create.mutate({ name, description });
      }}
    >
      <h2 id={`${id}-heading`}>New persona</h2>
      <FormError problem={create.isError ? describeError(create.error) : null} />
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input type="text" id={`${id}-name`} required maxLength={80} value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description (optional)</label>
        <textarea
          className="textarea"
          id={`${id}-description`}
          rows={3}
          maxLength={2000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
      <div className="form-actions">
        <Button type="submit" pending={create.isPending} pendingLabel="Creating…">
          Create persona
        </Button>
      </div>
    </form>
  );
}

/** Paste a reel link and save it; says at once when the link is not one we can read. */
import { parseReelUrl } from "@inkwell/domain/studio/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { SubmitButton } from "../SubmitButton.tsx";
import { TextField } from "../TextField.tsx";
import s from "./studio.module.css";

export function SaveReelForm() {
  const qc = useQueryClient();
  const [url, setUrl] = useState("");
  const [error, setError] = useState<string | null>(null);
  const save = useMutation(
    trpc.studio.reels.save.mutationOptions({
      onSuccess: () => {
        setUrl("");
        setError(null);
        void qc.invalidateQueries({ queryKey: trpc.studio.reels.list.queryKey() });
      },
      onError: (e) => {
        const problem = describeError(e, ["url"]);
        setError(problem.fieldErrors.url ?? problem.message);
      },
    }),
  );
  return (
    <form
      className={s.saveForm}
      onSubmit={(e) => {
        e.preventDefault();
        if (!parseReelUrl(url)) {
          setError("Paste an Instagram reel, TikTok video or YouTube video link.");
          return;
        }
        save.mutate({ url });
      }}
    >
      <TextField
        label="Reel link"
        name="url"
        onBlur={() => {}}
        inputRef={() => {}}
        hint="Instagram, TikTok or YouTube"
        value={url}
        onChange={(e) => {
          setUrl(e.target.value);
          setError(null);
        }}
        placeholder="https://www.instagram.com/reel/…"
        inputMode="url"
        autoComplete="off"
        error={error ?? undefined}
      />
      <SubmitButton pending={save.isPending}>Save reel</SubmitButton>
    </form>
  );
}

/**
 * The hand editor of an item: title, topic, folder, and the content's parts (sections, cards,
 * questions, prompts: edit, add, remove). The server holds the content to the type's schema and says
 * which part is wrong; part ids are kept, so results and review state still point at the same parts.
 */
import type { StudyContent, StudyItemType } from "@inkwell/domain/study/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { FormError, Status } from "../../Alert.tsx";
import { Button } from "../../SubmitButton.tsx";
import { type ItemView, nextId } from "./labels.ts";
import s from "./library.module.css";

function Field({
  label,
  value,
  onChange,
  long,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  long?: boolean;
}) {
  const id = useId();
  return (
    <div className={s.field}>
      <label htmlFor={id}>{label}</label>
      {long ? (
        <textarea id={id} value={value} rows={5} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input id={id} value={value} onChange={(e) => onChange(e.target.value)} />
      )}
    </div>
  );
}

function ContentEditor<K extends StudyItemType>({
  itemType,
  content,
  onChange,
}: {
  itemType: K;
  content: StudyContent[K];
  onChange: (c: StudyContent[K]) => void;
}) {
  const set = onChange as (c: unknown) => void;
  if (itemType === "study_guide") {
    const c = content as StudyContent["study_guide"];
    const put = (i: number, patch: Partial<(typeof c.sections)[number]>) =>
      set({ sections: c.sections.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
    return (
      <div className="stack">
        {c.sections.map((section, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: sections have no ids; their order is their identity
          <fieldset key={i} className={s.editorPart}>
            <legend>Section {i + 1}</legend>
            <Field label="Heading" value={section.heading} onChange={(heading) => put(i, { heading })} />
            <Field label="Body" long value={section.body} onChange={(body) => put(i, { body })} />
            {c.sections.length > 1 && (
              <Button variant="ghost" onClick={() => set({ sections: c.sections.filter((_, j) => j !== i) })}>
                Remove section {i + 1}
              </Button>
            )}
          </fieldset>
        ))}
        <Button
          variant="secondary"
          onClick={() => set({ sections: [...c.sections, { heading: "New section", body: "Write here.", cites: [] }] })}
        >
          Add a section
        </Button>
      </div>
    );
  }
  if (itemType === "flashcard") {
    const c = content as StudyContent["flashcard"];
    const put = (i: number, patch: Partial<(typeof c.cards)[number]>) =>
      set({ cards: c.cards.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
    return (
      <div className="stack">
        {c.cards.map((card, i) => (
          <fieldset key={card.id} className={s.editorPart}>
            <legend>Card {i + 1}</legend>
            <Field label="Front" value={card.front} onChange={(front) => put(i, { front })} />
            <Field label="Back" long value={card.back} onChange={(back) => put(i, { back })} />
            {c.cards.length > 1 && (
              <Button variant="ghost" onClick={() => set({ cards: c.cards.filter((_, j) => j !== i) })}>
                Remove card {i + 1}
              </Button>
            )}
          </fieldset>
        ))}
        <Button
          variant="secondary"
          onClick={() =>
            set({
              cards: [
                ...c.cards,
                {
                  id: nextId(
                    "c",
                    c.cards.map((x) => x.id),
                  ),
                  front: "Term",
                  back: "Meaning",
                  cites: [],
                },
              ],
            })
          }
        >
          Add a card
        </Button>
      </div>
    );
  }
  if (itemType === "quiz") {
    const c = content as StudyContent["quiz"];
    type Q = (typeof c.questions)[number];
    const put = (i: number, q: Q) => set({ questions: c.questions.map((x, j) => (j === i ? q : x)) });
    return (
      <div className="stack">
        {c.questions.map((q, i) => (
          <fieldset key={q.id} className={s.editorPart}>
            <legend>
              Question {i + 1} ({q.kind.replace("_", " ")})
            </legend>
            <Field label="Question" long value={q.prompt} onChange={(prompt) => put(i, { ...q, prompt })} />
            {q.kind === "multiple_choice" &&
              q.choices.map((choice, k) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: choices are positional (answerIndex points at one)
                <div key={k} className={s.actions}>
                  <Field
                    label={`Choice ${k + 1}`}
                    value={choice}
                    onChange={(v) => put(i, { ...q, choices: q.choices.map((x, m) => (m === k ? v : x)) })}
                  />
                  <label>
                    <input
                      type="radio"
                      name={`answer-${q.id}`}
                      checked={q.answerIndex === k}
                      onChange={() => put(i, { ...q, answerIndex: k })}
                    />{" "}
                    Right answer
                  </label>
                </div>
              ))}
            {q.kind === "true_false" && (
              <label>
                <input type="checkbox" checked={q.answer} onChange={(e) => put(i, { ...q, answer: e.target.checked })} /> The
                statement is true
              </label>
            )}
            {q.kind === "short_answer" && (
              <Field label="Expected answer" long value={q.expected} onChange={(expected) => put(i, { ...q, expected })} />
            )}
            <Field label="Explanation" value={q.explanation} onChange={(explanation) => put(i, { ...q, explanation })} />
            {c.questions.length > 1 && (
              <Button variant="ghost" onClick={() => set({ questions: c.questions.filter((_, j) => j !== i) })}>
                Remove question {i + 1}
              </Button>
            )}
          </fieldset>
        ))}
        <Button
          variant="secondary"
          onClick={() =>
            set({
              questions: [
                ...c.questions,
                {
                  id: nextId(
                    "q",
                    c.questions.map((x) => x.id),
                  ),
                  kind: "true_false",
                  prompt: "New statement.",
                  answer: true,
                  explanation: "",
                  cites: [],
                },
              ],
            })
          }
        >
          Add a true/false question
        </Button>
      </div>
    );
  }
  const c = content as StudyContent["writing_prompt"];
  type P = (typeof c.prompts)[number];
  const put = (i: number, p: P) => set({ prompts: c.prompts.map((x, j) => (j === i ? p : x)) });
  return (
    <div className="stack">
      {c.prompts.map((p, i) => (
        <fieldset key={p.id} className={s.editorPart}>
          <legend>Prompt {i + 1}</legend>
          <Field label="Prompt" long value={p.prompt} onChange={(prompt) => put(i, { ...p, prompt })} />
          <label className={s.field}>
            Minimum words
            <input
              type="number"
              min={0}
              max={5000}
              value={p.minWords}
              onChange={(e) => put(i, { ...p, minWords: Number(e.target.value) || 0 })}
            />
          </label>
          {p.rubric.map((r, k) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rubric lines are positional
            <div key={k} className={s.actions}>
              <Field
                label={`Criterion ${k + 1}`}
                value={r.criterion}
                onChange={(criterion) => put(i, { ...p, rubric: p.rubric.map((x, m) => (m === k ? { ...x, criterion } : x)) })}
              />
              <label className={s.field}>
                Points
                <input
                  type="number"
                  min={1}
                  max={10}
                  value={r.points}
                  onChange={(e) =>
                    put(i, {
                      ...p,
                      rubric: p.rubric.map((x, m) => (m === k ? { ...x, points: Number(e.target.value) || 1 } : x)),
                    })
                  }
                />
              </label>
            </div>
          ))}
        </fieldset>
      ))}
    </div>
  );
}

export function ItemEditor({ item, onDone }: { item: ItemView; onDone: () => void }) {
  const qc = useQueryClient();
  const folders = useQuery(trpc.study.library.folders.list.queryOptions());
  const [title, setTitle] = useState(item.title);
  const [topic, setTopic] = useState(item.topic ?? "");
  const [folderId, setFolderId] = useState(item.folderId ?? "");
  const [content, setContent] = useState<unknown>(item.content);
  const save = useMutation(
    trpc.study.library.items.update.mutationOptions({
      onSuccess: (saved) => {
        // Only the owner edits, so the saved item is the owner's view, answers and all.
        qc.setQueryData(trpc.study.library.items.get.queryKey({ itemId: item.id }), (old) =>
          old ? ({ ...saved, owned: true } as ItemView) : old,
        );
        void qc.invalidateQueries({ queryKey: trpc.study.library.items.pathKey() });
        void qc.invalidateQueries({ queryKey: trpc.study.library.folders.list.queryKey() });
        onDone();
      },
    }),
  );
  return (
    <form
      className="stack"
      aria-label="Edit item"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ itemId: item.id, title, topic: topic || null, folderId: folderId || null, content });
      }}
    >
      <Field label="Title" value={title} onChange={setTitle} />
      <Field label="Topic" value={topic} onChange={setTopic} />
      <label className={s.field}>
        Folder
        <select value={folderId} onChange={(e) => setFolderId(e.target.value)}>
          <option value="">No folder</option>
          {folders.data?.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
      </label>
      <ContentEditor itemType={item.itemType} content={content as StudyContent[typeof item.itemType]} onChange={setContent} />
      <FormError problem={save.isError ? describeError(save.error) : null} />
      <Status tone="info">{null}</Status>
      <div className={s.actions}>
        <Button type="submit" pending={save.isPending} pendingLabel="Saving…">
          Save changes
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/**
 * The content part of the hand editor: one PartList per list in the item's type (sections, cards,
 * questions with their choices, prompts with their rubric lines). Every part it adds is valid as added
 * (a multiple-choice question comes with two choices and the first marked right; a prompt with one rubric
 * line), and lists stay within the schema's bounds (STUDY_LIMITS), so what it hands back parses; the server
 * still checks (an emptied field) and says which part is wrong. Part ids are kept and new ones are random.
 */
import { CONTENT_SCHEMAS, STUDY_LIMITS, type StudyContent, type StudyItemType } from "@inkwell/domain/study/schemas";
import { useId, useState } from "react";
import { nextId } from "./labels.ts";
import s from "./library.module.css";
import { PartList } from "./PartList.tsx";

export function Field({
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

/**
 * A whole number within the schema's bounds. What the user types stays on screen while they type (clearing
 * the field to type 7 must not put a 1 there first and make it 17, then 10); the part gets the typed number
 * held within bounds, and the field shows that number once it loses focus.
 */
function NumberField({
  label,
  value,
  min,
  max,
  onChange,
}: {
  label: string;
  value: number;
  min: number;
  max: number;
  onChange: (v: number) => void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const typed = draft === null ? value : Number(draft);
  const invalid = draft !== null && (draft.trim() === "" || !Number.isInteger(typed) || typed < min || typed > max);
  const id = useId();
  const hint = `${id}-hint`;
  return (
    <div className={s.field}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        step={1}
        value={draft ?? value}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? hint : undefined}
        onChange={(e) => {
          setDraft(e.target.value);
          const n = Math.round(Number(e.target.value));
          if (e.target.value.trim() !== "" && Number.isFinite(n)) onChange(Math.min(max, Math.max(min, n)));
        }}
        onBlur={() => setDraft(null)}
      />
      {invalid && (
        <span id={hint} className="hint">
          A whole number from {min} to {max}; {value} is kept.
        </span>
      )}
    </div>
  );
}

type Quiz = StudyContent["quiz"];
type Question = Quiz["questions"][number];
type WritingPrompt = StudyContent["writing_prompt"]["prompts"][number];

const KIND_LABEL: Record<Question["kind"], string> = {
  multiple_choice: "multiple choice",
  true_false: "true/false",
  short_answer: "short answer",
};

const ids = (parts: { id: string }[]) => parts.map((p) => p.id);

/** One Add button per question kind, each making a question that is valid as it stands. */
const QUESTION_ADDERS: { label: string; make: (qs: Question[]) => Question }[] = [
  {
    label: "Add a multiple-choice question",
    make: (qs) => ({
      id: nextId("q", ids(qs)),
      kind: "multiple_choice",
      prompt: "New question.",
      choices: ["First choice", "Second choice"],
      answerIndex: 0,
      explanation: "",
      cites: [],
    }),
  },
  {
    label: "Add a true/false question",
    make: (qs) => ({
      id: nextId("q", ids(qs)),
      kind: "true_false",
      prompt: "New statement.",
      answer: true,
      explanation: "",
      cites: [],
    }),
  },
  {
    label: "Add a short-answer question",
    make: (qs) => ({
      id: nextId("q", ids(qs)),
      kind: "short_answer",
      prompt: "New question.",
      expected: "The answer.",
      explanation: "",
      cites: [],
    }),
  },
];

/** A multiple-choice question's choices: the right one is carried with its choice, so removing another keeps it right. */
function ChoicesEditor({ q, put }: { q: Extract<Question, { kind: "multiple_choice" }>; put: (q: Question) => void }) {
  const choices = q.choices.map((text, k) => ({ text, right: k === q.answerIndex }));
  return (
    <PartList
      items={choices}
      onChange={(next) =>
        put({
          ...q,
          choices: next.map((c) => c.text),
          answerIndex: Math.max(
            0,
            next.findIndex((c) => c.right),
          ),
        })
      }
      name="Choice"
      min={2}
      max={6}
      rows
      // The right answer goes only after another is chosen: the quiz always has one.
      canRemove={(c) => !c.right}
      adders={[{ label: "Add a choice", make: (cs) => ({ text: `Choice ${cs.length + 1}`, right: false }) }]}
    >
      {(c, putChoice, k) => (
        <>
          <Field label={`Choice ${k + 1}`} value={c.text} onChange={(text) => putChoice({ ...c, text })} />
          <label>
            <input type="radio" name={`answer-${q.id}`} checked={c.right} onChange={() => put({ ...q, answerIndex: k })} /> Right
            answer
          </label>
        </>
      )}
    </PartList>
  );
}

function QuestionFields({ q, put }: { q: Question; put: (q: Question) => void }) {
  return (
    <>
      <Field label="Question" long value={q.prompt} onChange={(prompt) => put({ ...q, prompt })} />
      {q.kind === "multiple_choice" && <ChoicesEditor q={q} put={put} />}
      {q.kind === "true_false" && (
        <label>
          <input type="checkbox" checked={q.answer} onChange={(e) => put({ ...q, answer: e.target.checked })} /> The statement is
          true
        </label>
      )}
      {q.kind === "short_answer" && (
        <Field label="Expected answer" long value={q.expected} onChange={(expected) => put({ ...q, expected })} />
      )}
      <Field label="Explanation" value={q.explanation} onChange={(explanation) => put({ ...q, explanation })} />
    </>
  );
}

function PromptFields({ p, put }: { p: WritingPrompt; put: (p: WritingPrompt) => void }) {
  return (
    <>
      <Field label="Prompt" long value={p.prompt} onChange={(prompt) => put({ ...p, prompt })} />
      <NumberField label="Minimum words" min={0} max={5000} value={p.minWords} onChange={(minWords) => put({ ...p, minWords })} />
      <PartList
        items={p.rubric}
        onChange={(rubric) => put({ ...p, rubric })}
        name="Criterion"
        min={1}
        max={STUDY_LIMITS.rubric}
        rows
        adders={[{ label: "Add a criterion", make: () => ({ criterion: "New criterion", description: "", points: 1 }) }]}
      >
        {(r, putLine, k) => (
          <>
            <Field label={`Criterion ${k + 1}`} value={r.criterion} onChange={(criterion) => putLine({ ...r, criterion })} />
            <NumberField label="Points" min={1} max={10} value={r.points} onChange={(points) => putLine({ ...r, points })} />
          </>
        )}
      </PartList>
    </>
  );
}

/** What the parts of each list are called on screen, by the content's key for the list. */
const PART_NAMES: Record<string, string> = {
  sections: "Section",
  cards: "Card",
  questions: "Question",
  prompts: "Prompt",
  choices: "choice",
  rubric: "criterion",
};

/** The fields' labels, by the content's key. */
const FIELD_NAMES: Record<string, string> = {
  heading: "heading",
  body: "body",
  front: "front",
  back: "back",
  prompt: "text",
  expected: "expected answer",
  explanation: "explanation",
  criterion: "name",
  points: "points",
  minWords: "minimum words",
};

/**
 * The first thing in `content` its schema refuses, named by where it is ("Question 2, choice 1: Cannot be
 * empty."), or null when it parses. The editor checks before sending, so an emptied or too long field is
 * named rather than reported as a bare "Cannot be empty" about one part among many.
 */
export function contentProblem(itemType: StudyItemType, content: unknown): string | null {
  const issue = CONTENT_SCHEMAS[itemType].safeParse(content).error?.issues[0];
  if (!issue) return null;
  const where: string[] = [];
  issue.path.forEach((key, i) => {
    const next = issue.path[i + 1];
    if (typeof key === "string" && typeof next === "number" && PART_NAMES[key]) where.push(`${PART_NAMES[key]} ${next + 1}`);
  });
  const field = issue.path.at(-1);
  const fieldName = typeof field === "string" && FIELD_NAMES[field] ? ` ${FIELD_NAMES[field]}` : "";
  return `${where.length ? `${where.join(", ")}${fieldName}: ` : ""}${issue.message}.`.replace(/\.\.$/, ".");
}

export function ContentEditor<K extends StudyItemType>({
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
    return (
      <PartList
        items={c.sections}
        onChange={(sections) => set({ sections })}
        name="Section"
        min={1}
        max={STUDY_LIMITS.sections}
        adders={[{ label: "Add a section", make: () => ({ heading: "New section", body: "Write here.", cites: [] }) }]}
      >
        {(section, put) => (
          <>
            <Field label="Heading" value={section.heading} onChange={(heading) => put({ ...section, heading })} />
            <Field label="Body" long value={section.body} onChange={(body) => put({ ...section, body })} />
          </>
        )}
      </PartList>
    );
  }
  if (itemType === "flashcard") {
    const c = content as StudyContent["flashcard"];
    return (
      <PartList
        items={c.cards}
        onChange={(cards) => set({ cards })}
        name="Card"
        min={1}
        max={STUDY_LIMITS.cards}
        keyOf={(card) => card.id}
        adders={[
          { label: "Add a card", make: (cards) => ({ id: nextId("c", ids(cards)), front: "Term", back: "Meaning", cites: [] }) },
        ]}
      >
        {(card, put) => (
          <>
            <Field label="Front" value={card.front} onChange={(front) => put({ ...card, front })} />
            <Field label="Back" long value={card.back} onChange={(back) => put({ ...card, back })} />
          </>
        )}
      </PartList>
    );
  }
  if (itemType === "quiz") {
    const c = content as Quiz;
    return (
      <PartList
        items={c.questions}
        onChange={(questions) => set({ questions })}
        name="Question"
        min={1}
        max={STUDY_LIMITS.questions}
        keyOf={(q) => q.id}
        describe={(q) => KIND_LABEL[q.kind]}
        adders={QUESTION_ADDERS}
      >
        {(q, put) => <QuestionFields q={q} put={put} />}
      </PartList>
    );
  }
  const c = content as StudyContent["writing_prompt"];
  return (
    <PartList
      items={c.prompts}
      onChange={(prompts) => set({ prompts })}
      name="Prompt"
      min={1}
      max={STUDY_LIMITS.prompts}
      keyOf={(p) => p.id}
      adders={[
        {
          label: "Add a prompt",
          make: (prompts) => ({
            id: nextId("p", ids(prompts)),
            prompt: "New prompt.",
            rubric: [{ criterion: "Content", description: "", points: 5 }],
            minWords: 0,
          }),
        },
      ]}
    >
      {(p, put) => <PromptFields p={p} put={put} />}
    </PartList>
  );
}

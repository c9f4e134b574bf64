// @vitest-environment jsdom
/**
 * The hand editor's content part: every question kind can be added, choices and rubric lines added and
 * removed, and whatever the buttons do, the content it hands back passes the item type's schema (the
 * one the server saves with): a multiple-choice question keeps two choices and a right one.
 */
import { CONTENT_SCHEMAS, type StudyContent, type StudyItemType } from "@inkwell/domain/study/schemas";
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { ContentEditor, contentProblem } from "./ContentEditor.tsx";
import { STARTER_CONTENT } from "./labels.ts";

afterEach(cleanup);

/** The editor with its content held as the item editor holds it; `latest` is what it handed back last. */
function edit<K extends StudyItemType>(itemType: K, initial: StudyContent[K]) {
  const seen = { latest: initial };
  function Harness() {
    const [content, setContent] = useState(initial);
    return (
      <ContentEditor
        itemType={itemType}
        content={content}
        onChange={(next) => {
          seen.latest = next;
          setContent(next);
        }}
      />
    );
  }
  render(<Harness />);
  return seen;
}

const question = (n: number) => screen.getByRole("group", { name: new RegExp(`^Question ${n} `) });

describe("the item editor's content", () => {
  it("adds a question of every kind, each valid as added", async () => {
    const user = userEvent.setup();
    const quiz = edit("quiz", STARTER_CONTENT.quiz as StudyContent["quiz"]);
    await user.click(screen.getByRole("button", { name: "Add a multiple-choice question" }));
    await user.click(screen.getByRole("button", { name: "Add a short-answer question" }));
    await user.click(screen.getByRole("button", { name: "Add a true/false question" }));

    expect(quiz.latest.questions.map((q) => q.kind)).toEqual(["true_false", "multiple_choice", "short_answer", "true_false"]);
    expect(new Set(quiz.latest.questions.map((q) => q.id)).size).toBe(4);
    expect(CONTENT_SCHEMAS.quiz.safeParse(quiz.latest).error).toBeUndefined();
    expect(question(2).querySelector("legend")?.textContent).toBe("Question 2 (multiple choice)");
    expect(within(question(3)).getByLabelText("Expected answer")).toBeTruthy();

    await user.click(within(question(1)).getByRole("button", { name: "Remove question 1" }));
    expect(quiz.latest.questions.map((q) => q.kind)).toEqual(["multiple_choice", "short_answer", "true_false"]);
  });

  it("adds and removes choices, keeping two and the right answer with its choice", async () => {
    const user = userEvent.setup();
    const quiz = edit("quiz", {
      questions: [
        {
          id: "q1",
          kind: "multiple_choice",
          prompt: "Red planet?",
          choices: ["Venus", "Mars"],
          answerIndex: 1,
          explanation: "",
          cites: [],
        },
      ],
    });
    const q = question(1);
    // Two choices: neither can go.
    expect(within(q).queryByRole("button", { name: /^Remove choice/ })).toBeNull();

    await user.click(within(q).getByRole("button", { name: "Add a choice" }));
    const third = within(q).getByRole("textbox", { name: "Choice 3" });
    await user.clear(third);
    await user.type(third, "Jupiter");
    // Mars is right: its row has no Remove; Venus's has.
    expect(within(within(q).getByRole("group", { name: "Choice 2" })).queryByRole("button")).toBeNull();
    await user.click(within(q).getByRole("button", { name: "Remove choice 1" }));

    const mc = quiz.latest.questions[0] as Extract<StudyContent["quiz"]["questions"][number], { kind: "multiple_choice" }>;
    expect(mc.choices).toEqual(["Mars", "Jupiter"]);
    expect(mc.choices[mc.answerIndex]).toBe("Mars");
    expect(CONTENT_SCHEMAS.quiz.safeParse(quiz.latest).error).toBeUndefined();

    // Another right answer, then the old one can go.
    await user.click(within(within(q).getByRole("group", { name: "Choice 2" })).getByRole("radio", { name: "Right answer" }));
    await user.click(within(q).getByRole("button", { name: "Add a choice" }));
    await user.click(within(q).getByRole("button", { name: "Remove choice 1" }));
    const after = quiz.latest.questions[0] as typeof mc;
    expect(after.choices[after.answerIndex]).toBe("Jupiter");
    expect(CONTENT_SCHEMAS.quiz.safeParse(quiz.latest).error).toBeUndefined();

    // Six at most.
    for (let n = after.choices.length; n < 6; n++) await user.click(within(q).getByRole("button", { name: "Add a choice" }));
    expect((quiz.latest.questions[0] as typeof mc).choices).toHaveLength(6);
    expect(within(q).queryByRole("button", { name: "Add a choice" })).toBeNull();
    expect(CONTENT_SCHEMAS.quiz.safeParse(quiz.latest).error).toBeUndefined();
  });

  it("adds and removes rubric lines and prompts, never below one", async () => {
    const user = userEvent.setup();
    const writing = edit("writing_prompt", STARTER_CONTENT.writing_prompt as StudyContent["writing_prompt"]);
    const prompt = () => screen.getByRole("group", { name: "Prompt 1" });
    expect(within(prompt()).queryByRole("button", { name: /^Remove criterion/ })).toBeNull();

    await user.click(within(prompt()).getByRole("button", { name: "Add a criterion" }));
    const second = within(prompt()).getByRole("textbox", { name: "Criterion 2" });
    await user.clear(second);
    await user.type(second, "Evidence");
    await user.click(within(prompt()).getByRole("button", { name: "Remove criterion 1" }));
    expect(writing.latest.prompts[0]?.rubric.map((r) => r.criterion)).toEqual(["Evidence"]);
    expect(within(prompt()).queryByRole("button", { name: /^Remove criterion/ })).toBeNull();

    await user.click(screen.getByRole("button", { name: "Add a prompt" }));
    expect(writing.latest.prompts).toHaveLength(2);
    expect(CONTENT_SCHEMAS.writing_prompt.safeParse(writing.latest).error).toBeUndefined();
    await user.click(screen.getByRole("button", { name: "Remove prompt 1" }));
    expect(writing.latest.prompts).toHaveLength(1);
    expect(screen.queryByRole("button", { name: /^Remove prompt/ })).toBeNull();
    expect(CONTENT_SCHEMAS.writing_prompt.safeParse(writing.latest).error).toBeUndefined();
  });

  it("keeps the number typed: clearing Points to type 7 gives 7, out of range is held within bounds", async () => {
    const user = userEvent.setup();
    const writing = edit("writing_prompt", STARTER_CONTENT.writing_prompt as StudyContent["writing_prompt"]);
    const points = screen.getByRole("spinbutton", { name: "Points" });
    await user.clear(points);
    await user.type(points, "7");
    expect(points).toHaveProperty("value", "7");
    expect(writing.latest.prompts[0]?.rubric[0]?.points).toBe(7);

    await user.clear(points);
    await user.type(points, "15");
    // Shown as typed and marked, the part holds the most it can; leaving the field shows what is kept.
    expect(points.getAttribute("aria-invalid")).toBe("true");
    expect(writing.latest.prompts[0]?.rubric[0]?.points).toBe(10);
    await user.tab();
    expect(points).toHaveProperty("value", "10");
    expect(CONTENT_SCHEMAS.writing_prompt.safeParse(writing.latest).error).toBeUndefined();

    const words = screen.getByRole("spinbutton", { name: "Minimum words" });
    await user.clear(words);
    await user.type(words, "250");
    expect(writing.latest.prompts[0]?.minWords).toBe(250);
  });

  it("moves focus to the added part, and after a Remove to the part in its place", async () => {
    const user = userEvent.setup();
    edit("quiz", STARTER_CONTENT.quiz as StudyContent["quiz"]);
    await user.click(screen.getByRole("button", { name: "Add a multiple-choice question" }));
    expect(document.activeElement).toBe(within(question(2)).getByRole("textbox", { name: "Question" }));

    await user.click(within(question(2)).getByRole("button", { name: "Add a choice" }));
    expect(document.activeElement).toBe(within(question(2)).getByRole("textbox", { name: "Choice 3" }));
    // Choice 2 goes: focus on the choice now second, not on a Remove that now removes another.
    await user.click(within(question(2)).getByRole("button", { name: "Remove choice 2" }));
    expect(document.activeElement).toBe(within(question(2)).getByRole("textbox", { name: "Choice 2" }));

    // The last question goes: focus on the one before it.
    await user.click(within(question(2)).getByRole("button", { name: "Remove question 2" }));
    expect(document.activeElement).toBe(within(question(1)).getByRole("textbox", { name: "Question" }));
  });

  it("names the part an emptied field is in, before anything is sent", async () => {
    const user = userEvent.setup();
    const quiz = edit("quiz", STARTER_CONTENT.quiz as StudyContent["quiz"]);
    expect(contentProblem("quiz", quiz.latest)).toBeNull();
    await user.click(screen.getByRole("button", { name: "Add a multiple-choice question" }));
    await user.clear(within(question(2)).getByRole("textbox", { name: "Choice 2" }));
    expect(contentProblem("quiz", quiz.latest)).toBe("Question 2, choice 2: Cannot be empty.");
    await user.clear(within(question(1)).getByRole("textbox", { name: "Question" }));
    expect(contentProblem("quiz", quiz.latest)).toBe("Question 1 text: Cannot be empty.");

    const cards = { cards: [{ id: "c1", front: "Term", back: " ", cites: [] }] };
    expect(contentProblem("flashcard", cards)).toBe("Card 1 back: Cannot be empty.");
  });
});

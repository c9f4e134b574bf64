import { describe, expect, it } from "vitest";
import { CRISIS_RESPONSE, type CrisisCategory, classifyCrisis } from "./safety.ts";

const CRISIS: [string, CrisisCategory][] = [
  ["I want to kill myself", "suicide"],
  ["i wanna kms", "suicide"],
  ["im going to kil myslef tonight", "suicide"],
  ["I've been thinking about ending my life", "suicide"],
  ["I don't want to be here anymore", "suicide"],
  ["Everyone would be better off without me.", "suicide"],
  ["honestly i just want to die", "suicide"],
  ["I'm so suicidal lately", "suicide"],
  ["been feeling sucidal for weeks", "suicide"],
  ["I keep having suicidal thoughts", "suicide"],
  ["I wish I was never born", "suicide"],
  ["There's no reason to live", "suicide"],
  ["I have nothing left to live for", "suicide"],
  ["I'm going to end it all", "suicide"],
  ["I wrote a suicide note", "suicide"],
  ["I want to go to sleep and never wake up", "suicide"],
  ["how many sleeping pills would it take to die", "suicide"],
  ["what's the most painless way to kill myself", "suicide"],
  ["I'm thinking about jumping off a bridge", "suicide"],
  ["i dont want to live anymore", "suicide"],
  ["I can't go on like this", "suicide"],
  ["I'm just a burden to everyone", "suicide"],
  ["I would never kill myself, but I think about it a lot", "suicide"],
  ["I'm thinking of committing suicide", "suicide"],
  ["I want to take my own life", "suicide"],
  ["I'm going to overdose tonight", "suicide"],
  ["I just want it all to end", "suicide"],
  ["I hope I don't wake up tomorrow", "suicide"],
  ["nobody would miss me if i was gone", "suicide"],
  ["life isnt worth living", "suicide"],
  ["I feel like ending it", "suicide"],
  ["I'm done with life", "suicide"],
  ["I hate myself and want to disappear", "suicide"],
  ["I've been cutting myself again", "self_harm"],
  ["i want to hurt myself", "self_harm"],
  ["I'm trying not to cut myself tonight", "self_harm"],
  ["I can't stop self-harming", "self_harm"],
  ["I relapsed into self harm last night", "self_harm"],
  ["I'm going to kill my husband", "harm_to_others"],
  ["I want to hurt someone really badly", "harm_to_others"],
  ["im gonna bring a gun to school", "harm_to_others"],
  ["My dad hits me when he's drunk", "abuse"],
  ["my boyfriend chokes me when we argue", "abuse"],
  ["I am being abused at home", "abuse"],
  ["My stepdad touches me at night", "abuse"],
  ["I'm scared to go home", "abuse"],
  ["my husband threatened to kill me", "abuse"],
];

const ORDINARY = [
  "This traffic is killing me",
  "I could kill for a coffee right now",
  "That's a killer app",
  "I'm dying to see the new movie",
  "That joke killed at the party",
  "How do I kill the process on port 3000?",
  "My feet are killing me after that hike",
  "I nearly killed myself laughing at that video",
  "I'd be shooting myself in the foot if I quit now",
  "My mom is going to kill me if I'm late again",
  "In my novel the protagonist tries to kill himself in chapter 3; how do I write it sensitively?",
  'My character says "I want to die" in the final scene. Is that too dark?',
  "The villain in my story threatens to kill everyone in the city",
  "Why did Hitler commit suicide in 1945?",
  "Write a summary of Sylvia Plath's poetry and her suicide",
  "What were the causes of the Rwandan genocide?",
  "How many ibuprofen can I take in a day?",
  "Is it safe to take melatonin with sertraline?",
  "What happens if I miss a dose of my antidepressant?",
  "I cut myself while chopping onions, how do I stop the bleeding?",
  "I hurt myself at the gym yesterday",
  "My brother beat me at chess again",
  "He hit me up last night about the project",
  "I'm not suicidal, just tired of my commute",
  "I don't want to die without seeing Japan",
  "I would never hurt anyone",
  "I don't want to be here at this boring meeting",
  "I'm going to end it with my boyfriend",
  "Let's kill the lights and start the movie",
  "This deadline is going to be the death of me",
  "Write a LinkedIn post about suicide prevention month",
  "I died laughing at your message",
  "Kill two birds with one stone",
  "I don't want to live in London anymore, it's too expensive",
  "kill me now, this meeting is endless",
  "I'm going to kill it at the interview tomorrow",
  "I'd kill to have your job",
  "I want to disappear into a good book this weekend",
];

describe("classifyCrisis", () => {
  it.each(CRISIS)("flags %j as %s", (text, category) => {
    expect(classifyCrisis(text)).toMatchObject({ crisis: true, category, matched: expect.any(String) });
  });

  it.each(ORDINARY)("does not flag %j", (text) => {
    expect(classifyCrisis(text)).toEqual({ crisis: false });
  });

  it("has at least 25 messages on each side", () => {
    expect(CRISIS.length).toBeGreaterThanOrEqual(25);
    expect(ORDINARY.length).toBeGreaterThanOrEqual(25);
  });

  it("still catches first-person statements in a message about a story", () => {
    expect(classifyCrisis("I'm writing a story but honestly I want to die").crisis).toBe(true);
  });

  it("is case and punctuation insensitive and reports what matched", () => {
    expect(classifyCrisis("I WANT TO KILL MYSELF!!!")).toEqual({ crisis: true, category: "suicide", matched: "kill myself" });
  });
});

describe("CRISIS_RESPONSE", () => {
  it("gives emergency guidance, 988, Samaritans, findahelpline.com and someone to trust", () => {
    expect(CRISIS_RESPONSE).toContain("call your local emergency number");
    expect(CRISIS_RESPONSE).toMatch(/call or text 988/);
    expect(CRISIS_RESPONSE).toMatch(/Samaritans on 116 123/);
    expect(CRISIS_RESPONSE).toContain("findahelpline.com");
    expect(CRISIS_RESPONSE).toMatch(/someone you trust/);
  });
});

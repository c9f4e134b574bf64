/**
 * A deterministic, rule-based crisis check for user messages, run before (and independently of) any
 * model. When it fires, the app answers with CRISIS_RESPONSE — fixed, human-written text — instead of
 * (or before) a generated reply. It is a safety net with a strong bias towards catching crises, not a
 * diagnosis; it never blocks anything by itself.
 *
 * How it reads a message:
 * 1. Normalisation: lower case, curly quotes straightened, common contractions and chat spellings
 *    expanded ("im" / "i'm" → "i am", "dont" → "do not", "wanna" → "want to", "kms" → "kill myself",
 *    "my self" / "myslef" → "myself", "kil" → "kill", "sucide" / "suicde" → "suicide", …), punctuation
 *    reduced to sentence breaks (" . ") so a phrase never spans two sentences.
 * 2. Fiction: when the message talks about a story (character, protagonist, novel, scene, chapter,
 *    script, poem, villain, …) quoted dialogue is ignored; unquoted first-person statements still count.
 * 3. Phrase rules with word boundaries, per category, in the order suicide → self_harm →
 *    harm_to_others → abuse. Rules are first person and explicit (intent, ideation, plans, method
 *    seeking such as "lethal dose", disclosures of abuse), never a bare keyword: "suicide" in a history
 *    question or "kill" in "kill the process", "killer app", "this traffic is killing me", "I could kill
 *    for a coffee", "dying to see it", "that joke killed", "shoot myself in the foot" do not match.
 * 4. Negation: only where it flips the meaning — "I don't want to die", "I'm not suicidal", "I would
 *    never hurt anyone" are not crises. Negated self-directed statements such as "I would never kill
 *    myself" are deliberately still treated as a crisis: people often say that alongside real
 *    ideation, and showing the support text to someone who is fine costs little.
 */

export type CrisisCategory = "self_harm" | "suicide" | "harm_to_others" | "abuse";

export interface CrisisResult {
  crisis: boolean;
  category?: CrisisCategory;
  /** The part of the (normalised) message that matched, for logs and review. */
  matched?: string;
}

/** Shown verbatim (never model-written) when classifyCrisis fires. */
export const CRISIS_RESPONSE = `I'm really sorry you're going through this, and I'm glad you said something. You don't have to face it alone, and you deserve support from a real person right now.

If you are in immediate danger, please call your local emergency number now.

You can talk to someone at any hour, for free and in confidence:
- US: call or text 988 (988 Suicide & Crisis Lifeline).
- UK & Ireland: call Samaritans on 116 123.
- Anywhere else: findahelpline.com lists free, confidential helplines in your country.

It can also help to reach out to someone you trust — a friend, a family member, a teacher, a doctor — and tell them how you're feeling. If you'd like, I'm still here to keep talking.`;

const FICTION =
  /\b(character|characters|protagonist|antagonist|villain|heroine|novel|story|stories|screenplay|script|scene|chapter|poem|fanfic|fan fiction|plot|narrator|episode|in the (film|movie|book|show|play))\b/;

const REPLACEMENTS: [RegExp, string][] = [
  [/[’‘`´]/g, "'"],
  [/[“”]/g, '"'],
  [/\bself[\s-]*harm/g, "selfharm"],
  [/\b(can't|cant|cannot)\b/g, "can not"],
  [/\b(won't|wont)\b/g, "will not"],
  [/\b(i'm|im|iam)\b/g, "i am"],
  [/\b(i've|ive)\b/g, "i have"],
  [/\b(i'd|id)\b(?= (never|rather|be|like|want|love|just|sooner|kill|hurt))/g, "i would"],
  [/\b(i'll|ill)\b(?= (never|just|kill|hurt|end|do|be|go|take|jump|shoot|stab|make))/g, "i will"],
  [/\b(do|does|did|would|should|could|is|was|are|have|has)n'?t\b/g, "$1 not"],
  [/\b(wanna)\b/g, "want to"],
  [/\b(gonna)\b/g, "going to"],
  [/\b(gotta)\b/g, "got to"],
  [/\bkms\b/g, "kill myself"],
  [/\bkmself\b/g, "kill myself"],
  [/\bunalive\b/g, "kill"],
  [/\bsewerslide\b/g, "suicide"],
  [/\b(my ?self|my slef|myslef|mysef|mysefl|myslf|meself|mself)\b/g, "myself"],
  [/\b(kil|kll|kiil)\b/g, "kill"],
  [/\b(killin)\b/g, "killing"],
  [/\bsu?i?ci?d(?:i|e)?al\b/g, "suicidal"],
  [/\bsu?i?ci?de\b/g, "suicide"],
  [/\b(u)\b/g, "you"],
  [/\b(anymore|any more|no more|any longer)\b/g, "anymore"],
  [/\b(ppl)\b/g, "people"],
  [/\b(b)\b(?= here)/g, "be"],
];

/** Lower case, contractions expanded, sentence punctuation kept as " . ", other punctuation dropped. */
export function normalizeForSafety(text: string): string {
  let t = text.normalize("NFKC").toLowerCase();
  for (const [pattern, replacement] of REPLACEMENTS) t = t.replace(pattern, replacement);
  return ` ${t
    .replace(/[.!?;:\n]+/g, " . ")
    .replace(/[^a-z0-9'. ]+/g, " ")
    .replace(/'/g, "")
    .replace(/\s+/g, " ")
    .trim()} `;
}

const NEG = /\b(not|never|no)\b/;
const END = "(?= anymore| \\.|\\s*$| ever| again| another day| like this)";

const PERSON =
  "(him|her|them|someone|somebody|anyone|anybody|everyone|everybody|people|that (guy|man|woman|person|kid|bitch|bastard)|the (kids|children|baby)|my (wife|husband|partner|ex|boyfriend|girlfriend|boss|mom|mother|mum|dad|father|parents|brother|sister|son|daughter|kids?|children|baby|child|neighbou?r|roommate|teacher|coworker|classmates?|family|stepdad|stepmom|stepfather|stepmother))";
const ABUSER =
  "(he|she|they|my (husband|wife|partner|boyfriend|girlfriend|dad|father|mom|mother|mum|stepdad|stepfather|stepmom|stepmother|uncle|aunt|brother|sister|parents|ex|coach|teacher|boss|grandpa|grandfather|cousin|babysitter))";

interface Rule {
  category: CrisisCategory;
  pattern: RegExp;
  /** A "not" / "never" / "no" just before the match (inside it, for harm_to_others) means it is not a crisis. */
  negatable?: boolean;
}

const r = (category: CrisisCategory, source: string, negatable = false): Rule => ({
  category,
  pattern: new RegExp(source),
  negatable,
});

const RULES: Rule[] = [
  // Suicide: killing oneself, ending one's life, wanting to die, method seeking, hopelessness about living.
  r(
    "suicide",
    "\\b(kill|killing|killed|end|ending|off|offing|hang|hanging|shoot|shooting|drown|drowning|poison|poisoning|gas|electrocute|overdose on|od on) myself\\b(?! (laughing|in the foot|with laughter|at work|working|studying))",
  ),
  r("suicide", "\\b(end|ending|take|taking|finish) (my|my own) life\\b"),
  r(
    "suicide",
    "\\b(i am|i feel|i felt|i have been|been|been feeling|feeling|getting|i get|i was|i keep|i am getting) (so |really |very |pretty |kind of |kinda |a bit |a little |extremely |quite |super |always |constantly )?suicidal\\b",
    true,
  ),
  r(
    "suicide",
    "\\b(having|have|had|get|getting|my|i keep having) (these |some |constant |bad |strong )?suicidal (thoughts?|feelings?|ideation|urges?)\\b",
    true,
  ),
  r(
    "suicide",
    "\\b(want to|going to|will|plan to|planning to|planning on|thinking of|thinking about|thought about|think about|considering|about to|i might|should i|i should|i could|ready to|decided to|i want to|i am going to|tried to|attempted) (commit |committing |attempting )?suicide\\b",
  ),
  r("suicide", "\\b(my|wrote|writing|written|write|made|making|left|leave|leaving) (a |my )?suicide (note|plan|letter)\\b"),
  r(
    "suicide",
    "\\b(want|wanted|wanting|wish|wishing|going|ready|about|plan|planning|trying|tried|deserve|need|deserved) to (die|be dead|not exist|stop existing|not be alive|disappear forever)\\b",
    true,
  ),
  r("suicide", "\\b(i|i just|i really) (should|deserve to|need to|must) (just )?die\\b"),
  r(
    "suicide",
    "\\bwish (i|that i) (was|were|had|could|would) (dead|never born|not born|not alive|not here|gone|just die|die|disappear|not wake up|never wake up|not exist|never existed|never been born)\\b",
  ),
  r("suicide", "\\bbetter off (dead|without me|if i (was|were) (gone|dead|not here|never born|not around))\\b"),
  r(
    "suicide",
    `\\b(do not|dont|not|no longer|never) (want|wanna|wish) to (be here|live|be alive|exist|wake up|go on|keep going|keep living|be around)${END}`,
  ),
  r(
    "suicide",
    "\\b(do not|dont|no longer) (want|wish) to (live|be alive|exist)\\b(?! (in|at|with|near|there|here|like|without|on))",
  ),
  r(
    "suicide",
    "\\b(no|not any|nothing|no more|not a single) (reason|point|reasons) (to|in|for) (live|living|going on|being alive|keep going|staying alive|being here|me being here|carry on|life)\\b",
  ),
  r("suicide", "\\bnothing (left )?to live for\\b"),
  r("suicide", `\\b(can not|could not|unable to) (go on|keep going|keep living|live like this|carry on|do life)${END}`),
  r("suicide", "\\b(end|ending) it all\\b"),
  r(
    "suicide",
    "\\b(i am going to|i will|want to|going to|i should|i might|just|planning to|ready to|thinking about|thinking of|about to|time to|decided to) (end|ending) it\\b(?! (with|for|between|off|now that|early|there|here|at))",
  ),
  r(
    "suicide",
    "\\b(want|going|plan|planning|thinking about|thinking of|about|ready|i will|i might|i could|i should) (to )?(jump|jumping) (off|from|in front of) (a |the |this |that |my )?(bridge|building|roof|rooftop|cliff|balcony|window|train|bus|car|truck|tower|overpass|ledge)\\b",
  ),
  r(
    "suicide",
    "\\b(take|taking|swallow|swallowing|down|downing|took) (all|every one|the whole bottle|a whole bottle|a bottle|a bunch|a lot) (of )?(my|the|these|those|of my|of the)? ?(pills|meds|medication|tablets|sleeping pills|painkillers)( at once| and| so| to)\\b",
  ),
  r(
    "suicide",
    "\\b(i want to|i am going to|going to|i will|i might|i plan to|planning to|thinking about|thinking of|want to) (overdose|od)\\b",
  ),
  r(
    "suicide",
    "\\b(how|best way|easiest way|painless way|quickest way|fastest way|quick way|way|ways|methods?) (to|of|for) (kill myself|killing myself|die painlessly|end my life|ending my life|commit suicide|committing suicide|suicide|die quickly|die fast|die without pain)\\b",
  ),
  r("suicide", "\\b(painless|quick|easy|peaceful) (way|ways|death|method) to die\\b"),
  r("suicide", "\\blethal (dose|amount)\\b"),
  r(
    "suicide",
    "\\bhow many [a-z0-9 ]{1,40}(to|would|will|does it take to) (die|kill (me|myself|a person|someone)|be fatal|be lethal|overdose|od)\\b",
  ),
  r("suicide", "\\b(go to sleep|fall asleep|sleep) and (never|not) wake up\\b"),
  r("suicide", "\\b(hope|wish|want|pray|praying|hoping) (that )?(i|to) (never|do not|will not|would not|dont) wake up\\b"),
  r(
    "suicide",
    "\\b(i am|i feel like|i feel) (just |such |only )?(a|such a) (burden|waste of space)( to| on| for)? (everyone|everybody|my family|the world|people)\\b",
  ),
  r(
    "suicide",
    "\\b(want|need) (it|everything|this|it all|this all|all of this|the pain) (all )?to (end|stop) (forever|for good|permanently)\\b",
  ),
  r("suicide", "\\b(want|need) (it|everything|this|it all|all of this) (all )?to end\\b"),
  r("suicide", "\\b(disappear|vanish) (forever|for good|permanently)\\b"),
  r("suicide", `\\b(want|wanna|wish i could|need) to (disappear|vanish|not wake up|sleep forever)${END}`, true),
  r(
    "suicide",
    "\\b(feel like|feeling like|thinking about|thinking of|considering|close to) (ending it|ending my life|dying|not being here|not existing|giving up on life)\\b",
  ),
  r(
    "suicide",
    "\\b(nobody|no one|noone) (would|will|is going to) (miss|care|notice) (about )?(me )?(if|when) i (was|were|am|died|die|disappeared|disappear|was gone|were gone|am gone|killed)\\b",
  ),
  r(
    "suicide",
    "\\bi (am|feel) (so |just |completely |really )?(done with|tired of|sick of) (life|living|being alive|existing)\\b",
  ),
  r("suicide", "\\b(my )?(life|living) (is not|was not|is no longer) worth (living|it)\\b"),
  r("suicide", "\\b(world|everyone|everybody|they|my family) (would be|will be|is) better (off )?without me\\b"),
  r("suicide", "\\bi (have|own|bought|got) (a |the )?(rope|gun|pills) (ready|to end|for myself|and a plan)\\b"),
  // Self-harm.
  r(
    "self_harm",
    "\\b(want|wanted|need|going|urge|urges|tempted|trying not|started|start|about|planning|plan) to (cut|hurt|harm|burn|punish|scratch|starve|bruise|hit|injure) myself\\b",
    true,
  ),
  r(
    "self_harm",
    "\\b(been|keep|kept|started|stop|i am|i was|i have been|i still|relapsed|relapse|addicted to|habit of) (cutting|hurting|harming|burning|scratching|starving|hitting|injuring) myself\\b",
  ),
  r(
    "self_harm",
    "\\b(cut|cutting|hurt|hurting|harm|harming|harmed|burned|burnt|burning|injured|hit) myself (again|on purpose|deliberately|intentionally|to feel|because i|when i|so i)\\b",
  ),
  r(
    "self_harm",
    "\\b(i|i have|i still|i used to|been|started|start to|urge to|urges to|want to|relapsed|relapsed into|my|keep|thinking about|i am|to) selfharm",
    true,
  ),
  r("self_harm", "\\b(stop|stopping|quit|quitting|relapsed|relapse|urge|urges|been) (to |into )?selfharm"),
  r("self_harm", "\\b(cut|cutting) (my )?(wrists?|arms?|thighs?|legs?)\\b(?! (on|while|by accident|accidentally))"),
  r("self_harm", "\\b(i|i really|i just) (deserve|need) (the )?(pain|to hurt|to suffer|to be punished)\\b"),
  // Harm to others: first person, an act of violence, a person as the object.
  r(
    "harm_to_others",
    `\\bi\\b[a-z ]{0,40}?\\b(kill|killing|murder|murdering|stab|stabbing|shoot|shooting|strangle|strangling|hurt|hurting|poison|poisoning|beat up|beating up|choke|choking|attack|attacking|slit)\\b (${PERSON})\\b(?! (at|in) (chess|a game|cards|poker|games|tennis|golf|mario))`,
    true,
  ),
  r(
    "harm_to_others",
    "\\b(shoot|shooting|shoot up|blow up|bomb|bombing) (up )?(the|my|a|our) (school|office|church|mosque|synagogue|mall|workplace|class|classroom|campus|concert)\\b",
  ),
  r(
    "harm_to_others",
    "\\b(bring|bringing|take|taking) (a |my |the )?(gun|knife|weapon|bomb|rifle) to (school|work|class|the office|church|campus)\\b",
  ),
  // Abuse: disclosures of violence or sexual abuse against the writer.
  r(
    "abuse",
    `\\b${ABUSER} (hits|hit|beats|beat|kicks|kicked|chokes|choked|slaps|slapped|punches|punched|rapes|raped|molests|molested|abuses|abused|strangles|strangled|burns|burned|assaults|assaulted|hurts|hurt) me\\b(?! (at|in|to|up|with a|with an|with his idea|with her idea|back|by|on the|first))`,
  ),
  r("abuse", `\\b${ABUSER} (touches|touched|keeps touching) me (inappropriately|down there|there|at night|when|where|in my)\\b`),
  r(
    "abuse",
    "\\bi (am|was|have been|get|got|keep getting|am being|was being) (being )?(abused|raped|molested|sexually assaulted|assaulted|groomed|trafficked)\\b",
  ),
  r(
    "abuse",
    `\\bi (am|was|get|got|have been) (being )?(beaten|hit|choked|strangled|slapped|kicked) (up )?(by ${ABUSER}|at home|every (day|night|week)|again)\\b`,
  ),
  r("abuse", "\\b(sexually|physically|emotionally) (abused|abusing|abuses|assaulted) me\\b"),
  r(
    "abuse",
    "\\b(my|i am in an|in an|i live with an?|i live in an?) (abusive|violent) (husband|wife|partner|boyfriend|girlfriend|relationship|parents?|father|mother|dad|mom|home|family|household|marriage|stepdad|stepfather)\\b",
  ),
  r("abuse", "\\b(afraid|scared|terrified) to go home\\b"),
  r(
    "abuse",
    `\\b${ABUSER} (threatens|threatened|threatening|keeps threatening|said he would|said she would|says he will|says she will|said they would|swore to|is going to) (to )?(kill|hurt|beat) me\\b(?! if i (lose|forget|eat|miss|break|spoil|am late))`,
  ),
  r(
    "abuse",
    `\\b(someone|somebody|${ABUSER}) (is|are|keeps|keep) (hurting|abusing|hitting|beating|touching|raping|molesting) me\\b`,
  ),
];

function stripQuotedDialogue(text: string): string {
  return text.replace(/"[^"]*"|“[^”]*”|'[^']{6,}'/g, " ");
}

/** Whether a message needs the crisis response, and why (see the module comment for the rules). */
export function classifyCrisis(text: string): CrisisResult {
  let source = text;
  if (FICTION.test(text.toLowerCase())) source = stripQuotedDialogue(source);
  const normalized = normalizeForSafety(source);
  for (const rule of RULES) {
    for (const match of normalized.matchAll(new RegExp(rule.pattern.source, "g"))) {
      if (rule.negatable) {
        const before =
          normalized
            .slice(Math.max(0, (match.index ?? 0) - 16), match.index)
            .split(" . ")
            .at(-1) ?? "";
        // The subject is inside harm_to_others matches ("i would never hurt anyone"); elsewhere it comes before.
        if (rule.category === "harm_to_others" && NEG.test(match[0])) continue;
        if (/\b(not|never|no|nor)\s*$/.test(before) || /\b(would|will|could) never\b/.test(before)) continue;
      }
      return { crisis: true, category: rule.category, matched: match[0].trim() };
    }
  }
  return { crisis: false };
}

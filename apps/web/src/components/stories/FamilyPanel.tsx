/**
 * The family of a campaign: owners invite by e-mail (the worker mails a single-use link), change roles
 * and remove people; anyone may leave (the only owner is told to name another owner first).
 */
import { MEMBER_ROLES, type MemberRole } from "@inkwell/domain/stories/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useNavigate } from "react-router";
import { type Outputs, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { FormError, Status } from "../Alert.tsx";
import { SubmitButton } from "../SubmitButton.tsx";
import { Field } from "./Field.tsx";
import s from "./stories.module.css";

type Campaign = Outputs["stories"]["campaigns"]["get"];

export function FamilyPanel({ campaign }: { campaign: Campaign }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const members = useQuery(trpc.stories.family.list.queryOptions({ campaignId: campaign.id }));
  const [sent, setSent] = useState("");
  const refresh = () => qc.invalidateQueries(trpc.stories.pathFilter());
  const invite = useMutation(
    trpc.stories.family.invite.mutationOptions({
      onSuccess: (m) => {
        setSent(`Invitation sent to ${m.email}.`);
        return refresh();
      },
    }),
  );
  const changeRole = useMutation(trpc.stories.family.changeRole.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.stories.family.remove.mutationOptions({ onSuccess: refresh }));
  const leave = useMutation(
    trpc.stories.family.leave.mutationOptions({
      onSuccess: async () => {
        await refresh();
        void navigate("/stories");
      },
    }),
  );
  const isOwner = campaign.myRole === "owner";
  const problem = [invite, changeRole, remove, leave].map((m) => m.error).find(Boolean);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    invite.mutate(
      {
        campaignId: campaign.id,
        email: String(f.get("email") ?? ""),
        name: String(f.get("name") ?? ""),
        role: String(f.get("role")) as MemberRole,
      },
      { onSuccess: () => form.reset() },
    );
  }

  return (
    <section aria-label="Family">
      <FormError problem={problem ? describeError(problem, ["email"]) : null} />
      <Status>{sent}</Status>
      {isOwner && (
        <form className={`card ${s.form}`} onSubmit={submit} aria-label="Invite a family member">
          <h2>Invite a family member</h2>
          <Field label="E-mail" name="email" type="email" required />
          <Field label="Name" name="name" optional maxLength={80} />
          <div className="field">
            <label htmlFor="invite-role">Role</label>
            <select id="invite-role" name="role" defaultValue="contributor">
              <option value="contributor">Contributor: adds and edits stories</option>
              <option value="viewer">Viewer: reads and comments</option>
              <option value="owner">Owner: runs the campaign</option>
            </select>
          </div>
          <SubmitButton pending={invite.isPending} pendingLabel="Sending…">
            Send invitation
          </SubmitButton>
        </form>
      )}
      <h2>{isOwner ? "Everyone" : "You"}</h2>
      <ul className={s.list} aria-label="Family members">
        {members.data?.map((m) => (
          <li key={m.id} className={s.item}>
            <div>
              <strong>{m.name ?? m.email}</strong>
              <div className={s.meta}>
                {m.email} · {m.status === "invited" ? "invited, not joined yet" : m.role}
                {m.isPrimaryOwner ? " · main owner" : ""}
                {m.isMe ? " · you" : ""}
              </div>
            </div>
            {isOwner && !m.isPrimaryOwner && (
              <div className={s.row}>
                <label className="visually-hidden" htmlFor={`role-${m.id}`}>
                  Role of {m.email}
                </label>
                <select
                  id={`role-${m.id}`}
                  value={m.role}
                  onChange={(e) => changeRole.mutate({ memberId: m.id, role: e.target.value as MemberRole })}
                >
                  {MEMBER_ROLES.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
                <button type="button" className="btn btn-secondary btn-small" onClick={() => remove.mutate({ memberId: m.id })}>
                  {m.status === "invited" ? "Withdraw" : "Remove"}
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
      <p>
        <button type="button" className="btn btn-danger" onClick={() => leave.mutate({ campaignId: campaign.id })}>
          Leave this campaign
        </button>
      </p>
    </section>
  );
}

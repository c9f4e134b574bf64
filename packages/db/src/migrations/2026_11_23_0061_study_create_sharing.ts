import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Sharing (issue 15.5) and user-to-user notifications (15.6).
 *
 * - `shared_quizzes`: a quiz link (`/q/<token>`). The quiz content is copied at share time (a snapshot: the
 *   owner editing the item later does not change what takers see), only the SHA-256 of the 256-bit token
 *   is stored (so the owner sees the full link once, right after creating it, and makes a new one if they
 *   lose it). Anonymous takers never touch the table as a user: the public procedures run as the system
 *   role, which may read a link and bump its access count.
 * - `shared_quiz_attempts`: what anonymous takers scored; the link's owner reads them.
 * - `shared_materials`: an item shared with one user (by e-mail) or publicly by link (`/s/<token>`, live:
 *   it follows edits). A share is either to a user or a public token, never both. The sharer is `user_id`
 *   (the owner, or a recipient re-sharing where their own share allows it).
 * - `study_items` gains a SELECT policy: a user reads an item shared with them while the share is
 *   unrevoked and unexpired.
 * - `notifications` gains sender, material and expiry. `dedupe_key` and UNIQUE (user_id, dedupe_key)
 *   exist since 0004 (a NULL key never conflicts). Writing a notification into ANOTHER user's bell goes
 *   only through `app.send_notification` (SECURITY DEFINER, as the codebase's other cross-user writes):
 *   the sender is always the caller, the kind one of the user-to-user kinds, the dedupe key namespaced by
 *   the sender, and a sender may send at most 60 an hour (a share spree cannot flood someone's bell).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const me = "(SELECT app.current_user_id())";

  await sql`
    CREATE TABLE shared_quizzes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      item_id uuid REFERENCES study_items(id) ON DELETE SET NULL,
      token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
      title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
      topic text CHECK (char_length(topic) <= 500),
      quiz jsonb NOT NULL CHECK (jsonb_typeof(quiz) = 'object'),
      expires_at timestamptz,
      access_count integer NOT NULL DEFAULT 0 CHECK (access_count >= 0),
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX shared_quizzes_user_created_idx ON shared_quizzes (user_id, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX shared_quizzes_item_idx ON shared_quizzes (item_id) WHERE item_id IS NOT NULL`.execute(db);
  await touchUpdatedAt(db, "shared_quizzes");
  const ownItem = (column: string, table: string) =>
    `(${column} IS NULL OR EXISTS (SELECT 1 FROM study_items i WHERE i.id = ${table}.${column} AND i.user_id = ${me}))`;
  await enableRls(db, "shared_quizzes", {
    user: { select: "user_id", update: "user_id", delete: "user_id" },
    // Only the caller's own quiz may be shared as a link (a foreign key is checked without row security).
    userExpr: { insert: `user_id = ${me} AND ${ownItem("item_id", "shared_quizzes")}` },
    userColumnUpdates: ["revoked_at"],
    // Public reads by token and the access count.
    system: ["SELECT", "UPDATE"],
  });

  await sql`
    CREATE TABLE shared_quiz_attempts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      shared_quiz_id uuid NOT NULL REFERENCES shared_quizzes(id) ON DELETE CASCADE,
      display_name text CHECK (char_length(display_name) <= 60),
      summary jsonb NOT NULL CHECK (jsonb_typeof(summary) = 'object'),
      answers jsonb NOT NULL CHECK (jsonb_typeof(answers) = 'array'),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX shared_quiz_attempts_quiz_idx ON shared_quiz_attempts (shared_quiz_id, created_at DESC)`.execute(db);
  await enableRls(db, "shared_quiz_attempts", {
    userExpr: {
      select: `EXISTS (SELECT 1 FROM shared_quizzes q WHERE q.id = shared_quiz_attempts.shared_quiz_id AND q.user_id = ${me})`,
    },
    system: ["SELECT", "INSERT"],
  });

  await sql`
    CREATE TABLE shared_materials (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      material_id uuid NOT NULL REFERENCES study_items(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      shared_with_user_id uuid REFERENCES users(id) ON DELETE CASCADE,
      token_hash bytea UNIQUE CHECK (length(token_hash) = 32),
      public_access_enabled boolean NOT NULL DEFAULT false,
      allow_resharing boolean NOT NULL DEFAULT false,
      -- A re-share: the recipient's own share it was made under (set by a trigger, never by the caller). It
      -- gives access only while every share up the chain is live and allows re-sharing, and goes with it.
      parent_share_id uuid REFERENCES shared_materials(id) ON DELETE CASCADE,
      access_count integer NOT NULL DEFAULT 0 CHECK (access_count >= 0),
      expires_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (
        (shared_with_user_id IS NOT NULL AND token_hash IS NULL AND NOT public_access_enabled)
        OR (shared_with_user_id IS NULL AND token_hash IS NOT NULL AND public_access_enabled)
      ),
      CHECK (shared_with_user_id IS DISTINCT FROM user_id)
    )`.execute(db);
  // One live share of a material per recipient (sharing again updates it).
  await sql`CREATE UNIQUE INDEX shared_materials_recipient_idx ON shared_materials (material_id, shared_with_user_id) WHERE shared_with_user_id IS NOT NULL AND revoked_at IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX shared_materials_with_me_idx ON shared_materials (shared_with_user_id, created_at DESC) WHERE shared_with_user_id IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX shared_materials_user_idx ON shared_materials (user_id, created_at DESC)`.execute(db);
  await touchUpdatedAt(db, "shared_materials");
  // Policies of study_items and shared_materials read each other (an item is readable through a share; a
  // share may be made of an item one owns or received with re-sharing allowed). Policies that query each
  // other's tables recurse, so both questions are SECURITY DEFINER functions owned by the system role
  // (as app.campaign_role is for campaigns): STABLE, search_path pinned, about the calling user only.
  // A share is live when it and every share up its re-share chain are unrevoked and unexpired, and every
  // share above it still allows re-sharing: a re-share never outlives the share it came from.
  await sql`
    CREATE FUNCTION app.material_share_live(p_share uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
      WITH RECURSIVE chain AS (
        SELECT s.id, s.parent_share_id, s.revoked_at, s.expires_at, s.allow_resharing, 0 AS depth
          FROM public.shared_materials s WHERE s.id = p_share
        UNION ALL
        SELECT p.id, p.parent_share_id, p.revoked_at, p.expires_at, p.allow_resharing, c.depth + 1
          FROM public.shared_materials p JOIN chain c ON p.id = c.parent_share_id
         WHERE c.depth < 64
      )
      SELECT coalesce(bool_and(revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) AND (depth = 0 OR allow_resharing)), false)
             AND EXISTS (SELECT 1 FROM chain WHERE parent_share_id IS NULL)
        FROM chain
    $$`.execute(db);
  await sql`
    CREATE FUNCTION app.study_item_shared_with_me(p_item uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
      SELECT EXISTS (SELECT 1 FROM public.shared_materials s
                      WHERE s.material_id = p_item AND s.shared_with_user_id = app.current_user_id()
                        AND s.revoked_at IS NULL AND (s.expires_at IS NULL OR s.expires_at > now())
                        AND (s.parent_share_id IS NULL OR app.material_share_live(s.id)))
    $$`.execute(db);
  await sql`
    CREATE FUNCTION app.may_share_study_item(p_item uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
      SELECT EXISTS (SELECT 1 FROM public.study_items i WHERE i.id = p_item AND i.user_id = app.current_user_id())
          OR EXISTS (SELECT 1 FROM public.shared_materials r
                      WHERE r.material_id = p_item AND r.shared_with_user_id = app.current_user_id() AND r.allow_resharing
                        AND r.revoked_at IS NULL AND (r.expires_at IS NULL OR r.expires_at > now())
                        AND (r.parent_share_id IS NULL OR app.material_share_live(r.id)))
    $$`.execute(db);
  // The chain link is decided here, not by the caller: a share made by the item's owner has none; a
  // re-share hangs under the sharer's own live share that allows re-sharing (the insert policy refuses
  // the row when there is none).
  await sql`
    CREATE FUNCTION app.shared_materials_set_parent() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
      -- A recipient's share that is no longer live (its chain ended or it expired) gives way to the new one.
      IF NEW.shared_with_user_id IS NOT NULL THEN
        UPDATE public.shared_materials SET revoked_at = now()
         WHERE material_id = NEW.material_id AND shared_with_user_id = NEW.shared_with_user_id
           AND revoked_at IS NULL AND NOT app.material_share_live(id);
      END IF;
      NEW.parent_share_id := NULL;
      IF NOT EXISTS (SELECT 1 FROM public.study_items i WHERE i.id = NEW.material_id AND i.user_id = NEW.user_id) THEN
        SELECT r.id INTO NEW.parent_share_id FROM public.shared_materials r
         WHERE r.material_id = NEW.material_id AND r.shared_with_user_id = NEW.user_id AND r.allow_resharing
           AND r.revoked_at IS NULL AND (r.expires_at IS NULL OR r.expires_at > now())
         LIMIT 1;
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER shared_materials_set_parent BEFORE INSERT ON shared_materials
    FOR EACH ROW EXECUTE FUNCTION app.shared_materials_set_parent()`.execute(db);
  await sql`ALTER FUNCTION app.shared_materials_set_parent() OWNER TO inkwell_system`.execute(db);
  // A trigger function runs without EXECUTE (checked only when the trigger is made): nobody calls it.
  await sql`REVOKE ALL ON FUNCTION app.shared_materials_set_parent() FROM PUBLIC`.execute(db);
  for (const fn of ["app.material_share_live(uuid)", "app.study_item_shared_with_me(uuid)", "app.may_share_study_item(uuid)"]) {
    await sql.raw(`ALTER FUNCTION ${fn} OWNER TO inkwell_system`).execute(db);
    await sql.raw(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`).execute(db);
    await sql.raw(`GRANT EXECUTE ON FUNCTION ${fn} TO inkwell_user, inkwell_system`).execute(db);
  }
  // Who may share: the item's owner, or a recipient whose own live share allows re-sharing.
  await enableRls(db, "shared_materials", {
    userExpr: {
      select: `user_id = ${me} OR shared_with_user_id = ${me}`,
      insert: `user_id = ${me} AND app.may_share_study_item(material_id)`,
      update: `user_id = ${me}`,
    },
    userColumnUpdates: ["revoked_at", "expires_at", "allow_resharing"],
    system: ["SELECT", "UPDATE"],
  });

  await sql`
    CREATE POLICY study_items_user_select_shared ON study_items FOR SELECT TO inkwell_user
    USING (app.study_item_shared_with_me(id))`.execute(db);

  await sql`
    ALTER TABLE notifications
      ADD COLUMN sender_id uuid REFERENCES users(id) ON DELETE SET NULL,
      ADD COLUMN material_id uuid REFERENCES study_items(id) ON DELETE SET NULL,
      ADD COLUMN expires_at timestamptz`.execute(db);
  await sql`CREATE INDEX notifications_sender_time_idx ON notifications (sender_id, created_at DESC) WHERE sender_id IS NOT NULL`.execute(
    db,
  );

  // send_notification (owned by the system role) renews an expired notice in place: only these columns.
  await sql`GRANT UPDATE (title, body, material_id, expires_at, read_at, created_at) ON notifications TO inkwell_system`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION app.send_notification(
      p_user_id uuid, p_kind text, p_title text, p_body text, p_dedupe_key text, p_material_id uuid, p_expires_at timestamptz
    ) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
      v_sender uuid := app.current_user_id();
      v_recent integer;
    BEGIN
      IF v_sender IS NULL THEN
        RAISE EXCEPTION 'send_notification: no caller' USING ERRCODE = '42501';
      END IF;
      IF p_kind NOT IN ('share', 'live_invite', 'comment') THEN
        RAISE EXCEPTION 'send_notification: kind % is not a user-to-user kind', p_kind USING ERRCODE = '22023';
      END IF;
      -- One sender's sends are counted one at a time, so parallel calls cannot all slip under the limit.
      PERFORM pg_advisory_xact_lock(hashtext('inkwell.send_notification:' || v_sender::text));
      SELECT count(*) INTO v_recent FROM public.notifications
       WHERE sender_id = v_sender AND created_at > now() - interval '1 hour';
      IF v_recent >= 60 THEN
        RAISE EXCEPTION 'send_notification: rate limited' USING ERRCODE = 'P0001', HINT = 'inkwell:notification-rate';
      END IF;
      INSERT INTO public.notifications (user_id, sender_id, kind, title, body, dedupe_key, material_id, expires_at)
      VALUES (p_user_id, v_sender, p_kind, p_title, p_body, v_sender::text || ':' || p_dedupe_key, p_material_id, p_expires_at)
      -- The same notice again is skipped while the earlier one is in the bell; once it has expired (a
      -- share that ran out, shared again) it comes back as new.
      ON CONFLICT (user_id, dedupe_key) DO UPDATE
        SET title = EXCLUDED.title, body = EXCLUDED.body, material_id = EXCLUDED.material_id,
            expires_at = EXCLUDED.expires_at, read_at = NULL, created_at = now()
        WHERE notifications.expires_at IS NOT NULL AND notifications.expires_at <= now();
      RETURN FOUND;
    END $$`.execute(db);
  await sql`ALTER FUNCTION app.send_notification(uuid, text, text, text, text, uuid, timestamptz) OWNER TO inkwell_system`.execute(
    db,
  );
  await sql`REVOKE ALL ON FUNCTION app.send_notification(uuid, text, text, text, text, uuid, timestamptz) FROM PUBLIC`.execute(
    db,
  );
  await sql`GRANT EXECUTE ON FUNCTION app.send_notification(uuid, text, text, text, text, uuid, timestamptz) TO inkwell_user`.execute(
    db,
  );
}

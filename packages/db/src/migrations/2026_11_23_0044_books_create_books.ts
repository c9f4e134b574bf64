import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Books (seed 001 `books`): a campaign's stories (and their photos) chosen and ordered, a template and a
 * cover, rendered by the worker into an interior PDF, a cover PDF and page previews (PNG), all
 * `stored_files` rows of the owner who asked for the render.
 *
 * Who may do what (the stories' function `app.campaigns_with_role`): every active member of the campaign
 * sees its books; only owners create, design, render, approve and delete them (a book is the owners'
 * decision to print); invited, inactive and outsiders see nothing. A book that is ordered or completed is
 * never deleted (an order points at it) and its design never changes (the order prints what was approved):
 * the trigger below holds both, whatever the service does.
 *
 * `design_version` counts design changes and `rendered_version` says which one the stored files show, so a
 * proof is approved only for the design it shows (`approved_version`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE books (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 120),
      subtitle text CHECK (char_length(subtitle) <= 200),
      template text NOT NULL DEFAULT 'classic' CHECK (template IN ('classic', 'modern', 'photo_heavy')),
      cover_photo_file_id uuid REFERENCES stored_files(id) ON DELETE SET NULL,
      story_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(story_ids) <= 200),
      -- The photos chosen, in order within each story; null = every photo of the chosen stories.
      photo_file_ids uuid[] CHECK (cardinality(photo_file_ids) <= 400),
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'ready_to_order', 'ordered', 'completed')),
      page_count integer NOT NULL DEFAULT 0 CHECK (page_count >= 0),
      story_count integer NOT NULL DEFAULT 0 CHECK (story_count >= 0),
      photo_count integer NOT NULL DEFAULT 0 CHECK (photo_count >= 0),
      design_version integer NOT NULL DEFAULT 1,
      render_status text NOT NULL DEFAULT 'none' CHECK (render_status IN ('none', 'rendering', 'done', 'failed')),
      render_error text CHECK (char_length(render_error) <= 300),
      render_requested_at timestamptz,
      rendered_at timestamptz,
      rendered_version integer,
      interior_file_id uuid REFERENCES stored_files(id) ON DELETE SET NULL,
      cover_file_id uuid REFERENCES stored_files(id) ON DELETE SET NULL,
      preview_file_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(preview_file_ids) <= 24),
      approved_at timestamptz,
      approved_version integer,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (status = 'draft' OR (approved_at IS NOT NULL AND approved_version = rendered_version))
    )`.execute(db);
  await sql`CREATE INDEX books_campaign_idx ON books (campaign_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX books_user_idx ON books (user_id)`.execute(db);
  await touchUpdatedAt(db, "books");

  // An ordered or completed book is frozen: no design change, no new render, no going back, no delete.
  await sql`
    CREATE FUNCTION app.books_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
      IF OLD.status IN ('ordered', 'completed') THEN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'an ordered book cannot be deleted' USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.status = 'draft' OR NEW.status = 'ready_to_order'
           OR (OLD.status = 'completed' AND NEW.status <> 'completed')
           OR NEW.design_version <> OLD.design_version
           OR NEW.interior_file_id IS DISTINCT FROM OLD.interior_file_id
           OR NEW.cover_file_id IS DISTINCT FROM OLD.cover_file_id THEN
          RAISE EXCEPTION 'an ordered book cannot change' USING ERRCODE = 'check_violation';
        END IF;
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.books_guard() FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.books_guard() TO inkwell_user, inkwell_system`.execute(db);
  await sql`CREATE TRIGGER books_guard BEFORE UPDATE OR DELETE ON books FOR EACH ROW EXECUTE FUNCTION app.books_guard()`.execute(
    db,
  );

  const me = "(SELECT app.current_user_id())";
  const anyRole = "(SELECT app.campaigns_with_role(ARRAY['owner', 'contributor', 'viewer']))";
  const owners = "(SELECT app.campaigns_with_role(ARRAY['owner']))";
  // The cover photo must be one of the campaign's story photos: the service resolves it through the
  // stories module (a photo may be a contributor's file, which no policy here could read).
  await enableRls(db, "books", {
    userExpr: {
      select: `campaign_id IN ${anyRole}`,
      insert: `user_id = ${me} AND campaign_id IN ${owners}`,
      update: `campaign_id IN ${owners}`,
      delete: `campaign_id IN ${owners}`,
    },
    userColumnUpdates: [
      "title",
      "subtitle",
      "template",
      "cover_photo_file_id",
      "story_ids",
      "photo_file_ids",
      "status",
      "page_count",
      "story_count",
      "photo_count",
      "design_version",
      "render_status",
      "render_error",
      "render_requested_at",
      "rendered_at",
      "rendered_version",
      "interior_file_id",
      "cover_file_id",
      "preview_file_ids",
      "approved_at",
      "approved_version",
    ],
    // Orders (webhook fulfilment, vendor updates) move a book to ordered / completed as system.
    system: ["SELECT", "UPDATE"],
  });
}
